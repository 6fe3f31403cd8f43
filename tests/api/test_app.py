"""Health endpoint: 200 on a migrated store, 503 with the reason otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.store.db import make_engine, migrate


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings.from_env({"SKILLPATH_HOME": str(tmp_path), "SKILLPATH_DATABASE_URL": url})


def test_healthz_ok_on_migrated_store(tmp_path: Path, store_url: str) -> None:
    engine = make_engine(store_url)
    migrate(engine)
    engine.dispose()
    with TestClient(create_app(_settings(tmp_path, store_url))) as client:
        res = client.get("/healthz")
    assert res.status_code == 200
    body = res.json()
    assert body["status"] == "ok" and body["schema"] == "0001" and body["store"]["relations"] == 0


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("sqlite:///{tmp}/empty.db", "store schema at None, expected 0001"),
        ("postgresql+psycopg://nobody@127.0.0.1:9/none", "cannot reach the store"),
    ],
)
def test_healthz_unavailable(tmp_path: Path, url: str, detail: str) -> None:
    with TestClient(create_app(_settings(tmp_path, url.format(tmp=tmp_path)))) as client:
        res = client.get("/healthz")
    assert res.status_code == 503
    assert res.json()["status"] == "unavailable" and res.json()["detail"].startswith(detail)
