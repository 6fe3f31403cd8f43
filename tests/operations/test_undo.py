"""Undoing an import: what goes is shown first, then exactly that goes, other sources untouched, audited; the index
follows the store back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.index.build import build_index
from assistant.index.embedders import FakeEmbedder
from assistant.index.versions import IndexVersions
from assistant.operations.agreement import follow_store
from assistant.operations.imports import import_upload
from assistant.operations.refresh import RefreshRunner
from assistant.operations.undo import UndoRefusedError, plan_undo, undo_import
from assistant.operations.uploads import Uploads
from assistant.store.models import Offer, Source
from tests.helpers import snapshot
from tests.operations.conftest import GOOD_CSV, LIMITS, audit_actions
from tests.operations.test_imports import CHANGED_CSV, offers_in_store

OTHER_CSV = "id,kind,title,provider\nr1,training,Rizhao forklift course,Rizhao College\n"


@pytest.fixture
def store_uploads(factory: sessionmaker[Session], tmp_path: Path) -> Uploads:
    return Uploads(tmp_path / "uploads", factory, limits=LIMITS)


def imported(uploads: Uploads, text: str, filename: str) -> str:
    upload = uploads.receive(text.encode(), filename, actor="olga")
    import_upload(uploads, upload.id, actor="olga")
    return upload.id


def other_sources(engine: Engine) -> dict[str, object]:
    rows = snapshot(engine)
    rows.pop("audit_events")
    return rows


def content(sessions: sessionmaker[Session]) -> tuple[object, ...]:
    """Sources (name, version, checksum) and offers (id, content hash): row ids aside, which a restore renews."""
    with sessions() as session:
        return (session.execute(select(Source.name, Source.version, Source.checksum).order_by(Source.name)).all(),
                session.execute(select(Offer.external_id, Offer.content_hash).order_by(Offer.external_id)).all())


def test_undo_of_a_new_source_removes_it_whole_and_nothing_else(
    store_uploads: Uploads, factory: sessionmaker[Session]
) -> None:
    imported(store_uploads, OTHER_CSV, "rizhao.csv")
    before = offers_in_store(factory)
    first = imported(store_uploads, GOOD_CSV, "huzhou.csv")
    plan = plan_undo(store_uploads, first)
    assert plan.ok and plan.goes == 2 and plan.blockers == []
    assert [(s.name, s.action, s.goes, s.sample) for s in plan.sources] == [
        ("huzhou", "remove", {"offers": 2}, ["焊工学徒", "Welding course"])]
    assert offers_in_store(factory) == {**before, "h1": "焊工学徒", "t1": "Welding course"}  # the plan changed nothing

    result = undo_import(store_uploads, first, actor="olu")
    assert (result.removed, result.sources[0]["action"]) == (2, "remove")
    assert offers_in_store(factory) == before == {"r1": "Rizhao forklift course"}
    with factory() as session:
        assert session.scalar(select(Source.id).where(Source.name == "huzhou")) is None
    kept = store_uploads.get(first)
    assert (kept.status, kept.undone_by, kept.undone) == ("undone", "olu", result.to_dict())
    assert audit_actions(factory, "upload")[-1] == ("olu", "upload.undo", first)


def test_undo_of_a_changed_source_puts_the_earlier_version_back(
    store_uploads: Uploads, factory: sessionmaker[Session]
) -> None:
    first = imported(store_uploads, GOOD_CSV, "offers.csv")
    state = content(factory)
    second = imported(store_uploads, CHANGED_CSV, "offers.csv")  # t1 changed, h1 gone, n1 new
    plan = plan_undo(store_uploads, second)
    assert [(s.action, s.previous_upload, s.goes, s.comes_back, s.sample) for s in plan.sources] == [
        ("restore", first, {"offers": 1}, {"offers": 2}, ["新课程"])]
    # The earlier import cannot be undone while the later one stands on it.
    assert [b.code for b in plan_undo(store_uploads, first).blockers] == ["changed_since"]
    with pytest.raises(UndoRefusedError, match="changed after this import"):
        undo_import(store_uploads, first, actor="olu")

    undo_import(store_uploads, second, actor="olu")
    assert offers_in_store(factory) == {"h1": "焊工学徒", "t1": "Welding course"}
    assert content(factory) == state  # the source's version and every offer's content as before the second import
    assert plan_undo(store_uploads, first).ok  # and now the first can go too
    undo_import(store_uploads, first, actor="olu")
    assert offers_in_store(factory) == {}


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("validated", "not_imported"),
        ("undone twice", "not_imported"),
        ("source changed elsewhere", "changed_since"),
        ("earlier version from the command line", "outside_console"),
    ],
)
def test_what_cannot_be_undone_says_why_and_changes_nothing(
    store_uploads: Uploads, factory: sessionmaker[Session], setup: str, code: str
) -> None:
    if setup == "earlier version from the command line":
        from tests.index.test_build import small_store
        from assistant.ingest.offers import parse_offers

        path = store_uploads.root.parent / "huzhou.csv"
        path.write_text(OTHER_CSV, encoding="utf-8")
        small_store(factory, parse_offers(path))
    upload = store_uploads.receive(GOOD_CSV.encode(), "huzhou.csv", actor="olga")
    if setup != "validated":
        import_upload(store_uploads, upload.id, actor="olga")
    if setup == "undone twice":
        undo_import(store_uploads, upload.id, actor="olu")
    if setup == "source changed elsewhere":
        with factory.begin() as session:
            session.scalar(select(Source).where(Source.name == "huzhou")).version = "edited"
    held = other_sources(factory.kw["bind"])
    plan = plan_undo(store_uploads, upload.id)
    assert [b.code for b in plan.blockers][:1] == [code] and not plan.ok and plan.sources == []
    with pytest.raises(UndoRefusedError, match="cannot be undone: "):
        undo_import(store_uploads, upload.id, actor="olu")
    assert other_sources(factory.kw["bind"]) == held


@pytest.mark.slow  # two index builds and a refresh: about 2 s
def test_the_index_follows_the_store_back(sqlite_factory: sessionmaker[Session], tmp_path: Path) -> None:
    uploads = Uploads(tmp_path / "uploads", sqlite_factory, limits=LIMITS)
    imported(uploads, OTHER_CSV, "rizhao.csv")
    versions = IndexVersions(tmp_path / "index")
    embedder = FakeEmbedder()
    before = build_index(sqlite_factory, embedder, versions).version_id
    runner = RefreshRunner(sqlite_factory, embedder, versions)
    added = imported(uploads, GOOD_CSV, "huzhou.csv")
    after = build_index(sqlite_factory, embedder, versions).version_id
    assert follow_store(sqlite_factory, versions, runner, actor="olu").outcome == "agrees"

    undo_import(uploads, added, actor="olu")
    follow = follow_store(sqlite_factory, versions, runner, actor="olu")  # the version built before the import matches
    assert (follow.outcome, follow.version, versions.current_id()) == ("switched", before, before) != (after,) * 3
    assert audit_actions(sqlite_factory, "index")[-1] == ("olu", "index.switch", before)

    # No version matches the store any more (another import meanwhile): a refresh is started.
    imported(uploads, CHANGED_CSV.replace("offers", "x"), "linyi.csv")
    assert follow_store(sqlite_factory, versions, runner, actor="olu").outcome == "refreshing"
    assert runner.wait(60).phase == "done"
    with sqlite_factory() as session:
        assert "h1" not in set(session.scalars(select(Offer.external_id).join(Source).where(Source.name == "huzhou")))
