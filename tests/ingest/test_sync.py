"""Syncing sources into the store, on SQLite and PostgreSQL: idempotent, versioned, all-or-nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.ingest.records import (
    DocumentRecord,
    OccupationRecord,
    OfferRecord,
    PassageRecord,
    RelationRecord,
    SkillRecord,
    SourceBundle,
)
from assistant.ingest.runner import Job, run_jobs
from assistant.ingest.sync import OwnershipError, sync_source
from assistant.store.models import Document, Occupation, OccupationSkill, Offer, Passage, Skill, Source
from tests.helpers import snapshot

U = "http://example.org/"


def taxonomy(version: str = "1", *, extra_occ: bool = True, relation: str = "essential") -> SourceBundle:
    occs = [OccupationRecord(scheme="t", key=U + "o1", uri=U + "o1", title="welder", tags=("green",))]
    if extra_occ:
        occs.append(OccupationRecord(scheme="t", key=U + "o2", uri=U + "o2", title="electrician"))
    skills = [SkillRecord(scheme="t", uri=U + "s1", label="weld"), SkillRecord(scheme="t", uri=U + "s2", label="wire")]
    rels = [RelationRecord(scheme="t", occupation_key=U + "o1", skill_uri=U + "s1", relation=relation)]  # type: ignore[arg-type]
    if extra_occ:
        rels.append(RelationRecord(scheme="t", occupation_key=U + "o2", skill_uri=U + "s2", relation="optional"))
    return SourceBundle(name="tax", kind="taxonomy", version=version, checksum=f"c{version}{extra_occ}{relation}",
                        location="mem", occupations=occs, skills=skills, relations=rels)


def offers_and_docs(version: str, title: str = "焊工学徒", text: str = "第一条。学徒签订协议。") -> SourceBundle:
    return SourceBundle(
        name="mixed", kind="offers", version=version, checksum=version + title + text, location="mem",
        offers=[OfferRecord(external_id="a", kind="apprenticeship", title=title, provider="示例", sample=True,
                            target_skills=("焊接",), extra={"mentor": "一带二"})],
        documents=[DocumentRecord(key="p.md", title="政策", language="zh", checksum=text,
                                  passages=(PassageRecord(0, text, ("总则",)), PassageRecord(1, "补贴。", ("补贴",))))],
    )


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_same_release_changes_nothing(engine: Engine, factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        first = sync_source(s, taxonomy())
    assert first.tables["occupations"].inserted == 2 and first.tables["relations"].inserted == 2
    before = snapshot(engine)
    with factory.begin() as s:
        again = sync_source(s, taxonomy())
    assert again.unchanged and again.changed_rows == 0
    assert snapshot(engine) == before


def test_new_release_upserts_removes_vanished_and_records_version(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        sync_source(s, taxonomy("1"))
    with factory.begin() as s:
        report = sync_source(s, taxonomy("2", extra_occ=False, relation="optional"))
    assert not report.unchanged
    assert (report.tables["occupations"].deleted, report.tables["occupations"].updated) == (1, 0)
    assert (report.tables["relations"].updated, report.tables["relations"].deleted) == (1, 1)
    with factory() as s:
        assert s.scalar(select(Source.version).where(Source.name == "tax")) == "2"
        assert [o.title for o in s.scalars(select(Occupation))] == ["welder"]
        assert [r.relation for r in s.scalars(select(OccupationSkill))] == ["optional"]
        assert s.scalar(select(Occupation.tags)) == ["green"]


def test_changed_row_is_updated_in_place(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        sync_source(s, taxonomy("1"))
    with factory() as s:
        ids = set(s.scalars(select(Occupation.id)))
    bundle = taxonomy("2")
    bundle.occupations[0] = replace(bundle.occupations[0], title="welder (metal)")
    with factory.begin() as s:
        report = sync_source(s, bundle)
    assert report.tables["occupations"].updated == 1 and report.tables["occupations"].inserted == 0
    with factory() as s:
        assert set(s.scalars(select(Occupation.id))) == ids
        assert "welder (metal)" in set(s.scalars(select(Occupation.title)))


def test_offers_and_documents_round_trip(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        sync_source(s, offers_and_docs("1"))
    with factory.begin() as s:
        report = sync_source(s, offers_and_docs("2", title="焊工学徒（更新）", text="第一条。新协议。"))
    assert report.tables["offers"].updated == 1 and report.tables["documents"].updated == 1
    with factory() as s:
        offer = s.scalar(select(Offer))
        assert offer is not None and offer.title == "焊工学徒（更新）" and offer.sample and offer.extra == {"mentor": "一带二"}
        assert offer.target_skills == ["焊接"]
        doc = s.scalar(select(Document))
        assert doc is not None and [p.text for p in doc.passages] == ["第一条。新协议。", "补贴。"]
        assert doc.passages[0].section_path == ["总则"]


def test_failure_inside_a_transaction_leaves_store_unchanged(engine: Engine, factory: sessionmaker[Session]) -> None:
    run_jobs(factory, [Job("t", lambda: [taxonomy("1")])])
    before = snapshot(engine)
    # Its occupation is written first, then its skill clashes with one that "tax" owns.
    thief = SourceBundle(
        name="other", kind="taxonomy", version="1", checksum="x", location="mem",
        occupations=[OccupationRecord(scheme="t", key=U + "o9", uri=U + "o9", title="new")],
        skills=[SkillRecord(scheme="t", uri=U + "s1", label="weld")],
    )
    with pytest.raises(OwnershipError) as err:
        run_jobs(factory, [Job("thief", lambda: [thief])])
    assert str(err.value) == "skill t:http://example.org/s1 is already provided by another source (source id 1); remove that source first"
    assert snapshot(engine) == before


def test_superseded_source_is_removed(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        sync_source(s, replace(taxonomy("lite"), name="lite"))
    full = replace(taxonomy("full"), supersedes=("lite",))
    with factory.begin() as s:
        report = sync_source(s, full)
    assert report.removed_sources == ["lite"]
    with factory() as s:
        assert set(s.scalars(select(Source.name))) == {"tax"}
        assert count(s, Occupation) == 2 and count(s, Skill) == 2 and count(s, Passage) == 0


def test_changed_passages_of_an_unchanged_file_are_rewritten(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        sync_source(s, offers_and_docs("1"))
    resplit = offers_and_docs("2")
    doc = resplit.documents[0]
    resplit.documents[0] = replace(doc, passages=(PassageRecord(0, "第一条。学徒签订协议。补贴。", ("总则",)),))
    with factory.begin() as s:
        report = sync_source(s, resplit)
    assert report.tables["documents"].updated == 1 and report.tables["offers"].total == 0
    with factory() as s:
        assert count(s, Passage) == 1
