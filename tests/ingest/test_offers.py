"""Offers from CSV, JSON and JSONL: the schema, mappings for foreign catalogues, and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.ingest.offers import parse_offers
from tests.conftest import ROOT, shared_path

GOOD = {"id": "a1", "kind": "apprenticeship", "title": "焊工学徒", "provider": "示例企业", "city": "湖州"}


def _jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "job"}, "field 'kind': 'job' is not one of: apprenticeship, training"),
        ({"title": ""}, "field 'title': required field is empty"),
        ({"id": None}, "field 'id': required field is empty"),
        ({"mode": "boat"}, "field 'mode': 'boat' is not one of: online, in-person, blended"),
        ({"mode": "周末班"}, "field 'mode': '周末班' is not one of: online, in-person, blended"),
        ({"mode": 3}, "field 'mode': '3' is not one of: online, in-person, blended"),
        ({"cost": "cheap"}, "field 'cost': 'cheap' is not a number"),
        ({"cost": -5}, "field 'cost': must not be negative, got -5"),
        ({"duration_months": True}, "field 'duration_months': 'True' is not a number"),
        ({"paid": "maybe"}, "field 'paid': 'maybe' is not true/false"),
        ({"start_dates": ["2027-13-01"]}, "field 'start_dates': '2027-13-01' is not a date (YYYY-MM-DD)"),
        ({"start_dates": [{"d": 1}]}, "field 'start_dates': list items must be text"),
        ({"language": "fr"}, "field 'language': 'fr' is not one of: zh, en"),
    ],
)
def test_bad_field_names_file_line_and_field(tmp_path: Path, change: dict[str, object], message: str) -> None:
    path = _jsonl(tmp_path / "o.jsonl", [GOOD, {**GOOD, "id": "a2", **change}])
    with pytest.raises(InputError) as err:
        parse_offers(path)
    assert str(err.value) == f"{path}:2: {message}"


def test_missing_required_field(tmp_path: Path) -> None:
    rec = {k: v for k, v in GOOD.items() if k != "provider"}
    path = _jsonl(tmp_path / "o.jsonl", [rec])
    with pytest.raises(InputError, match=r"o.jsonl:1: field 'provider': required field is missing$"):
        parse_offers(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("o.jsonl", '{"id": "a"}\n{"id": \n', "o.jsonl:2: invalid JSON: Expecting value (column 8)"),
        ("o.jsonl", "[1, 2]\n", "o.jsonl:1: each line must be a JSON object"),
        ("o.json", '[\n {"id": "a", "kind": "training", "title": "t", "provider": "p"},\n {"id": "b",\n', "o.json:3: invalid JSON: Expecting property name enclosed in double quotes (at line 4, column 1)"),
        ("o.json", '{"items": []}', 'o.json:1: expected a JSON array of offers or {"offers": [...]}'),
        ("o.json", "[]", "o.json: no offers found"),
        ("o.csv", "id,kind,title,provider\nx,training,t\n", "o.csv:2: expected 4 fields, found 3"),
        ("o.csv", "id,kind,title\nx,training,t\n", "o.csv:1: missing column(s): provider"),  # one problem, not one a row
        ("o.xml", "<offers/>", "o.xml: unsupported offers format '.xml' (expected .csv, .json or .jsonl)"),
    ],
)
def test_malformed_files(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        parse_offers(path)
    assert str(err.value) == f"{tmp_path}/{message}"


def test_json_records_know_their_line(tmp_path: Path) -> None:
    path = tmp_path / "o.json"
    path.write_text(json.dumps({"offers": [GOOD, {**GOOD, "id": "b"}]}, ensure_ascii=False, indent=1), encoding="utf-8")
    bundle = parse_offers(path)
    assert [o.line for o in bundle.offers] == [3, 10]


def test_csv_lists_numbers_and_extras(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(
        "id,kind,title,provider,target_skills,cost,paid,duration_text,mentor\n"
        "c1,apprenticeship,数控车工学徒,示例,识图；数控编程|安全生产,0,是,12个月,一名企业导师带两名学徒\n",
        encoding="utf-8",
    )
    (offer,) = parse_offers(path).offers
    assert offer.target_skills == ("识图", "数控编程", "安全生产")
    assert (offer.cost, offer.paid, offer.duration_months, offer.language) == (0.0, True, 12.0, "zh")
    assert offer.extra == {"mentor": "一名企业导师带两名学徒"}


@pytest.mark.parametrize(
    ("given", "mode"),
    [
        ("online", "online"), ("in-person", "in-person"), ("blended", "blended"), ("In-Person", "in-person"),
        ("onsite", "in-person"), ("on-site", "in-person"), ("offline", "in-person"), ("face-to-face", "in-person"),
        ("线下", "in-person"), ("面授", "in-person"), ("Online", "online"), ("remote", "online"), ("线上", "online"),
        ("网络", "online"), ("在线", "online"), ("hybrid", "blended"), ("线上线下结合", "blended"),
        (" blended ", "blended"), ("", None),
    ],
)
def test_mode_values_and_their_synonyms(tmp_path: Path, given: str, mode: str | None) -> None:
    (offer,) = parse_offers(_jsonl(tmp_path / "o.jsonl", [{**GOOD, "mode": given}])).offers
    assert offer.mode == mode


def test_bad_mode_in_csv_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "offers.csv"
    path.write_text("id,kind,title,provider,mode\n"
                    "a,training,t,p,online\nb,training,t,p,onsite\nc,training,t,p,线上\nd,training,t,p,boat\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        parse_offers(path)
    assert str(err.value) == f"{path}:5: field 'mode': 'boat' is not one of: online, in-person, blended"
    assert str(err.value).endswith("offers.csv:5: field 'mode': 'boat' is not one of: online, in-person, blended")


def test_duplicates(tmp_path: Path) -> None:
    same = _jsonl(tmp_path / "same.jsonl", [GOOD, GOOD])
    bundle = parse_offers(same)
    assert len(bundle.offers) == 1 and bundle.notes == ["merged 1 repeated identical record(s)"]
    differ = _jsonl(tmp_path / "differ.jsonl", [GOOD, {**GOOD, "city": "宁波"}])
    with pytest.raises(InputError) as err:
        parse_offers(differ)
    assert str(err.value) == f"{differ}:2: field 'id': duplicate id 'a1' (first at line 1) with different content"


def test_coursera_catalogue_with_mapping() -> None:
    path = shared_path("data", "courses", "coursera-2023", "coursera_courses_2023.csv")
    bundle = parse_offers(path, mapping_path=ROOT / "docs" / "mappings" / "coursera-2023.json")
    assert bundle.name == "coursera-2023" and len(bundle.offers) > 1100
    first = bundle.offers[0]
    assert (first.kind, first.mode, first.provider, first.duration_months) == ("training", "online", "Google", 4.5)
    assert "SQL" in first.target_skills


def test_udemy_catalogue_refused_then_skipped() -> None:
    path = shared_path("data", "courses", "udemy", "udemy_courses.csv")
    mapping = ROOT / "docs" / "mappings" / "udemy.json"
    with pytest.raises(InputError) as err:
        parse_offers(path, mapping_path=mapping)
    assert str(err.value) == f"{path}:28: field 'title': required field is missing"
    bundle = parse_offers(path, mapping_path=mapping, skip_invalid=True)
    assert len(bundle.offers) == 3678 - 8 - 6
    assert bundle.notes[1].startswith("skipped 8 invalid record(s)")
    assert bundle.offers[0].duration_text == "1.5 hours" and bundle.offers[0].currency == "USD"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"feilds": {}}, "unknown mapping key(s): feilds"),
        ({"fields": {"titel": "x"}}, "field 'fields': mapping names unknown schema field(s): titel"),
    ],
)
def test_bad_mapping(tmp_path: Path, mapping: dict[str, object], message: str) -> None:
    mpath = tmp_path / "m.json"
    mpath.write_text(json.dumps(mapping), encoding="utf-8")
    data = _jsonl(tmp_path / "o.jsonl", [GOOD])
    with pytest.raises(InputError) as err:
        parse_offers(data, mapping_path=mpath)
    assert str(err.value) == f"{mpath}: {message}"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # The operator's case: a bad mode and an impossible date on one row, both named (the first hid the rest).
        ("a,training,Welding,Rizhao College,sometimes,2027-13-01,,",
         [("mode", "not_one_of", {"value": "sometimes", "choices": "online, in-person, blended"}),
          ("start_dates", "not_date", {"value": "2027-13-01"})]),
        ("a,internship,Welding,Rizhao College,online,2027-09-01,abc,maybe",
         [("kind", "not_one_of", {"value": "internship", "choices": "apprenticeship, training"}),
          ("cost", "not_number", {"value": "abc"}), ("paid", "not_bool", {"value": "maybe"})]),
        (",,Welding,,,2027-02-30,-1,",
         [("id", "required_empty", {}), ("kind", "required_empty", {}), ("provider", "required_empty", {}),
          ("cost", "negative", {"value": "-1"}), ("start_dates", "not_date", {"value": "2027-02-30"})]),
    ],
)
def test_every_bad_value_of_a_row_is_listed_with_its_code(tmp_path: Path, row: str,
                                                          expected: list[tuple[str, str, dict[str, str]]]) -> None:
    from assistant.ingest.offers import offer_errors

    path = tmp_path / "o.csv"
    path.write_text("id,kind,title,provider,mode,start_dates,cost,paid\n" + row + "\n", encoding="utf-8")
    errors = offer_errors(path)
    assert [(e.field, e.code, e.params) for e in errors] == expected  # type: ignore[attr-defined]
    assert {e.line for e in errors} == {2}
    with pytest.raises(InputError) as first:  # the command line still stops at the first, as before
        parse_offers(path)
    assert (first.value.line, first.value.field) == (2, expected[0][0])
