"""Skills propose occupations: ESCO relations weighted by how telling a skill is, CSCO task lines by shared words."""

from __future__ import annotations

import pytest

from assistant.retrieval.catalog import Catalog, OccupationInfo, Task
from assistant.understanding.profile import SkillClaim
from assistant.guidance.skill_occupations import SkillOccupations, normalised, strongest

SRC = {"name": "esco", "version": "1.1.1", "url": None}
CSCO = {"name": "csco2022", "version": "2022", "url": None}
S = "http://data.europa.eu/esco/skill/"


def _esco(name: str, essential: tuple[str, ...], optional: tuple[str, ...] = ()) -> OccupationInfo:
    return OccupationInfo("esco", None, f"http://data.europa.eu/esco/occupation/{name}", name, "en", "", (), (), None,
                          tuple(S + e for e in essential), tuple(S + o for o in optional), SRC)


def _csco(code: str, title: str, tasks: tuple[str, ...]) -> OccupationInfo:
    return OccupationInfo("csco2022", code, None, title, "zh", "", tasks, (), None, (), (), CSCO)


OCCUPATIONS = [
    _esco("forklift-operator", ("forklift", "team", "load")),
    _esco("warehouse-manager", ("team", "plan-storage", "budget")),
    _esco("shop-manager", ("team", "budget", "sell")),
    _esco("office-manager", ("team", "budget", "schedule")),
    _esco("crane-operator", ("crane", "load"), optional=("forklift",)),
    _csco("6-18-02-04", "焊工", ("识读焊接图纸", "设定焊接参数，操作焊接设备", "检验焊缝质量")),
    _csco("6-20-03-02", "焊接设备装配调试工", ("装配焊接设备", "调试焊接设备，设定焊接参数")),
    _csco("6-23-01-01", "汽车维修工", ("使用故障诊断仪检测汽车故障", "更换汽车零部件")),
    _csco("2-05-07-05", "超声科医师", ("运用超声诊断仪进行诊断", "出具超声诊断报告")),
]


def catalog() -> Catalog:
    tasks = {o.key: [Task(o.key, n, t) for n, t in enumerate(o.tasks, 1)] for o in OCCUPATIONS if o.tasks}
    skills = {S + s: (s, (), SRC) for s in ("forklift", "team", "load", "crane", "budget", "sell", "schedule",
                                             "plan-storage")}
    return Catalog("h1", {o.key: o for o in OCCUPATIONS}, skills, tasks, [])


@pytest.fixture(scope="module", autouse=True)
def _jieba_loaded() -> None:
    """The first Chinese tokenisation loads jieba's dictionary (seconds): once, before the tests are timed."""
    SkillOccupations(catalog())


def esco_claim(skill: str, confidence: float = 1.0) -> SkillClaim:
    return SkillClaim(f"esco:{S}{skill}", skill, "esco", S + skill, None, skill, confidence, True, "form")


def words_claim(words: str) -> SkillClaim:
    return SkillClaim(f"text:{words}", words, None, None, None, words, 0.6, False, "said")


def ranked(claims: list[SkillClaim]) -> list[str]:
    support = SkillOccupations(catalog()).support(claims)
    return [s.occupation.rsplit("/", 1)[-1].split(":")[-1] for s in strongest(support, 10)]


@pytest.mark.parametrize(
    ("claims", "first"),
    [
        # A rare skill says more than a common one: forklift + team is the forklift operator, not a manager.
        ([esco_claim("forklift"), esco_claim("team")], "forklift-operator"),
        # Essential counts above optional: the crane operator lists forklift only as optional.
        ([esco_claim("forklift"), esco_claim("load")], "forklift-operator"),
        ([esco_claim("crane"), esco_claim("load")], "crane-operator"),
        ([esco_claim("budget"), esco_claim("sell")], "shop-manager"),
        # Chinese words reach every occupation whose task lines share them, ranked by how much they share.
        ([words_claim("焊接参数"), words_claim("焊缝质量")], "6-18-02-04"),
        ([words_claim("装配焊接设备")], "6-20-03-02"),
        ([words_claim("会用故障诊断仪"), words_claim("更换零部件")], "6-23-01-01"),
    ],
)
def test_the_best_supported_occupation_comes_first(claims: list[SkillClaim], first: str) -> None:
    assert ranked(claims)[0] == first


def test_a_chinese_skill_reaches_every_occupation_whose_tasks_name_it() -> None:
    got = ranked([words_claim("设定焊接参数")])
    assert set(got[:2]) == {"6-18-02-04", "6-20-03-02"}  # not only the occupation the anchoring picked


def test_a_common_skill_alone_spreads_thin() -> None:
    support = SkillOccupations(catalog()).support([esco_claim("team")])
    rare = SkillOccupations(catalog()).support([esco_claim("forklift")])
    assert len(support) == 4 and max(s.score for s in support.values()) < max(s.score for s in rare.values())


def test_support_names_the_persons_words_and_what_they_meet() -> None:
    support = SkillOccupations(catalog()).support([words_claim("焊接参数")])
    welder = support["csco2022:6-18-02-04"]
    assert welder.matched == [("焊接参数", "设定焊接参数，操作焊接设备")]


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ([], {}),
        ([words_claim("")], {}),
        ([words_claim("完全无关的话")], {}),
        ([SkillClaim("esco:x", "x", "esco", S + "unlisted", None, "unlisted", 1.0)], {}),  # no relation, no task words
    ],
)
def test_nothing_to_go_on_proposes_nothing(claims: list[SkillClaim], expected: dict[str, float]) -> None:
    assert SkillOccupations(catalog()).support(claims) == expected


def test_normalised_scores_are_relative_to_the_best() -> None:
    assert normalised({"a": 2.0, "b": 1.0}) == {"a": 1.0, "b": 0.5}
    assert normalised({}) == {}


def test_nearby_esco_occupations_share_the_most_telling_skills() -> None:
    index = SkillOccupations(catalog())
    near = index.nearby("esco:http://data.europa.eu/esco/occupation/forklift-operator")
    assert [n.occupation.rsplit("/", 1)[-1] for n in near][:1] == ["crane-operator"]  # forklift and load, both rare
    crane = near[0]
    assert crane.shared == ("load",) and crane.extra == ("crane",)  # what it asks in addition, most telling first
    assert 0 < crane.score <= 1


def test_nearby_csco_occupations_share_task_lines() -> None:
    index = SkillOccupations(catalog())
    near = index.nearby("csco2022:6-18-02-04")
    assert [n.occupation for n in near] == ["csco2022:6-20-03-02"]
    assert near[0].shared == ("设定焊接参数，操作焊接设备",) and near[0].extra == ("装配焊接设备",)


def test_nearby_of_an_unknown_or_bare_occupation_is_empty() -> None:
    index = SkillOccupations(catalog())
    assert index.nearby("csco2022:9-99-99-99") == []
