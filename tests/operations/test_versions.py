"""Index versions for the console: manifests, which serves, where rollback goes; rollback with an audit entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import NoPreviousVersionError
from assistant.index.build import build_index
from assistant.index.documents import store_hash
from assistant.index.embedders import FakeEmbedder
from assistant.index.manifest import MANIFEST
from assistant.index.versions import IndexVersions
from assistant.operations.versions import list_versions, rollback
from tests.index.test_build import COUNTS, UNITS, offers, small_store
from tests.operations.conftest import audit_actions


def current_store_hash(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        return store_hash(session)


def test_list_and_roll_back(sqlite_factory: sessionmaker[Session], small_index: IndexVersions) -> None:
    v1 = small_index.current_id()
    small_store(sqlite_factory, offers(version="2", title="电焊工学徒"))  # the store moves on
    v2 = build_index(sqlite_factory, FakeEmbedder(), small_index).version_id
    listed = list_versions(small_index, store_hash=current_store_hash(sqlite_factory))
    assert [(v.id, v.serving, v.rollback_target, v.stale) for v in listed] == [
        (v2, True, False, False), (v1, False, True, True)]
    newest = listed[0]
    assert (newest.embedder, newest.embedder_version, newest.dim, newest.counts, newest.units, newest.dense_kind) == (
        "fake", "1", 64, COUNTS, UNITS, "flat")
    assert newest.built_at and newest.problem is None and newest.to_dict()["counts"] == COUNTS
    assert [v.stale for v in list_versions(small_index)] == [None, None]  # not checked without the store's hash

    assert rollback(sqlite_factory, small_index, actor="olga") == v1
    assert small_index.current_id() == v1
    assert [(v.id, v.serving, v.rollback_target) for v in list_versions(small_index)] == [
        (v2, False, False), (v1, True, False)]
    assert audit_actions(sqlite_factory, "index") == [("olga", "index.rollback", v1)]


def test_nothing_to_roll_back_to(sqlite_factory: sessionmaker[Session], small_index: IndexVersions) -> None:
    v1 = small_index.current_id()
    with pytest.raises(NoPreviousVersionError, match=f"nothing to roll back to: {v1} is the only complete index"):
        rollback(sqlite_factory, small_index, actor="olga")
    assert small_index.current_id() == v1 and audit_actions(sqlite_factory, "index") == []


def test_no_versions_yet(sqlite_factory: sessionmaker[Session], tmp_path: Path) -> None:
    versions = IndexVersions(tmp_path / "index")
    assert list_versions(versions) == []
    with pytest.raises(NoPreviousVersionError, match="nothing to roll back: no index version is being served"):
        rollback(sqlite_factory, versions, actor="olga")


def test_an_unreadable_manifest_is_listed_with_its_problem(
    sqlite_factory: sessionmaker[Session], small_index: IndexVersions
) -> None:
    v1 = small_index.current_id()
    v2 = build_index(sqlite_factory, FakeEmbedder(), small_index).version_id
    (small_index.root / "versions" / v1 / MANIFEST).write_text("{", encoding="utf-8")
    old = list_versions(small_index)[1]
    assert (old.id, old.serving, old.rollback_target, old.embedder) == (v1, False, True, None)
    assert old.problem is not None and old.problem.endswith("not valid JSON (Expecting property name enclosed in "
                                                            "double quotes at line 1 column 2)")
    assert list_versions(small_index)[0].id == v2
