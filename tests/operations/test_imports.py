"""Importing validated uploads, on SQLite and PostgreSQL: all or nothing, audited, idempotent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.ingest.records import OccupationRecord, SourceBundle
from assistant.ingest.sync import sync_source
from assistant.operations import imports
from assistant.operations.imports import UploadRejectedError, import_upload
from assistant.operations.report import TableDiff
from assistant.operations.uploads import Uploads
from assistant.store.models import Offer, Source
from tests.helpers import snapshot
from tests.ingest.test_esco import OCC, make_export
from tests.operations.conftest import GOOD_CSV, LIMITS, audit_actions, zip_folder

# t1 changed, h1 gone, n1 new.
CHANGED_CSV = (GOOD_CSV.replace("3 months", "4 months").replace("h1,apprenticeship,焊工学徒,湖州示例企业,湖州市,12个月\n", "")
               + "n1,training,新课程,示例学校,,\n")


@pytest.fixture
def store_uploads(factory: sessionmaker[Session], tmp_path: Path) -> Uploads:
    return Uploads(tmp_path / "uploads", factory, limits=LIMITS)


def offers_in_store(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session:
        return dict(session.execute(select(Offer.external_id, Offer.title).order_by(Offer.external_id)).all())


def without_audit(engine: Engine) -> dict[str, Any]:
    rows = snapshot(engine)
    rows.pop("audit_events")
    return rows


def test_import_then_the_same_file_again_changes_nothing(
    store_uploads: Uploads, factory: sessionmaker[Session]
) -> None:
    first = store_uploads.receive(GOOD_CSV.encode(), "offers.csv", actor="olga")
    assert first.report.diff == {"offers": TableDiff(added=2)} and first.report.changes == 2
    result = import_upload(store_uploads, first.id, actor="olga")
    assert (result.changes, result.sources[0]["tables"]) == (2, {"offers": {"added": 2, "changed": 0, "removed": 0}})
    assert offers_in_store(factory) == {"h1": "焊工学徒", "t1": "Welding course"}
    kept = store_uploads.get(first.id)
    assert (kept.status, kept.imported_by, kept.imported) == ("imported", "olga", result.to_dict())

    again = store_uploads.receive(GOOD_CSV.encode(), "offers.csv", actor="olga")
    assert again.status == "validated" and again.report.changes == 0 and again.report.sources[0].unchanged
    assert import_upload(store_uploads, again.id, actor="olga").changes == 0

    changed = store_uploads.receive(CHANGED_CSV.encode(), "offers.csv", actor="olga")
    assert changed.report.diff == {"offers": TableDiff(added=1, changed=1, removed=1)}
    assert import_upload(store_uploads, changed.id, actor="olga").changes == 3
    assert offers_in_store(factory) == {"n1": "新课程", "t1": "Welding course"}
    assert [a for a in audit_actions(factory, "upload") if a[1] == "upload.import"] == [
        ("olga", "upload.import", first.id), ("olga", "upload.import", again.id), ("olga", "upload.import", changed.id)]


def test_rejected_upload_is_refused_with_its_report(
    store_uploads: Uploads, factory: sessionmaker[Session], engine: Engine
) -> None:
    bad = store_uploads.receive((GOOD_CSV + "x1,internship,t,p,,\nx2,training,,p,,\n").encode(), "offers.csv")
    before = snapshot(engine)
    with pytest.raises(UploadRejectedError) as err:
        import_upload(store_uploads, bad.id, actor="olga")
    assert str(err.value) == (
        f"upload {bad.id}: cannot be imported: offers.csv:4: field 'kind': 'internship' is not one of: "
        "apprenticeship, training (and 1 more problem(s))")
    assert err.value.report.messages() == bad.report.messages()
    assert snapshot(engine) == before and offers_in_store(factory) == {}


def test_a_failure_mid_import_leaves_the_store_as_it_was(
    store_uploads: Uploads, factory: sessionmaker[Session], engine: Engine, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # An ESCO export is two sources: the first is written, then the second fails.
    upload = store_uploads.receive(zip_folder(make_export(tmp_path / "src")), "esco-v9.9.zip")
    assert [s.name for s in upload.report.sources] == ["isco08", "esco"]
    calls = []

    def failing_sync(session: Session, bundle: Any, **kw: Any) -> Any:
        calls.append(bundle.name)
        report = sync_source(session, bundle, **kw)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return report

    monkeypatch.setattr(imports, "sync_source", failing_sync)
    before = without_audit(engine)
    with pytest.raises(RuntimeError, match="disk full"):
        import_upload(store_uploads, upload.id, actor="olga")
    assert calls == ["isco08", "esco"]
    assert without_audit(engine) == before
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Source)) == 0
    assert store_uploads.get(upload.id).status == "validated"  # can be tried again
    assert audit_actions(factory, "upload")[-1] == ("olga", "upload.import.failed", upload.id)

    monkeypatch.setattr(imports, "sync_source", sync_source)
    assert import_upload(store_uploads, upload.id, actor="olga").changes > 0


def test_files_changed_on_disk_since_validation_are_refused(store_uploads: Uploads, engine: Engine) -> None:
    upload = store_uploads.receive(GOOD_CSV.encode(), "offers.csv")
    store_uploads.content_path(upload).write_text(GOOD_CSV + "x1,job,t,p,,\n", encoding="utf-8")
    before = snapshot(engine)
    with pytest.raises(UploadRejectedError, match="offers.csv:4: field 'kind': 'job' is not one of"):
        import_upload(store_uploads, upload.id, actor="olga")
    assert snapshot(engine) == before
    assert store_uploads.get(upload.id).status == "rejected"


def test_a_concept_taken_by_another_source_since_validation_is_refused(
    store_uploads: Uploads, factory: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    upload = store_uploads.receive(zip_folder(make_export(tmp_path / "src")), "esco-v9.9.zip")
    assert upload.status == "validated"
    with factory.begin() as session:
        sync_source(session, SourceBundle(
            name="mine", kind="taxonomy", version="1", checksum="c", location="mem",
            occupations=[OccupationRecord(scheme="esco", key=OCC + "w1", uri=OCC + "w1", title="welder")],
        ))
    before = without_audit(engine)
    with pytest.raises(UploadRejectedError) as err:
        import_upload(store_uploads, upload.id, actor="olga")
    # The source id is not asserted: PostgreSQL does not roll back sequences, so validation's dry run used some.
    assert re.fullmatch(f"upload {upload.id}: cannot be imported: esco-v9.9.zip: occupation esco:{OCC}w1 is "
                        r"already provided by another source \(source id \d+\); remove that source first",
                        str(err.value))
    assert without_audit(engine) == before
    assert store_uploads.get(upload.id).status == "validated"
    assert audit_actions(factory, "upload")[-1] == ("olga", "upload.import.failed", upload.id)
