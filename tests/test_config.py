"""Settings come from the environment mapping passed in."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import KNOWLEDGE_DIR, Settings


@pytest.mark.parametrize(
    ("env", "home", "url"),
    [
        ({}, Path("var").resolve(), f"sqlite:///{Path('var').resolve() / 'skillpath.db'}"),
        ({"SKILLPATH_HOME": "/srv/sp"}, Path("/srv/sp"), "sqlite:////srv/sp/skillpath.db"),
        ({"SKILLPATH_HOME": "/srv/sp", "SKILLPATH_DATABASE_URL": "postgresql+psycopg://u@db/sp"},
         Path("/srv/sp"), "postgresql+psycopg://u@db/sp"),
    ],
)
def test_from_env(env: dict[str, str], home: Path, url: str) -> None:
    s = Settings.from_env(env)
    assert (s.home, s.database_url, s.knowledge_dir) == (home, url, KNOWLEDGE_DIR)
    assert s.index_dir == home / "index" and s.cache_dir == home / "cache"


def test_port_from_env() -> None:
    assert Settings.from_env({"SKILLPATH_PORT": "9001"}).port == 9001


@pytest.mark.parametrize(
    ("env", "rows"),
    [
        ({}, 50_000),
        ({"SKILLPATH_APPROXIMATE_ABOVE": "1000"}, 1000),
        ({"SKILLPATH_HNSW_ABOVE": "2000"}, 2000),  # the name before IVF replaced HNSW
        ({"SKILLPATH_APPROXIMATE_ABOVE": "1000", "SKILLPATH_HNSW_ABOVE": "2000"}, 1000),
    ],
)
def test_approximate_above_from_env(env: dict[str, str], rows: int) -> None:
    assert Settings.from_env(env).approximate_above == rows
