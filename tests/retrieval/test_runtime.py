"""Wiring from settings (runtime.py): which second model reads English skills, and that choosing it loads nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.index.cache import CachedEmbedder
from assistant.index.embedders import FakeEmbedder
from assistant.retrieval.runtime import views_embedder


@pytest.mark.parametrize(("embedder", "views", "expected"), [
    ("e5-small", "auto", "all-MiniLM-L6-v2"),  # beside a real model: the packaged English model, cached
    ("fake", "auto", "fake"),  # beside the fake one: the fake, so fast tests run the same code
    ("e5-small", "fake", "fake"),
    ("fake", "minilm", "all-MiniLM-L6-v2"),
    ("e5-small", "off", None),
])
def test_views_embedder_follows_the_setting(tmp_path: Path, embedder: str, views: str, expected: str | None) -> None:
    settings = Settings.from_env({"SKILLPATH_HOME": str(tmp_path), "SKILLPATH_EMBEDDER": embedder,
                                  "SKILLPATH_SKILL_VIEWS": views})
    got = views_embedder(settings)
    assert (got.name if got is not None else None) == expected
    if isinstance(got, CachedEmbedder):
        assert got.dim == 384 and got.inner._model is None  # nothing loaded until a text is embedded
    elif got is not None:
        assert isinstance(got, FakeEmbedder)
