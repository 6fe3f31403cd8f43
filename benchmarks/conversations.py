"""Scripted conversations (../shared/conversations/*.jsonl) played through POST /api/chat in-process, checked with
the conversations' own score.py: the share of checks passed and the conversations passing fully.

    python -m benchmarks.conversations [FILE.jsonl] [--home PATH] [--show]
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.common import bench_settings, ensure_index, shared


@dataclass
class Played:
    """One conversation's checks."""

    id: str
    checks: dict[str, bool]

    @property
    def ok(self) -> bool:
        return all(self.checks.values())


@dataclass
class Summary:
    played: list[Played] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def share(self) -> float:
        total = sum(len(p.checks) for p in self.played)
        return sum(sum(p.checks.values()) for p in self.played) / total if total else 0.0

    @property
    def fully(self) -> int:
        return sum(p.ok for p in self.played)

    def line(self) -> str:
        total = sum(len(p.checks) for p in self.played)
        passed = sum(sum(p.checks.values()) for p in self.played)
        return (f"n={len(self.played)} fully passing {self.fully}/{len(self.played)} "
                f"checks {passed}/{total} = {self.share:.3f} ({self.seconds:.0f} s)")


def scorer(path: Path) -> ModuleType:
    """The conversations' own score.py, loaded as a module (its checks, not a copy of them)."""
    spec = importlib.util.spec_from_file_location("conversation_score", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def play_all(client: Any, conversations: Path, score: ModuleType, *, show: bool = False) -> Summary:
    """Every conversation of the file through `client` (a TestClient or an httpx.Client on a server)."""
    import json

    started, out = time.perf_counter(), Summary()
    for line in conversations.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        conv = json.loads(line)
        out.played.append(Played(conv["id"], score.check(conv, score.play(client, conv, show))))
    out.seconds = time.perf_counter() - started
    return out


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", type=Path, default=None, help="default: ../shared/conversations/dev.jsonl")
    ap.add_argument("--home", type=Path, default=None)
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args(argv)
    from fastapi.testclient import TestClient

    from assistant.api.app import create_app

    settings = bench_settings(args.home)
    ensure_index(settings)
    path = args.file or shared("conversations", "dev.jsonl")
    with TestClient(create_app(settings)) as client:
        summary = play_all(client, path, scorer(shared("conversations", "score.py")), show=args.show)
    for p in summary.played:
        failed = [k for k, v in p.checks.items() if not v]
        print(f"{p.id:28s} {sum(p.checks.values())}/{len(p.checks)} {'ok' if p.ok else 'failed: ' + ', '.join(failed)}")
    print(f"conversations {path.name} {summary.line()}")


if __name__ == "__main__":
    main()
