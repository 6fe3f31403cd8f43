"""Receiving uploads: kept safely, validated without touching the store, every problem named, listed by status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import NotFoundError
from assistant.ingest.records import OccupationRecord, SourceBundle
from assistant.ingest.sync import sync_source
from assistant.operations.imports import import_upload
from assistant.operations.report import TableDiff
from assistant.operations.safefiles import UploadError
from assistant.operations.uploads import MANIFEST, Uploads
from tests.helpers import snapshot
from tests.ingest.test_esco import OCC, make_export
from tests.operations.conftest import GOOD_CSV, LIMITS, audit_actions, zip_bytes, zip_folder

GOOD_JSON = json.dumps({"offers": [
    {"id": "a1", "kind": "apprenticeship", "title": "电工学徒", "provider": "大庆示例企业", "city": "大庆市"},
    {"id": "a2", "kind": "apprenticeship", "title": "焊工学徒", "provider": "日照示例企业", "paid": "是"},
]}, ensure_ascii=False, indent=1)
CSCO_CSV = (
    "level,code,code_num,name,definition,tasks,csco_code_num,alias\n"
    "4,6-18-02-04,,焊工,操作焊接设备的人员。,1.焊接结构件 2.检验焊缝,,电焊工\n"
)
POLICY_MD = "# 学徒制\n\n## 总则\n\n企业新型学徒制培养技能人才。学徒签订协议。\n\n## 补贴\n\n企业可申请培训补贴。\n"
ESCO_LITE = {
    "esco-lite/occupations.csv": f"id,description\n{OCC}w9,"
                                 "welder welding operative Welders join metal parts together.\n",
    "esco-lite/skills.csv": "id,description\nhttp://data.europa.eu/esco/skill/s9,"
                            "use welding equipment Operate welding equipment safely and well.\n",
}
KINDS = "csco, esco, esco-lite, offers, documents"


def esco_zip(tmp_path: Path) -> bytes:
    return zip_folder(make_export(tmp_path / "esco-src"))


# (file name, content, declared kind) -> (status, kind, {source name: counts}, problems)
CASES = {
    "offers CSV": (("offers.csv", GOOD_CSV, None),
                   ("validated", "offers", {"offers": {"apprenticeships": 1, "training": 1}}, [])),
    "offers CSV, two bad rows": (
        ("offers.csv", GOOD_CSV + "x1,internship,t,p,,\nx2,training,,p,,\n", None),
        ("rejected", "offers", {"offers": {"apprenticeships": 1, "training": 1}},
         ["offers.csv:4: field 'kind': 'internship' is not one of: apprenticeship, training",
          "offers.csv:5: field 'title': required field is empty"])),
    "offers CSV, short row": (("offers.csv", GOOD_CSV + "x1,training\n", None),
                              ("rejected", "offers", {}, ["offers.csv:4: expected 6 fields, found 2"])),
    "offers JSON": (("offers.json", GOOD_JSON, None),
                    ("validated", "offers", {"offers": {"apprenticeships": 2}}, [])),
    "offers JSON, malformed": (
        ("offers.json", '[\n {"id": "a", "kind": "training", "title": "t", "provider": "p"},\n {"id": "b",\n', None),
        ("rejected", "offers", {},
         ["offers.json:3: invalid JSON: Expecting property name enclosed in double quotes (at line 4, column 1)"])),
    "offers JSONL, every row bad": (
        ("o.jsonl", '{"id": "a", "kind": "job", "title": "t", "provider": "p"}\n{"id": "b"}\n', None),
        ("rejected", "offers", {},
         ["o.jsonl:1: field 'kind': 'job' is not one of: apprenticeship, training",
          "o.jsonl:2: field 'kind': required field is missing",
          "o.jsonl:2: field 'title': required field is missing",
          "o.jsonl:2: field 'provider': required field is missing"])),
    "offers CSV, several bad values on one row (each is named)": (
        ("o.csv", "id,kind,title,provider,mode,start_dates,cost,paid\n"
                  "a,training,Welding,Rizhao College,sometimes,2027-13-01,-5,maybe\n", None),
        ("rejected", "offers", {},
         ["o.csv:2: field 'cost': must not be negative, got -5",
          "o.csv:2: field 'mode': 'sometimes' is not one of: online, in-person, blended",
          "o.csv:2: field 'paid': 'maybe' is not true/false",
          "o.csv:2: field 'start_dates': '2027-13-01' is not a date (YYYY-MM-DD)"])),
    "hostile name": (("../../etc/offers.csv", GOOD_CSV, None),
                     ("validated", "offers", {"offers": {"apprenticeships": 1, "training": 1}}, [])),
    "CSCO CSV": (("csco22.csv", CSCO_CSV, None), ("validated", "csco", {"csco2022": {"occupations": 1}}, [])),
    "CSCO CSV, bad code": (
        ("csco22.csv", CSCO_CSV.replace("6-18-02-04", "6-18-2-04"), None),
        ("rejected", "csco", {}, ["csco22.csv:2: field 'code': bad CSCO code '6-18-2-04' (expected d-dd-dd-dd)"])),
    "Markdown document": (("apprenticeship.md", POLICY_MD, None),
                          ("validated", "documents", {"apprenticeship": {"documents": 1, "passages": 2}}, [])),
    "zip of documents": (("policies.zip", zip_bytes({"a.md": POLICY_MD, "sub/b.txt": "第一条 学徒。"}), None),
                         ("validated", "documents", {"policies": {"documents": 2, "passages": 3}}, [])),
    "zip of offer files": (("catalogue.zip", zip_bytes({"2027/huzhou.csv": GOOD_CSV, "2027/daqing.json": GOOD_JSON}),
                            None),
                           ("validated", "offers", {"daqing": {"apprenticeships": 2},
                                                    "huzhou": {"apprenticeships": 1, "training": 1}}, [])),
    "zip of offers, bad row named inside": (
        ("catalogue.zip", zip_bytes({"2027/huzhou.csv": GOOD_CSV + "x1,training,t,,,\n"}), None),
        ("rejected", "offers", {"huzhou": {"apprenticeships": 1, "training": 1}},
         ["2027/huzhou.csv:4: field 'provider': required field is empty"])),
    "ESCO light set zip": (("esco-lite.zip", zip_bytes(ESCO_LITE), None),
                           ("validated", "esco-lite", {"esco-lite": {"occupations": 1, "skills": 1}}, [])),
    "unknown content": (("notes.xml", "<notes/>", None),
                        ("rejected", None, {}, [f"notes.xml: cannot tell what this is; declare its kind ({KINDS})"])),
    "declared kind that does not fit": (
        ("notes.xml", "<notes/>", "offers"),
        ("rejected", "offers", {}, ["notes.xml: unsupported offers format '.xml' (expected .csv, .json or .jsonl)"])),
}


@pytest.mark.parametrize(("given", "expected"), CASES.values(), ids=CASES.keys())
def test_validation_reports_counts_and_every_problem_without_writing(
    uploads: Uploads, sqlite_factory: sessionmaker[Session], given: tuple[str, str | bytes, str | None],
    expected: tuple[str, str | None, dict[str, dict[str, int]], list[str]],
) -> None:
    filename, content, kind = given
    status, detected, counts, problems = expected
    engine = sqlite_factory.kw["bind"]
    before = snapshot(engine)
    data = content.encode() if isinstance(content, str) else content
    upload = uploads.receive(data, filename, kind=kind, actor="olga")
    report = upload.report
    assert (upload.status, report.kind, report.messages()) == (status, detected, problems)
    assert {s.name: s.counts for s in report.sources} == counts
    assert report.ok == (status == "validated") and report.diff_computed == report.ok
    if report.ok:  # an empty store: everything would be added
        assert all(d.changed == d.removed == 0 and d.added for s in report.sources for d in s.diff.values())
    after = snapshot(engine)
    assert after.pop("audit_events") != before.pop("audit_events")  # the upload itself is on the record
    assert after == before
    assert audit_actions(sqlite_factory, "upload") == [("olga", "upload.validate", upload.id)]
    # Kept with its report, under a safe name, inside its own folder.
    assert uploads.get(upload.id) == upload
    folder = uploads.root / upload.id
    assert uploads.content_path(upload).is_relative_to(folder / "files")
    assert (folder / MANIFEST).is_file() and upload.stored_as == Path(upload.stored_as).name


def test_esco_export_zip_previews_both_sources_and_names_the_version(uploads: Uploads, tmp_path: Path) -> None:
    upload = uploads.receive(esco_zip(tmp_path), "esco-v9.9.zip")
    report = upload.report
    assert upload.status == "validated", report.messages()
    assert [(s.name, s.version) for s in report.sources] == [("isco08", "ISCO-08 (ESCO v9.9)"), ("esco", "v9.9")]
    esco = report.sources[1]
    assert esco.counts == {"occupations": 2, "skills": 2, "relations": 2}
    assert esco.diff == {"occupations": TableDiff(added=2), "skills": TableDiff(added=2),
                         "relations": TableDiff(added=2)}


def test_preview_counts_what_a_superseded_source_takes_with_it(uploads: Uploads, tmp_path: Path) -> None:
    lite = uploads.receive(zip_bytes(ESCO_LITE), "esco-lite.zip")
    import_upload(uploads, lite.id, actor="olga")
    report = uploads.receive(esco_zip(tmp_path), "esco-v9.9.zip").report
    # The ISCO-08 groups are written first and take the light set with them (it carries groups of its own).
    isco, esco = report.sources
    assert (isco.replaces, esco.replaces) == (["esco-lite"], [])
    assert isco.diff["occupations"] == TableDiff(added=2, removed=1)
    assert isco.diff["skills"] == TableDiff(removed=1)
    assert esco.diff["occupations"] == TableDiff(added=2) and esco.diff["skills"] == TableDiff(added=2)


def test_a_concept_another_source_provides_is_a_problem(uploads: Uploads, tmp_path: Path) -> None:
    with uploads.sessions.begin() as session:
        sync_source(session, SourceBundle(
            name="mine", kind="taxonomy", version="1", checksum="c", location="mem",
            occupations=[OccupationRecord(scheme="esco", key=OCC + "w1", uri=OCC + "w1", title="welder")],
        ))
    upload = uploads.receive(esco_zip(tmp_path), "esco-v9.9.zip")
    assert upload.status == "rejected"
    assert upload.report.messages() == [
        f"esco-v9.9.zip: occupation esco:{OCC}w1 is already provided by another source (source id 1); "
        "remove that source first"]
    assert [s.name for s in upload.report.sources] == ["isco08", "esco"] and not upload.report.diff_computed


@pytest.mark.parametrize(
    ("filename", "data", "kind", "message"),
    [
        ("big.csv", b"x" * (LIMITS.max_bytes + 1), None,
         "big.csv: file is 65,537 bytes; the limit is 64.0 KiB (65,536 bytes)"),
        ("bigger.csv", b"x" * (LIMITS.max_bytes + 1024), None, "bigger.csv: file is 65.0 KiB; the limit is 64.0 KiB"),
        ("empty.csv", b"", None, "empty.csv: empty file"),
        ("o.csv", GOOD_CSV.encode(), "xml", f"o.csv: unknown kind 'xml' (expected one of: {KINDS})"),
        ("slip.zip", zip_bytes({"../../evil.md": "# x"}), None,
         "slip.zip: archive member '../../evil.md' points outside the archive (absolute path or '..')"),
        ("bomb.zip", zip_bytes({"zeros.md": b"0" * 200_000}), None,
         "bomb.zip: archive unpacks to 195.3 KiB; the limit is 128.0 KiB"),
    ],
)
def test_refused_uploads_leave_nothing_behind(
    uploads: Uploads, sqlite_factory: sessionmaker[Session], filename: str, data: bytes, kind: str | None,
    message: str,
) -> None:
    with pytest.raises(UploadError) as err:
        uploads.receive(data, filename, kind=kind)
    assert str(err.value) == message
    assert not uploads.root.exists() or list(uploads.root.iterdir()) == []
    assert audit_actions(sqlite_factory, "upload") == []


def test_listing_shows_each_upload_with_its_status_newest_first(uploads: Uploads) -> None:
    assert uploads.list() == []
    good = uploads.receive(GOOD_CSV.encode(), "a.csv")
    bad = uploads.receive(b"<x/>", "b.xml")
    assert [(u.id, u.stored_as, u.status) for u in uploads.list()] == [
        (bad.id, "b.xml", "rejected"), (good.id, "a.csv", "validated")]
    (uploads.root / "not-an-upload").mkdir()  # foreign folders are not uploads
    assert len(uploads.list()) == 2


@pytest.mark.parametrize("upload_id", ["nope", "../uploads", "", "20260101T000000000Z-abcdef"])
def test_unknown_upload(uploads: Uploads, upload_id: str) -> None:
    with pytest.raises(NotFoundError, match=f"^no upload '{upload_id}'$"):
        uploads.get(upload_id)


def test_report_round_trips_through_the_manifest(uploads: Uploads) -> None:
    upload = uploads.receive(GOOD_CSV.encode(), "offers.csv", name="huzhou-2027", version="2027-03")
    again = Uploads(uploads.root, uploads.sessions).get(upload.id)
    assert again == upload and again.report.to_dict() == upload.report.to_dict()
    assert [(s.name, s.version) for s in again.report.sources] == [("huzhou-2027", "2027-03")]

