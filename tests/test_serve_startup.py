"""`serve` decides from the manifest whether to build, and the index is loaded once: by the app, when it starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant import cli
from assistant.config import Settings
from assistant.index import loaded
from assistant.index.skill_views import SkillViews
from assistant.index.versions import IndexVersions
from tests.conftest import IndexedHome


def _break_dense(home: Path) -> None:
    folder = IndexVersions(home / "index").current_path()
    assert folder is not None
    with open(folder / "dense.faiss", "ab") as fh:
        fh.write(b"\0")


def _other_embedder(home: Path) -> dict[str, str]:
    return {"SKILLPATH_EMBEDDER": "e5-small"}


@pytest.mark.parametrize(
    ("change", "needed"),
    [
        (lambda home: {}, False),
        (lambda home: (_break_dense(home), {})[1], True),  # a file no longer matches its manifest hash
        (_other_embedder, True),  # vectors of another model
        (lambda home: (__import__("shutil").rmtree(home / "index"), {})[1], True),  # never built
    ],
    ids=["up-to-date", "damaged", "other-model", "missing"],
)
def test_index_needed_reads_the_manifest_not_the_index(copy_indexed_home: IndexedHome, monkeypatch: pytest.MonkeyPatch,
                                                        change: Any, needed: bool) -> None:
    env = {**copy_indexed_home.env, **change(copy_indexed_home.home)}
    monkeypatch.setattr(loaded.LoadedIndex, "__init__", lambda *a: pytest.fail("the index was loaded"))
    assert cli._index_needed(Settings.from_env(env)) is needed


@pytest.mark.slow
def test_index_needed_after_an_ingest(copy_indexed_home: IndexedHome, tmp_path: Path) -> None:
    offers = tmp_path / "offers.csv"
    offers.write_text("id,kind,title,provider,language,city\nx1,training,焊接培训,某学校,zh,湖州\n", encoding="utf-8")
    assert cli.main(["ingest", str(offers), "--kind", "offers"], environ=copy_indexed_home.env) == 0
    assert cli._index_needed(copy_indexed_home.settings) is True


@pytest.mark.parametrize("stale", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["indexed", "store-changed"])
def test_serve_loads_the_index_once(copy_indexed_home: IndexedHome, monkeypatch: pytest.MonkeyPatch,
                                    stale: bool, tmp_path: Path) -> None:
    if stale:
        offers = tmp_path / "offers.csv"
        offers.write_text("id,kind,title,provider,language,city\nx1,training,焊接培训,某学校,zh,湖州\n", encoding="utf-8")
        assert cli.main(["ingest", str(offers), "--kind", "offers"], environ=copy_indexed_home.env) == 0
    loads: list[Path] = []
    real_init = loaded.LoadedIndex.__init__

    def counting_init(self: loaded.LoadedIndex, folder: Path) -> None:
        loads.append(folder)
        real_init(self, folder)

    def run_app(app: Any, **_: Any) -> None:  # instead of uvicorn: start the app, ask it once, stop it
        with TestClient(app) as client:
            assert client.get("/healthz").json()["index"]["state"] == "ok"

    monkeypatch.setattr(loaded.LoadedIndex, "__init__", counting_init)
    monkeypatch.setattr("uvicorn.run", run_app)
    versions_before = IndexVersions(copy_indexed_home.home / "index").versions()
    env = {**copy_indexed_home.env, "SKILLPATH_WARM_QUERIES": "0"}
    assert cli.main(["serve"], environ=env) == 0
    assert len(loads) == 1
    versions = IndexVersions(copy_indexed_home.home / "index")
    built = len(versions.versions()) > len(versions_before)
    assert built is stale
    # The home was indexed by `skillpath index`, with the other readings of English skills; serve's own build
    # leaves them out (they serve skill ranking only, and would double a first start).
    folder = versions.current_path()
    assert folder is not None and SkillViews.exists(folder) is not stale
