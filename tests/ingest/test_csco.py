"""CSCO 2022 importer: titles, markers, tasks, hierarchy, and malformed input."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.ingest.csco import parent_of, parse_csco, split_tasks, split_title

HEADER = "level,code,code_num,name,definition,tasks,csco_code_num,alias\n"


@pytest.mark.parametrize(
    ("name", "title", "tags"),
    [
        ("焊工", "焊工", ()),
        ("计算机软件工程技术人员S", "计算机软件工程技术人员", ("digital",)),
        ("水工环地质工程技术人员L", "水工环地质工程技术人员", ("green",)),
        ("大地测量工程技术人员L/S", "大地测量工程技术人员", ("digital", "green")),
        ("植物保护技术人员 L", "植物保护技术人员", ("green",)),
        ("SaaS运维员", "SaaS运维员", ()),
    ],
)
def test_split_title_strips_marker_into_tags(name: str, title: str, tags: tuple[str, ...]) -> None:
    assert split_title(name) == (title, tags)


@pytest.mark.parametrize(
    ("text", "tasks"),
    [
        ("1.进行皮肤清洁 2.设计发型。", ("进行皮肤清洁", "设计发型")),
        ("1.调整2.5米设备；2.记录数据", ("调整2.5米设备", "记录数据")),
        ("", ()),
    ],
)
def test_split_tasks(text: str, tasks: tuple[str, ...]) -> None:
    assert split_tasks(text) == tasks


@pytest.mark.parametrize(
    ("code", "known", "parent"),
    [
        ("6-18-02-04", {"6-18-02-00", "6-18-00-00", "6-00-00-00"}, "6-18-02-00"),
        ("1-01-00-01", {"1-01-00-00", "1-00-00-00"}, "1-01-00-00"),
        ("1-02-01-00", {"1-02-01-00", "1-02-00-00"}, "1-02-00-00"),
        ("1-00-00-00", {"1-00-00-00"}, None),
    ],
)
def test_parent_is_nearest_existing_ancestor(code: str, known: set[str], parent: str | None) -> None:
    assert parent_of(code, known) == parent


def test_packaged_classification() -> None:
    bundle = parse_csco()
    kinds = Counter(o.kind for o in bundle.occupations)
    # 2,051 rows: 1,634 at level 4, of which two repeat a code verbatim; one group doubles as occupation.
    assert kinds == {"occupation": 1632, "group": 415}
    tags = Counter(t for o in bundle.occupations for t in o.tags)
    assert tags["digital"] >= 90 and tags["green"] >= 130
    welder = next(o for o in bundle.occupations if o.code == "6-18-02-04")
    assert welder.title == "焊工" and welder.parent_code == "6-18-02-00" and welder.language == "zh"
    assert welder.tasks and welder.description
    assert not any(o.title.endswith(("S", "L")) and o.tags for o in bundle.occupations)
    assert any("4-12-04-02" in n for n in bundle.notes)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("4,6-18-2-04,,焊工,定义,,,焊工\n", "2: field 'code': bad CSCO code '6-18-2-04' (expected d-dd-dd-dd)"),
        ("5,6-18-02-04,,焊工,定义,,,焊工\n", "2: field 'level': bad level '5' (expected 1-4)"),
        ("4,6-18-02-04,,,定义,,,\n", "2: field 'name': empty name"),
        (
            "4,6-18-02-04,,焊工,定义,,,\n4,6-18-02-04,,电工,定义,,,\n",
            "3: field 'code': code 6-18-02-04 names '电工' but line 2 names '焊工'",
        ),
    ],
)
def test_malformed_rows_are_refused(tmp_path: Path, rows: str, message: str) -> None:
    path = tmp_path / "csco.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(InputError) as err:
        parse_csco(path)
    assert str(err.value) == f"{path}:{message}"
