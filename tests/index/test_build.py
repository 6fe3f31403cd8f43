"""Building an index version from the store: manifest, cache reuse, failures that leave CURRENT alone, pruning."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant import __version__
from assistant.index import build as build_module
from assistant.index.build import DOCS_FILE, StoreChangedError, build_index, load_docs
from assistant.index.cache import CachedEmbedder
from assistant.index.documents import collect, iter_documents, store_hash
from assistant.index.embedders import FakeEmbedder
from assistant.index.manifest import FORMAT, MANIFEST, new_version_id, read_manifest, verify_files
from assistant.index.versions import IndexVersions
from assistant.ingest.records import (
    DocumentRecord,
    OccupationRecord,
    OfferRecord,
    PassageRecord,
    SkillRecord,
    SourceBundle,
)
from assistant.ingest.sync import sync_source

U = "http://example.org/"

# What small_store() holds, worked out by hand from documents.iter_documents/collect:
#   group 焊接人员: title                                  1 unit, 1 dense
#   焊工: title, 2 aliases, definition, tasks (lexical)    5 units, 4 dense
#   welder: title, alias, definition                      3 units, 3 dense
#   skill "weld metal": title, alias, definition (both lexical); skill "read drawings": title   4 units, 2 dense
#   2 offers: title and body each                         4 units, 4 dense
#   2 passages: title (lexical) and body each             4 units, 2 dense
COUNTS = {"apprenticeship": 1, "occupation": 3, "policy": 2, "skill": 2, "training": 1}
DOCS, UNITS, DENSE = 9, 21, 16
DOC_IDS = [
    "occupation:t:6-18", "occupation:t:6-18-02-04", f"occupation:t:{U}o1", f"skill:t:{U}s1", f"skill:t:{U}s2",
    "apprenticeship:offers:a1", "training:offers:t1", "policy:offers:p.md#0", "policy:offers:p.md#1",
]


def taxonomy(version: str = "1") -> SourceBundle:
    return SourceBundle(
        name="tax", kind="taxonomy", version=version, checksum=f"tax-{version}", location="mem",
        occupations=[
            OccupationRecord(scheme="t", key="6-18", code="6-18", title="焊接人员", kind="group", language="zh"),
            OccupationRecord(scheme="t", key="6-18-02-04", code="6-18-02-04", title="焊工", parent_code="6-18",
                             alt_titles=("电焊工", "气焊工"), description="操作焊接设备，连接金属工件的人员。",
                             tasks=("焊接结构件", "检验焊缝"), language="zh"),
            OccupationRecord(scheme="t", key=U + "o1", uri=U + "o1", title="welder", alt_titles=("weldor",),
                             description="Welders join metal workpieces."),
        ],
        skills=[
            SkillRecord(scheme="t", uri=U + "s1", label="weld metal", alt_labels=("welding",),
                        description="Join metal parts by melting them."),
            SkillRecord(scheme="t", uri=U + "s2", label="read drawings"),
        ],
    )


def offers(version: str = "1", title: str = "焊工学徒") -> SourceBundle:
    return SourceBundle(
        name="offers", kind="offers", version=version, checksum=f"offers-{version}-{title}", location="mem",
        offers=[
            OfferRecord(external_id="a1", kind="apprenticeship", title=title, provider="示例企业",
                        description="企业新型学徒制培养焊工。", city="湖州市", region="浙江省"),
            OfferRecord(external_id="t1", kind="training", title="Welding course", provider="Rizhao College",
                        language="en", description="Basic welding for beginners.", city="Rizhao"),
        ],
        documents=[DocumentRecord(key="p.md", title="政策", language="zh", checksum="p1",
                                  passages=(PassageRecord(0, "第一条。学徒签订协议。", ("总则",)),
                                            PassageRecord(1, "企业可申请培训补贴。", ("补贴",))))],
    )


def small_store(factory: sessionmaker[Session], *bundles: SourceBundle) -> None:
    """Write the bundles (default: the taxonomy and the offers above), each in its own transaction."""
    for bundle in bundles or (taxonomy(), offers()):
        with factory.begin() as session:
            sync_source(session, bundle)


def staging_left(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".staging-")) if root.exists() else []


class FailingEmbedder(FakeEmbedder):
    """Embeds like FakeEmbedder until call number `fail_on`, which raises `error`."""

    def __init__(self, fail_on: int, error: BaseException) -> None:
        super().__init__()
        self.fail_on, self.error, self.batches = fail_on, error, 0

    def embed_passages(self, texts: Any) -> np.ndarray:
        self.batches += 1
        if self.batches == self.fail_on:
            raise self.error
        return super().embed_passages(texts)


@pytest.mark.parametrize(("approximate_above", "dense_kind"), [(50_000, "flat"), (0, "ivf")])
def test_build_writes_a_verified_manifest_and_switches_to_it(
    factory: sessionmaker[Session], tmp_path: Path, approximate_above: int, dense_kind: str
) -> None:
    small_store(factory)
    versions = IndexVersions(tmp_path / "index")
    embedder = FakeEmbedder()
    steps: list[tuple[str, int, int]] = []
    started = datetime.now(UTC).replace(microsecond=0)
    report = build_index(factory, embedder, versions, approximate_above=approximate_above,
                         on_step=lambda *step: steps.append(step))
    m = report.manifest
    folder = tmp_path / "index" / "versions" / report.version_id
    assert versions.current_id() == report.version_id == m.version_id
    assert (m.embedder, m.embedder_version, m.dim, m.dense_kind, m.format, m.app_version) == (
        "fake", "1", 64, dense_kind, FORMAT, __version__)
    assert m.counts == COUNTS and list(m.counts) == sorted(COUNTS) and m.units == UNITS
    with factory() as session:
        assert m.store_hash == store_hash(session)
    assert started <= datetime.fromisoformat(m.built_at) <= datetime.now(UTC)
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert set(m.files) == on_disk - {MANIFEST}
    # one BM25 per collection: occupations, skills, offers (apprenticeships and training together)
    assert {DOCS_FILE, "units.npz", "dense.faiss", "lexical-occupation/lexical.json", "lexical-skill/lexical.json",
            "lexical-offer/lexical.json"} <= set(m.files)
    verify_files(folder, m)
    assert read_manifest(folder) == m
    assert [d.id for d in load_docs(folder)] == DOC_IDS
    assert (report.embedded, report.reused, embedder.calls) == (DENSE, 0, DENSE)
    assert steps == [("read", DOCS, DOCS), ("embed", 0, DENSE), ("embed", DENSE, DENSE), ("dense", DENSE, DENSE), ("write", DOCS, DOCS),
                     ("lexical", UNITS, UNITS), ("index", UNITS, UNITS)]
    assert staging_left(tmp_path / "index") == []


@pytest.mark.parametrize(
    ("change", "embedded", "reused"),
    [
        (None, 0, DENSE),  # same store: every vector comes from the cache
        ("offer title", 1, DENSE - 1),  # one new text: only it reaches the model
    ],
    ids=["same store", "one new title"],
)
def test_second_build_takes_vectors_from_the_cache(
    factory: sessionmaker[Session], tmp_path: Path, change: str | None, embedded: int, reused: int
) -> None:
    small_store(factory)
    versions = IndexVersions(tmp_path / "index")
    inner = FakeEmbedder()
    cached = CachedEmbedder(inner, tmp_path / "cache" / "embeddings.sqlite")
    try:
        first = build_index(factory, cached, versions)
        assert (first.embedded, first.reused, inner.calls) == (DENSE, 0, DENSE)
        if change:
            small_store(factory, offers("2", title="焊工学徒（2027）"))
        second = build_index(factory, cached, versions)
    finally:
        cached.close()
    assert (second.embedded, second.reused, inner.calls) == (embedded, reused, DENSE + embedded)
    assert versions.versions() == sorted([first.version_id, second.version_id])
    assert versions.current_id() == second.version_id
    if change is None:  # cached vectors are the very vectors the model gave: identical artifacts
        assert second.manifest.files == first.manifest.files
        assert second.manifest.store_hash == first.manifest.store_hash
    else:
        assert second.manifest.files["docs.jsonl"] != first.manifest.files["docs.jsonl"]
        assert second.manifest.store_hash != first.manifest.store_hash


class _BrokenLexical:
    @classmethod
    def build(cls, texts: Any) -> Any:
        raise OSError("No space left on device")


def _fail_manifest(folder: Path, manifest: Any) -> None:
    (folder / MANIFEST).write_text("{", encoding="utf-8")  # half written, then the disk fills up
    raise OSError("No space left on device")


@pytest.mark.parametrize(
    ("where", "error", "message", "batches"),
    [
        ("embed 1", RuntimeError("model crashed"), "model crashed", 1),
        ("embed 3", RuntimeError("CUDA out of memory"), "CUDA out of memory", 3),
        ("embed 4", KeyboardInterrupt(), "", 4),  # Ctrl-C is not an Exception, and must clean up too
        ("lexical", OSError("No space left on device"), "No space left on device", 4),  # docs, units, dense written
        ("manifest", OSError("No space left on device"), "No space left on device", 4),
    ],
    ids=["first batch", "third batch", "ctrl-c", "lexical index", "manifest"],
)
def test_a_failing_build_leaves_current_and_no_staging(
    factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    where: str, error: BaseException, message: str, batches: int,
) -> None:
    small_store(factory)
    versions = IndexVersions(tmp_path / "index")
    first = build_index(factory, FakeEmbedder(), versions)
    current = (tmp_path / "index" / "CURRENT").read_text(encoding="utf-8")
    small_store(factory, offers("2", title="焊工学徒（2027）"))  # something new to build
    monkeypatch.setattr(build_module, "EMBED_BATCH", 4)  # 16 dense texts: 4 batches
    embedder = FailingEmbedder(int(where[-1]) if where.startswith("embed") else 0, error)
    if where == "lexical":
        monkeypatch.setattr(build_module, "LexicalIndex", _BrokenLexical)
    elif where == "manifest":
        monkeypatch.setattr(build_module, "write_manifest", _fail_manifest)
    with pytest.raises(type(error), match=f"^{re.escape(message)}$"):
        build_index(factory, embedder, versions)
    assert embedder.batches == batches
    assert (tmp_path / "index" / "CURRENT").read_text(encoding="utf-8") == current
    assert versions.current_id() == first.version_id and versions.versions() == [first.version_id]
    assert staging_left(tmp_path / "index") == []
    monkeypatch.undo()
    again = build_index(factory, FakeEmbedder(), versions)  # the lock was released
    assert versions.current_id() == again.version_id != first.version_id


def _concurrent_ingest(factory: sessionmaker[Session]) -> Any:
    """collect() that lets an ingest of a new release commit while the build is reading."""

    def collect_then_ingest(session: Session) -> Any:
        out = collect(session)
        small_store(factory, offers("2", title="焊工学徒（新版）"))
        return out

    return collect_then_ingest


@pytest.mark.parametrize("how", ["store_hash differs", "ingest commits during the read"])
def test_store_changed_during_the_read_abandons_the_build(
    factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    small_store(factory)
    versions = IndexVersions(tmp_path / "index")
    first = build_index(factory, FakeEmbedder(), versions)
    if how == "store_hash differs":
        hashes = iter(["a" * 64, "b" * 64])
        monkeypatch.setattr(build_module, "store_hash", lambda _session: next(hashes))
    else:
        monkeypatch.setattr(build_module, "collect", _concurrent_ingest(factory))
    embedder = FakeEmbedder()
    message = "the store changed while the index was being built (an ingest ran?); run it again"
    with pytest.raises(StoreChangedError, match=f"^{re.escape(message)}$"):
        build_index(factory, embedder, versions)
    assert embedder.calls == 0  # abandoned before any embedding
    assert versions.current_id() == first.version_id and versions.versions() == [first.version_id]
    assert staging_left(tmp_path / "index") == []
    monkeypatch.undo()
    if how != "store_hash differs":  # the ingest did land: the next build sees it
        again = build_index(factory, FakeEmbedder(), versions)
        assert again.manifest.store_hash != first.manifest.store_hash


def test_a_source_imported_during_the_read_is_left_to_the_next_build(factory: sessionmaker[Session]) -> None:
    """An operator's import may commit a new source while a refresh reads the store: its rows are not indexed
    under a source the read never saw (that was a KeyError), and the build's store check then abandons it."""
    small_store(factory)
    newcomer = replace(offers("1", title="电工学徒"), name="more-offers", checksum="more-1")
    with factory() as session:
        rows = iter_documents(session)
        first, _fields = next(rows)  # the sources have been read
        small_store(factory, newcomer)
        ids = [first.id] + [doc.id for doc, _fields in rows]
    assert ids == DOC_IDS


@pytest.mark.parametrize(
    ("keep", "builds", "kept"), [(3, 4, [1, 2, 3]), (2, 4, [2, 3]), (3, 2, [0, 1])], ids=["3 of 4", "2 of 4", "3 of 2"]
)
def test_keep_n_prunes_the_oldest_builds(
    sqlite_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    keep: int, builds: int, kept: list[int],
) -> None:
    small_store(sqlite_factory)
    # Real ids, one second apart: new_version_id sorts by the second, and these builds take less than one.
    clock = (datetime(2026, 11, 21, 10, 0, tzinfo=UTC) + timedelta(seconds=i) for i in range(builds))
    monkeypatch.setattr(build_module, "new_version_id", lambda: new_version_id(next(clock)))
    versions = IndexVersions(tmp_path / "index", keep=keep)
    ids = [build_index(sqlite_factory, FakeEmbedder(), versions).version_id for _ in range(builds)]
    assert versions.versions() == [ids[i] for i in kept]
    assert sorted(p.name for p in (tmp_path / "index" / "versions").iterdir()) == [ids[i] for i in kept]
    assert versions.current_id() == ids[-1]
    assert versions.rollback() == ids[-2]
    assert staging_left(tmp_path / "index") == [] and not list((tmp_path / "index").glob(".deleting-*"))


def test_build_on_an_empty_store_serves_an_empty_index(sqlite_factory: sessionmaker[Session], tmp_path: Path) -> None:
    report = build_index(sqlite_factory, FakeEmbedder(), IndexVersions(tmp_path / "index"))
    assert (report.manifest.counts, report.manifest.units, report.embedded) == ({}, 0, 0)
    verify_files(tmp_path / "index" / "versions" / report.version_id, report.manifest)


def test_store_hash_follows_source_versions_only(sqlite_factory: sessionmaker[Session]) -> None:
    small_store(sqlite_factory)
    with sqlite_factory() as session:
        before = store_hash(session)
    small_store(sqlite_factory, taxonomy())  # the same release again: no change
    with sqlite_factory() as session:
        assert store_hash(session) == before
    small_store(sqlite_factory, replace(taxonomy("2"), checksum="tax-1"))  # a new version label alone counts
    with sqlite_factory() as session:
        assert store_hash(session) != before


@pytest.mark.parametrize(("views", "read"), [(FakeEmbedder(dim=32), [3, 4]), (None, None)])
def test_the_english_skills_get_their_other_readings_when_a_second_model_is_given(
    factory: sessionmaker[Session], tmp_path: Path, views: FakeEmbedder | None, read: list[int] | None
) -> None:
    from assistant.index.loaded import LoadedIndex
    from assistant.index.skill_views import FILES, VIEWS_DIR

    small_store(factory)
    steps: list[tuple[str, int, int]] = []
    report = build_index(factory, FakeEmbedder(), IndexVersions(tmp_path / "index"), views=views,
                         on_step=lambda *step: steps.append(step))
    folder = tmp_path / "index" / "versions" / report.version_id
    index = LoadedIndex(folder)  # verifies every file against the manifest, the views' among them
    views_files = {f"{VIEWS_DIR}/{name}" for name in FILES}
    if read is None:
        assert index.skill_views is None and not views_files & set(report.manifest.files)
        assert "views" not in [name for name, _, _ in steps]
        return
    assert views_files <= set(report.manifest.files)
    assert index.skill_views is not None
    assert [d for d in range(DOCS) if index.skill_views.covers(d)] == read  # the two skills, nothing else
    # weld metal: title and alias; read drawings: title; each with a definition text
    assert ("views", 3 + 2, 3 + 2) in steps
