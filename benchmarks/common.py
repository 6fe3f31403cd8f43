"""Shared benchmark helpers: a data home with the bundled defaults indexed by the real model, shared data paths."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

from assistant.config import Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEFAULT_HOME = ROOT / "var" / "bench"


def shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        sys.exit(f"shared data not found: {path} (benchmarks read ../shared/data beside the checkout)")
    return path


def bench_settings(home: Path | None = None) -> Settings:
    """Settings for a benchmark home: SKILLPATH_BENCH_HOME or var/bench, real e5-small embedder."""
    env = {**os.environ, "SKILLPATH_HOME": str(home or os.environ.get("SKILLPATH_BENCH_HOME", DEFAULT_HOME)),
           "SKILLPATH_EMBEDDER": os.environ.get("SKILLPATH_EMBEDDER", "e5-small")}
    env.pop("SKILLPATH_DATABASE_URL", None)
    # One client sends every request: a per-address rate limit would measure the limiter, not the service.
    env.setdefault("SKILLPATH_RATE_ADDRESS_PER_MINUTE", "0")
    env.setdefault("SKILLPATH_RATE_CONVERSATION_PER_MINUTE", "0")
    return Settings.from_env(env)


def ensure_index(settings: Settings) -> None:
    """Ingest the bundled defaults and build the index once; later runs reuse them."""
    from assistant.cli import main

    env = {"SKILLPATH_HOME": str(settings.home), "SKILLPATH_EMBEDDER": settings.embedder,
           "SKILLPATH_SKILL_VIEWS": settings.skill_views}
    if not (settings.home / "skillpath.db").exists():
        main(["ingest"], environ=env)
    else:  # a home made by an older checkout: bring its schema up to date (migrations only add)
        from assistant.store.db import make_engine, migrate

        engine = make_engine(settings.database_url)
        migrate(engine)
        engine.dispose()
    if not (settings.index_dir / "CURRENT").exists() or _lacks_views(settings):
        main(["index"], environ=env)


def _lacks_views(settings: Settings) -> bool:
    """An index built before the second reading of English skills existed, while the settings ask for one."""
    from assistant.index.skill_views import SkillViews
    from assistant.index.versions import IndexVersions

    folder = IndexVersions(settings.index_dir, keep=settings.index_keep).current_path()
    return settings.skill_views != "off" and folder is not None and not SkillViews.exists(folder)


def quantiles(ms: list[float]) -> tuple[float, float, float, float]:
    """p50, p95, p99 and max of latencies (inclusive method: no value beyond the observed ones)."""
    qs = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return qs[49], qs[94], qs[98], max(ms)


def percentiles(ms: list[float]) -> str:
    """p50/p95/p99/max of latencies in milliseconds, one line."""
    p50, p95, p99, top = quantiles(ms)
    return f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms  max {top:6.1f} ms"
