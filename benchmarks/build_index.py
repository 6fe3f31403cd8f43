"""Benchmark: full default-index build from scratch (bundled defaults, real e5-small, empty cache): time and memory.

Runs `skillpath ingest` and `skillpath index` as child processes in a fresh data home, then a second `skillpath
index` (everything comes from the embedding cache) to show the cost of a refresh when nothing changed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import DEFAULT_HOME


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) of the child, and its last output line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss over children is the largest child so far: report it only when this child raised it.
    lines = [x for x in done.stdout.splitlines() if x.strip()]
    return seconds, max(peak, before) / 1024, lines[-1] if lines else ""


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, default=Path(os.environ.get("SKILLPATH_BENCH_HOME", DEFAULT_HOME)))
    args = ap.parse_args(argv)
    if args.home.exists():
        shutil.rmtree(args.home)
    env = {**os.environ, "SKILLPATH_HOME": str(args.home), "SKILLPATH_EMBEDDER": "e5-small"}
    env.pop("SKILLPATH_DATABASE_URL", None)
    exe = [sys.executable, "-m", "assistant.cli"]
    print(f"cores: {os.cpu_count()}, home: {args.home}")
    for label, cmd in (("ingest bundled defaults", ["ingest"]), ("index, cold cache", ["index"]),
                       ("index again, warm cache", ["index"])):
        seconds, peak, last = timed(exe + cmd, env)
        print(f"{label:<26} {seconds:7.1f} s   peak RSS ≤ {peak:7.0f} MiB   {last}")


if __name__ == "__main__":
    main()
