"""Requirements from ESCO essential skills, CSCO tasks or inference, assessed against a profile."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.retrieval.catalog import Catalog, OccupationInfo, Task
from assistant.guidance.gaps import COVERED, MAX_REQUIREMENTS, Assessment, Requirement, assess, requirements
from assistant.understanding.profile import Experience, Profile, SkillClaim

ESCO_SOURCE = {"name": "esco", "version": "1.2", "url": "https://esco.ec.europa.eu"}
CSCO_SOURCE = {"name": "csco2022", "version": "2022", "url": None}
WELD = "http://data.europa.eu/esco/skill/weld"
DRAW = "http://data.europa.eu/esco/skill/draw"
UNKNOWN = "http://data.europa.eu/esco/skill/unknown"


def _info(scheme: str, code: str | None, uri: str | None, *, essential: tuple[str, ...] = (),
          tasks: tuple[str, ...] = ()) -> OccupationInfo:
    return OccupationInfo(scheme, code, uri, f"title of {code or uri}", "zh" if scheme == "csco2022" else "en", "",
                          tasks, (), None, essential, (), CSCO_SOURCE if scheme == "csco2022" else ESCO_SOURCE)


WELDER = _info("esco", None, "http://data.europa.eu/esco/occupation/welder", essential=(WELD, DRAW, UNKNOWN))
BOTH = _info("esco", None, "http://data.europa.eu/esco/occupation/both", essential=(DRAW,))
MANY = _info("esco", None, "http://data.europa.eu/esco/occupation/many",
             essential=tuple(f"http://data.europa.eu/esco/skill/s{n:02d}" for n in range(20)))
CSCO_WELDER = _info("csco2022", "6-18-02-04", None, tasks=("识读焊接图纸", "", "使用电焊设备进行焊接"))
CSCO_MANY = _info("csco2022", "6-99-99-99", None)
BARE = _info("esco", None, "http://data.europa.eu/esco/occupation/bare")


def _catalog() -> Catalog:
    skills = {WELD: ("weld metal parts", ("transversal",), ESCO_SOURCE),
              DRAW: ("read technical drawings", (), ESCO_SOURCE)}
    tasks = {CSCO_WELDER.key: [Task(CSCO_WELDER.key, 1, "识读焊接图纸"), Task(CSCO_WELDER.key, 3, "使用电焊设备进行焊接")],
             CSCO_MANY.key: [Task(CSCO_MANY.key, n, f"任务{n}") for n in range(1, 21)],
             BOTH.key: [Task(BOTH.key, 1, "不该用到的任务")]}
    infos = [WELDER, BOTH, MANY, CSCO_WELDER, CSCO_MANY, BARE]
    return Catalog("hash", {i.key: i for i in infos}, skills, tasks, [])


def _inferred(info: OccupationInfo) -> list[Requirement]:
    return [Requirement(f"esco:{info.uri}/inferred", "inferred skill", "esco-inferred", info.uri, None)]


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        pytest.param(WELDER, [
            Requirement(f"esco:{WELD}", "weld metal parts", "esco-essential", WELD, None, ("transversal",)),
            Requirement(f"esco:{DRAW}", "read technical drawings", "esco-essential", DRAW, None, ()),
            Requirement(f"esco:{UNKNOWN}", UNKNOWN, "esco-essential", UNKNOWN, None, ()),
        ], id="esco-essential-unknown-uri-labelled-by-uri"),
        pytest.param(BOTH, [
            Requirement(f"esco:{DRAW}", "read technical drawings", "esco-essential", DRAW, None, ()),
        ], id="essential-before-tasks"),
        pytest.param(CSCO_WELDER, [
            Requirement("csco2022:6-18-02-04#task1", "识读焊接图纸", "csco-task", None, "6-18-02-04#task1"),
            Requirement("csco2022:6-18-02-04#task3", "使用电焊设备进行焊接", "csco-task", None, "6-18-02-04#task3"),
        ], id="csco-tasks-keep-ordinals"),
        pytest.param(BARE, [
            Requirement("esco:http://data.europa.eu/esco/occupation/bare/inferred", "inferred skill", "esco-inferred",
                        "http://data.europa.eu/esco/occupation/bare", None),
        ], id="inferred"),
    ],
)
def test_requirements(info: OccupationInfo, expected: list[Requirement]) -> None:
    assert requirements(_catalog(), info, _inferred) == expected


@pytest.mark.parametrize("infer", [pytest.param(None, id="no-infer"), pytest.param(lambda info: [], id="infer-empty")])
def test_requirements_none(infer: Callable[[OccupationInfo], list[Requirement]] | None) -> None:
    assert requirements(_catalog(), BARE, infer) == []


def test_infer_is_not_asked_when_the_store_has_requirements() -> None:
    def fail(info: OccupationInfo) -> list[Requirement]:
        raise AssertionError(f"infer called for {info.key}")

    assert len(requirements(_catalog(), WELDER, fail)) == 3
    assert len(requirements(_catalog(), CSCO_WELDER, fail)) == 2


@pytest.mark.parametrize(
    ("info", "first", "last"),
    [
        pytest.param(MANY, "esco:http://data.europa.eu/esco/skill/s00", "esco:http://data.europa.eu/esco/skill/s11",
                     id="esco"),
        pytest.param(CSCO_MANY, "csco2022:6-99-99-99#task1", "csco2022:6-99-99-99#task12", id="csco"),
    ],
)
def test_requirements_are_capped(info: OccupationInfo, first: str, last: str) -> None:
    out = requirements(_catalog(), info)
    assert MAX_REQUIREMENTS == 12
    assert len(out) == MAX_REQUIREMENTS
    assert (out[0].id, out[-1].id) == (first, last)


def _req(label: str, req_id: str = "csco2022:6-18-02-04#task1", tags: tuple[str, ...] = ()) -> Requirement:
    return Requirement(req_id, label, "csco-task", None, req_id.split(":", 1)[1], tags)


def _claim(claim_id: str, evidence: str, confidence: float, label: str = "焊接") -> SkillClaim:
    return SkillClaim(claim_id, label, "csco2022", None, claim_id.split(":", 1)[1], evidence, confidence)


@pytest.mark.parametrize(
    ("profile", "label", "covered", "score", "evidence"),
    [
        pytest.param(Profile(skills=[_claim("csco2022:6-18-02-04#task1", "会看图纸", 0.82)]), "识读焊接图纸",
                     True, 0.82, "会看图纸", id="claim-with-same-id"),
        pytest.param(Profile(skills=[_claim("csco2022:6-18-02-04#task1", "我说过", 0.3, label="无关")]), "设备维护",
                     True, 0.3, "我说过", id="claim-wins-without-overlap"),
        pytest.param(Profile(experience=[Experience("电焊")]), "使用电焊设备进行焊接", True, 1.0, "电焊",
                     id="experience-words"),
        pytest.param(Profile(experience=[Experience("看图纸")]), "识读焊接图纸", True, 0.5, "看图纸",
                     id="exactly-covered"),
        pytest.param(Profile(experience=[Experience("质量检验")]), "产品检验", False, 1 / 3, None,
                     id="below-covered"),
        pytest.param(Profile(experience=[Experience("看图纸")]), "设备维护", False, 0.0, None, id="no-overlap"),
        pytest.param(Profile(), "设备维护", False, 0.0, None, id="empty-profile"),
        pytest.param(Profile(language="en", skills=[_claim("esco:other", "I can read drawings", 0.6, "other")]),
                     "read technical drawings", True, 1.0, "I can read drawings", id="en-skill-evidence"),
        pytest.param(Profile(experience=[Experience("质量检验"), Experience("看图纸"), Experience("识读图纸")]),
                     "识读焊接图纸", True, 2 / 3, "识读图纸", id="best-evidence-wins"),
    ],
)
def test_assess(profile: Profile, label: str, covered: bool, score: float, evidence: str | None) -> None:
    (a,) = assess([_req(label)], profile)
    assert (a.covered, a.evidence) == (covered, evidence)
    assert a.score == pytest.approx(score)
    assert a.requirement == _req(label)
    assert COVERED == 0.5


def test_assess_keeps_requirement_order() -> None:
    reqs = [_req("设备维护", "csco2022:x#task1"), _req("识读焊接图纸", "csco2022:x#task2"),
            _req("使用电焊设备进行焊接", "csco2022:x#task3")]
    out = assess(reqs, Profile(experience=[Experience("电焊"), Experience("看图纸")]))
    assert [(a.requirement.id, a.covered, a.evidence) for a in out] == [
        ("csco2022:x#task1", False, None), ("csco2022:x#task2", True, "看图纸"), ("csco2022:x#task3", True, "电焊")]
    assert assess([], Profile(experience=[Experience("电焊")])) == []


@pytest.mark.parametrize(
    ("assessment", "expected"),
    [
        pytest.param(Assessment(_req("识读焊接图纸"), True, 0.66666, "看图纸"),
                     {"id": "csco2022:6-18-02-04#task1", "label": "识读焊接图纸", "basis": "csco-task", "uri": None,
                      "code": "6-18-02-04#task1", "evidence": "看图纸", "score": 0.667}, id="covered"),
        pytest.param(Assessment(_req("设备维护"), False, 0.25, None),
                     {"id": "csco2022:6-18-02-04#task1", "label": "设备维护", "basis": "csco-task", "uri": None,
                      "code": "6-18-02-04#task1"}, id="missing-has-no-evidence-or-score"),
        pytest.param(Assessment(Requirement(f"esco:{WELD}", "weld metal parts", "esco-essential", WELD, None,
                                            ("transversal",)), False, 0.0, None),
                     {"id": f"esco:{WELD}", "label": "weld metal parts", "basis": "esco-essential", "uri": WELD,
                      "code": None, "tags": ["transversal"]}, id="tags"),
    ],
)
def test_to_dict(assessment: Assessment, expected: dict[str, object]) -> None:
    assert assessment.to_dict() == expected
