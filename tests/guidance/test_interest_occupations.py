"""Occupations from interests: the team's Holland table parses and names real groups, Iachan's M index, and picks
for R-, A- and S-leaning people from the bundled knowledge base (school leavers kept off degree routes)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

import pytest

from assistant.guidance.interest_occupations import (InterestMatch, agreement, group_for, holland_code,
                                                     occupations_for, rows)
from assistant.ingest.csco import packaged_csv
from assistant.retrieval.catalog import Catalog, OccupationInfo, load_catalog
from assistant.store.db import make_engine, make_sessionmaker
from assistant.understanding.interests import InterestProfile, Riasec, likes_in
from tests.conftest import IndexedHome, shared_path

SRC = {"name": "x", "version": "1", "url": None}


@pytest.fixture(scope="module")
def catalog(indexed_home: IndexedHome) -> Iterator[Catalog]:
    """The bundled defaults (CSCO 2022, light ESCO) as matching reads them."""
    engine = make_engine(indexed_home.settings.database_url)
    with make_sessionmaker(engine)() as session:
        yield load_catalog(session)
    engine.dispose()


def quiz(**answers: int) -> InterestProfile:
    """A profile from quiz answers by item id; the first-round items not named were answered 还行 (2)."""
    return InterestProfile.from_answers({"r1": 2, "s1": 2, "a1": 2, "c1": 2, "i1": 2, "e1": 2, **answers})


def codes(matches: list[InterestMatch]) -> list[str]:
    return [m.occupation.split(":", 1)[1] for m in matches]


def test_every_row_parses_and_names_a_real_group() -> None:
    with open(packaged_csv(), encoding="utf-8") as f:
        known = {row["code"] for row in csv.DictReader(f)}
    seen = set()
    for row in rows():
        assert (row.scheme, row.prefix) not in seen, row
        seen.add((row.scheme, row.prefix))
        assert row.code == "" or (len(row.code) == 3 and len(set(row.code)) == 3 and set(row.code) <= set("RIASEC"))
        if row.scheme == "csco":
            assert re.fullmatch(r"\d-(?:\d{2}-){0,2}|\d-\d{2}-\d{2}-\d{2}", row.prefix), row
            assert any(code.startswith(row.prefix) for code in known), row  # a group that exists in CSCO 2022
        else:
            assert re.fullmatch(r"\d{1,4}", row.prefix), row
    assert 60 <= sum(r.scheme == "csco" for r in rows()) <= 130 and sum(r.scheme == "isco" for r in rows()) >= 40


def test_isco_prefixes_are_isco_08_groups() -> None:
    with open(shared_path("data", "isco-08", "ISCO-08_EN_Structure_and_definitions.tsv"), encoding="utf-8") as f:
        groups = {row["ISCO 08 Code"].strip() for row in csv.DictReader(f, delimiter="\t")}
    assert [r.prefix for r in rows() if r.scheme == "isco" and r.prefix not in groups] == []


def _csco(code: str, title: str = "t") -> OccupationInfo:
    return OccupationInfo("csco2022", code, None, title, "zh", "", (), (), None, (), (), SRC)


def _esco(isco: str, title: str = "t") -> OccupationInfo:
    return OccupationInfo("esco", None, f"http://data.europa.eu/esco/occupation/{title}", title, "en", "", (), (),
                          isco, (), (), SRC)


@pytest.mark.parametrize(
    ("info", "code"),
    [
        (_csco("6-18-02-04"), "RCI"),  # 焊工: production, machining
        (_csco("4-03-02-01"), "REA"),  # 中式烹调师
        (_csco("4-10-01-05"), "SRC"),  # 家政服务员
        (_csco("4-08-08-07"), "AER"),  # 室内装饰设计师
        (_csco("4-10-03-04"), "SRC"),  # a unit row wins over its group (浴池服务员 in 美容美发和浴池服务人员)
        (_csco("1-06-01-00"), "ECR"),
        (_csco("7-01-00-00"), ""),  # armed forces: not proposed from interests
        (_esco("7212"), "RCI"),  # welders
        (_esco("2166"), "AER"),  # graphic designers
        (_esco("5321"), "SRC"),  # health care assistants
        (_esco("2512"), "ICR"),
        (OccupationInfo("esco", None, "u", "t", "en", "", (), (), None, (), (), SRC), ""),  # no ISCO code known
    ],
)
def test_the_most_specific_row_wins(info: OccupationInfo, code: str) -> None:
    assert holland_code(info) == code


@pytest.mark.parametrize(
    ("person", "occupation", "expected"),
    [
        ("RIC", "RIC", 1.0), ("R", "RCI", 1.0), ("R", "CRI", 10 / 22), ("RI", "IRC", 20 / 27), ("RIC", "SEA", 0.0),
        ("SAE", "ASE", (10 + 10 + 1) / 28), ("", "RIC", 0.0),
    ],
)
def test_iachan_m_index(person: str, occupation: str, expected: float) -> None:
    assert agreement(person, occupation) == pytest.approx(expected)


def test_most_occupations_of_the_bundled_store_have_a_code(catalog: Catalog) -> None:
    csco = [i for i in catalog.occupations.values() if i.scheme == "csco2022"]
    coded = [i for i in csco if holland_code(i)]
    assert len(coded) / len(csco) > 0.95
    assert all(group_for(i) is not None for i in csco)


def test_an_r_leaning_school_leaver_gets_production_and_repair(catalog: Catalog) -> None:
    profile = quiz(r1=3, r2=3, s1=1, e1=1)
    found = occupations_for(profile, catalog, k=20, age=17, education="junior-secondary")
    assert len(found) == 20 and all(m.code[0] == "R" and m.shared == (Riasec.R,) for m in found)
    assert not [c for c in codes(found) if c[0] in "12"]  # no managers, no professionals
    assert any(c.startswith("6-") for c in codes(found)) and any(c[:5] in ("4-12-", "6-31-") for c in codes(found))
    assert not [c for c in codes(found) if c.startswith("6-16-")]  # mining: the law keeps under-18s out
    assert len({c[:4] for c in codes(found)}) >= 15  # one occupation per family before a second
    assert not any(m.longer_route for m in found)
    assert "动手操作" in found[0].reason and "摆弄机器" in found[0].reason


def test_an_a_leaning_person_gets_design_and_craft(catalog: Catalog) -> None:
    found = occupations_for(quiz(a1=3, a2=3, i1=1), catalog, k=20, age=19)
    assert all(m.code[0] == "A" for m in found)
    assert any(c.startswith("4-08-08-") for c in codes(found))  # 专业化设计服务人员
    assert any(c.startswith("6-09-03-") for c in codes(found))  # 工艺美术品制造人员


def test_an_s_leaning_person_gets_care_and_service(catalog: Catalog) -> None:
    profile = InterestProfile()
    profile.add_likes(likes_in("我喜欢跟人打交道，也喜欢照顾老人，不喜欢坐办公室", "zh"))
    found = occupations_for(profile, catalog, k=20, age=38, education="junior-secondary")
    assert all(m.code[0] == "S" for m in found)
    assert any(c.startswith(("4-10-01-", "4-14-01-")) for c in codes(found))  # 生活照料 / 医疗辅助服务
    assert not [c for c in codes(found) if c[0] in "12" or c.startswith("3-01-01-")]  # no office clerks: disliked
    assert "（你说过：跟人打交道、照顾老人）" in found[0].reason


def test_degree_routes_come_later_for_someone_without_a_degree(catalog: Catalog) -> None:
    profile = quiz(i1=3, r1=1, s1=1)
    with_degree = codes(occupations_for(profile, catalog, k=10, education="bachelor"))
    without = occupations_for(profile, catalog, k=10, age=18, education="senior-secondary")
    assert any(c.startswith("2-") for c in with_degree)
    assert all(not m.longer_route for m in without[:5]) and not any(c.startswith("2-") for c in codes(without)[:5])


def test_limits_and_languages() -> None:
    small = {o.key: o for o in (_csco("6-18-02-04", "焊工"), _esco("7212", "welder"), _csco("4-04-05-03", "呼叫中心服务员"),
                                _esco("2166", "graphic designer"))}
    catalog = Catalog("h", small, {}, {}, [])
    welder = quiz(r1=3, r2=3)
    assert [m.title for m in occupations_for(welder, catalog, lang="zh")] == ["焊工", "welder"]
    found = occupations_for(welder, catalog, lang="en")
    assert [m.title for m in found] == ["welder", "焊工"]  # the conversation's language first
    assert found[0].reason == "Fits what you like: hands-on work (you said: fixing things and machines, " \
                              "working outdoors or in a workshop)"
    # Production work in China means shifts (traits.py); the ISCO group of welders does not say so.
    assert [m.title for m in occupations_for(welder, catalog, limits=["no-shifts"])] == ["welder"]
    assert occupations_for(InterestProfile(), catalog) == []  # nothing known: nothing proposed
    designer = occupations_for(quiz(a1=3), catalog, lang="en")
    assert [m.title for m in designer] == ["graphic designer"] and designer[0].longer_route
    assert designer[0].reason.endswith("a longer route")
