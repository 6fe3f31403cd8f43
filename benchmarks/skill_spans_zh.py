"""Benchmark: Chinese skill span detection on job-ad sentences (Chinese SkillSpan, team-annotated gold).

The copy of the Chinese SkillSpan training file in ../shared/data/chinese-skillspan has empty label fields, so the
gold spans come from benchmarks/data/chinese-skillspan-gold.jsonl: 200 sentences (every 6th, `d[::6][:200]`)
annotated by the team with the dataset's guideline (labels S/K/T/L, flat, minimal, verbatim), stored as record ids,
a SHA-1 of each sentence and character offsets only. Rows whose sentence no longer hashes the same are reported
and skipped.

The sentences are those of ../shared/data/chinese-skillspan (read at run time); the gold spans are the team's.
Every gold label counts -- S (skill/duty), K (knowledge, tools, certificates, fields of study), T (transversal)
and L (language) -- and matching ignores the label, since SkillPath finds spans and does not label them; relaxed
recall is also printed per label.

Prints strict span P/R/F1 (exact offsets), relaxed P/R/F1 (any character overlap, one-to-one matching),
sentence-level detection accuracy (has a skill or not) and relaxed recall per gold label, for the clause baseline
(every clause, split on ，,；;。、, its enumeration such as "1、" or "2." removed) and, when
`assistant.understanding.skills` exists, SkillPath's `SkillExtractor.mentions`; per split: dev (the gold file's
even rows, 100 sentences: the span grammar of assistant/understanding/spans.py was written looking at these),
test (its odd rows) and all 200.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import shared

GOLD = Path(__file__).resolve().parent / "data" / "chinese-skillspan-gold.jsonl"
LABELS = ("S", "K", "T", "L")
CITATION = ("Chinese SkillSpan (LKST), github.com/AlfredJamesLi/Chinese_SKillspan_Dataset @82ea851 (2025-10-28), "
            "CN_skillspan_lkst_train.json; licence: none stated in the repo (unclear) -- used for benchmarking only, "
            "read at run time, no text copied. Gold: SkillPath team annotations (ids + offsets), see "
            "benchmarks/data/README.md.")

Span = tuple[int, int]
CLAUSE_BREAK = re.compile(r"[，,；;。、]")
# A leading enumeration: （3） (3) 2. 2． b. and bullets; "2.5年" is a number, not an enumeration.
LEADING = re.compile(r"\s*(?:[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]|\d{1,2}\s*[.．](?!\d)|[a-zA-Z][.．]|[-–—•·*#]+)")
# "1、" splits at the 、: the number is left at the end of the previous clause (岗位职责： 1) or alone.
TRAILING = re.compile(r"(?:^|(?<=[\s：:]))(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*$")


@dataclass
class Item:
    id: str
    text: str
    gold: list[tuple[int, int, str]]


def load(limit: int | None) -> tuple[list[Item], list[str]]:
    """The gold rows whose sentence still hashes the same, and a note for each that does not (or is missing)."""
    with open(shared("data", "chinese-skillspan", "CN_skillspan_lkst_train.json"), encoding="utf-8") as fh:
        by_id = {r["id"]: r["sentence"] for r in json.load(fh)}
    items, drifted = [], []
    with open(GOLD, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    for row in rows[:limit]:
        text = by_id.get(row["id"])
        if text is None:
            drifted.append(f"{row['id']}: not in the dataset")
        elif hashlib.sha1(text.encode("utf-8")).hexdigest() != row["sha1"]:
            drifted.append(f"{row['id']}: sentence changed (sha1 differs)")
        elif any(not 0 <= s < e <= len(text) for s, e, _ in row["spans"]):
            drifted.append(f"{row['id']}: offsets out of range")
        else:
            items.append(Item(row["id"], text, [(s, e, lab) for s, e, lab in row["spans"]]))
    return items, drifted


def clauses(text: str) -> list[Span]:
    """Baseline: every clause, trimmed, without its enumeration (1、 2. （3） b.) or bullet."""
    spans, start = [], 0
    for m in list(CLAUSE_BREAK.finditer(text)) + [None]:
        s, e = start, m.start() if m else len(text)
        start = m.end() if m else len(text)
        if m and m.group() == "、":
            tail = TRAILING.search(text, s, e)
            if tail:
                e = tail.start()
        lead = LEADING.match(text, s, e)
        while lead and lead.end() > s:
            s = lead.end()
            lead = LEADING.match(text, s, e)
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


def match_one_to_one(pred: Sequence[Span], gold: Sequence[Span]) -> dict[int, int]:
    """Maximum matching of gold to predicted spans that share at least one character (gold index → pred index)."""
    edges = [[j for j, (ps, pe) in enumerate(pred) if ps < ge and gs < pe] for gs, ge in gold]
    owner: dict[int, int] = {}  # pred → gold

    def augment(g: int, seen: set[int]) -> bool:
        for p in edges[g]:
            if p not in seen:
                seen.add(p)
                if p not in owner or augment(owner[p], seen):
                    owner[p] = g
                    return True
        return False

    for g in range(len(gold)):
        augment(g, set())
    return {g: p for p, g in owner.items()}


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(items: Sequence[Item], predicted: Sequence[list[Span]]) -> dict[str, float]:
    n_pred = n_gold = strict = relaxed = detect = 0
    found, total = Counter(), Counter()
    for item, pred in zip(items, predicted):
        gold = [(s, e) for s, e, _ in item.gold]
        pred = sorted(set(pred))
        n_pred += len(pred)
        n_gold += len(gold)
        strict += len(set(pred) & set(gold))
        matched = match_one_to_one(pred, gold)
        relaxed += len(matched)
        detect += bool(pred) == bool(gold)
        for g, (_, _, label) in enumerate(item.gold):
            total[label] += 1
            found[label] += g in matched
    sp, sr, sf = prf(strict, n_pred, n_gold)
    rp, rr, rf = prf(relaxed, n_pred, n_gold)
    out = {"pred": n_pred, "sP": sp, "sR": sr, "sF1": sf, "rP": rp, "rR": rr, "rF1": rf,
           "detect": detect / max(len(items), 1)}
    out.update({f"R_{lab}": found[lab] / total[lab] if total[lab] else float("nan") for lab in LABELS})
    return out


def skillpath_system() -> Callable[[str], list[Span]] | None:
    """SkillExtractor.mentions on the bench home's index, or None (and a note) when the module is missing."""
    from assistant.index.embedders import make_embedder
    from assistant.retrieval.runtime import make_retrieval
    from assistant.store.db import make_engine, make_sessionmaker
    from benchmarks.common import bench_settings, ensure_index
    from benchmarks.skill_extraction_en import make_extractor

    settings = bench_settings()
    sessions = make_sessionmaker(make_engine(settings.database_url))
    retrieval = make_retrieval(settings, sessions, make_embedder(settings.embedder))
    extractor = make_extractor(retrieval, sessions)
    if extractor is None:
        return None
    ensure_index(settings)
    return lambda text: [(m.span[0], m.span[1]) for m in extractor.mentions(text)]


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, help="only the first N gold sentences (quick look)")
    ap.add_argument("--show", type=int, default=0, help="print the first N sentences' gold and predicted spans")
    args = ap.parse_args(argv)
    items, drifted = load(args.limit)
    labels = Counter(lab for it in items for _, _, lab in it.gold)
    empty = sum(1 for it in items if not it.gold)
    print(f"Chinese skill spans: {len(items)} team-annotated sentences from {GOLD.name}, "
          f"{sum(labels.values())} spans ({', '.join(f'{lab} {labels[lab]}' for lab in LABELS)}), "
          f"{empty} sentences with no skill")
    for note in drifted:
        print(f"  skipped {note}")
    if drifted:
        print(f"  {len(drifted)} gold rows skipped: the dataset no longer matches them")

    splits = [("dev", slice(0, None, 2)), ("test", slice(1, None, 2)), ("all", slice(None))]
    systems: list[tuple[str, Callable[[str], list[Span]]]] = [("baseline: every clause", clauses)]
    extractor = skillpath_system()
    if extractor:
        systems.append(("SkillPath SkillExtractor.mentions", extractor))
    print(f"{'system':<36}{'split':<6}{'pred':>6}{'sP':>7}{'sR':>7}{'sF1':>7}{'rP':>7}{'rR':>7}{'rF1':>7}{'detect':>8}"
          + "".join(f"{'rR_' + lab:>7}" for lab in LABELS) + f"{'ms/sent':>9}")
    for name, fn in systems:
        for it in items[:3]:  # warm
            fn(it.text)
        start = time.perf_counter()
        predicted = [fn(it.text) for it in items]
        ms = (time.perf_counter() - start) * 1000 / max(len(items), 1)
        for split, part in splits:
            m = evaluate(items[part], predicted[part])
            print(f"{name:<36}{split:<6}{m['pred']:>6}{m['sP']:>7.3f}{m['sR']:>7.3f}{m['sF1']:>7.3f}{m['rP']:>7.3f}"
                  f"{m['rR']:>7.3f}{m['rF1']:>7.3f}{m['detect']:>8.3f}"
                  + "".join(f"{m['R_' + lab]:>7.3f}" for lab in LABELS) + f"{ms:>9.1f}")
        for it, pred in list(zip(items, predicted))[: args.show]:
            print(f"    {it.id} gold: {[it.text[s:e] + '/' + lab for s, e, lab in it.gold]}")
            print(f"    {' ' * len(it.id)} pred: {[it.text[s:e] for s, e in pred]}")
    print("s = strict (exact offsets), r = relaxed (any overlap, each gold and each prediction matched at most once); "
          "every gold label (S/K/T/L) counts, labels ignored for P/R/F1; dev: even gold rows, test: odd rows; "
          "detect: sentence has-skill vs no-skill accuracy; rR_X: relaxed recall of gold label X.")
    print(f"data: {CITATION}")


if __name__ == "__main__":
    main()
