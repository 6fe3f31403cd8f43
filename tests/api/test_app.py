"""Health endpoint: 200 on a migrated store with a matching index, 503 with the reason otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.index.build import build_index
from assistant.index.embedders import FakeEmbedder
from assistant.index.versions import IndexVersions
from assistant.store.db import make_engine, make_sessionmaker, migrate


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings.from_env(
        {"SKILLPATH_HOME": str(tmp_path), "SKILLPATH_DATABASE_URL": url, "SKILLPATH_EMBEDDER": "fake"}
    )


def test_healthz_needs_an_index_then_is_ok(tmp_path: Path, store_url: str) -> None:
    engine = make_engine(store_url)
    migrate(engine)
    settings = _settings(tmp_path, store_url)
    with TestClient(create_app(settings)) as client:
        res = client.get("/healthz")
        assert res.status_code == 503
        body = res.json()
        assert body["status"] == "unavailable" and body["schema"] == "0007" and body["store"]["relations"] == 0
        assert body["index"]["state"] == "missing"
        assert body["index"]["problems"] == ["no index has been built yet — run `skillpath index`"]
        build_index(make_sessionmaker(engine), FakeEmbedder(), IndexVersions(settings.index_dir))
        res = client.get("/healthz")  # the running app picks the new version up
    engine.dispose()
    assert res.status_code == 200
    assert res.json()["status"] == "ok" and res.json()["index"]["embedder"] == "fake (1, 64-d)"
    assert "query_vectors" not in res.json()  # counted by the cache, which a fake embedder goes without


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("sqlite:///{tmp}/empty.db", "store schema at None, expected 0007"),
        ("postgresql+psycopg://nobody@127.0.0.1:9/none", "cannot reach the store"),
    ],
)
def test_healthz_unavailable(tmp_path: Path, url: str, detail: str) -> None:
    with TestClient(create_app(_settings(tmp_path, url.format(tmp=tmp_path)))) as client:
        res = client.get("/healthz")
    assert res.status_code == 503
    assert res.json()["status"] == "unavailable" and res.json()["detail"].startswith(detail)
