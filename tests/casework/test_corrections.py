"""Correcting experience, goal and skill lines: the profile changes at once, and each correction is kept with who
and why, so the chat can apply it again on every turn."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts.audit import list_events
from assistant.casework.errors import CaseError
from assistant.casework.service import Casework
from assistant.guidance.corrections import LineCorrection, read_corrections
from assistant.understanding.profile import Experience, OccupationRef, Profile
from tests.casework.seed import PROFILE

WELDER_GOAL = "occupation:csco2022:6-20-03-02"
CARER = OccupationRef("csco2022", "4-10-01-05", None, "养老护理员")


def occupation_anchor(text: str, lang: str) -> OccupationRef | None:
    """Stands in for ProfileExtractor.occupation: one known title."""
    return CARER if text == "养老护理员" else None


@pytest.fixture
def cw(service: Casework, seed: Callable[..., str]) -> Casework:
    profile = {**PROFILE, "goals": {"occupations": [{"scheme": "csco2022", "code": "6-20-03-02", "uri": None,
                                                       "title": "焊接设备装配调试工"}], "text": ["离家近"]}}
    seed("c1", profile=profile)
    service.occupation = occupation_anchor
    return service


def profile(cw: Casework) -> Profile:
    return Profile.from_dict(cw.detail("c1").profile)


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        (lambda cw: cw.edit_line("c1", "goal", WELDER_GOAL, "养老护理员", "他想离家近", actor="ada"),
         lambda p: (p.goals.occupations, p.goals.text) == ([CARER], ["离家近"])),
        (lambda cw: cw.edit_line("c1", "goal", "text:离家近", "  在家附近  ", actor="ada"),
         lambda p: p.goals.text == ["在家附近"]),
        (lambda cw: cw.remove_line("c1", "goal", WELDER_GOAL, "不是他的目标", actor="ada"),
         lambda p: p.goals.occupations == []),
        (lambda cw: cw.edit_line("c1", "experience", "电焊", "养老护理员", actor="ada"),
         lambda p: [(e.what, e.occupation, e.years) for e in p.experience] == [("养老护理员", CARER, 3.0)]),
        (lambda cw: cw.remove_line("c1", "experience", "电焊", actor="ada"), lambda p: p.experience == []),
    ],
)
def test_a_line_is_corrected_at_once(cw: Casework, change: Callable[[Casework], None],
                                     expect: Callable[[Profile], bool]) -> None:
    change(cw)
    assert expect(profile(cw)), profile(cw)


def test_each_correction_is_kept_with_who_and_why(cw: Casework, factory: sessionmaker[Session]) -> None:
    cw.edit_line("c1", "goal", WELDER_GOAL, "养老护理员", "他想离家近", actor="ada")
    cw.remove_skill("c1", "csco2022:6-21-06-02#task3", "他不会看图", actor="bo")
    cw.edit_skill("c1", "csco2022:6-20-03-02#task1", "焊接", actor="ada")
    views = cw.detail("c1").corrections  # newest first
    assert [(v.field, v.old, v.new, v.note, v.by.username) for v in views] == [
        ("skill", "csco2022:6-20-03-02#task1", "weld metal", "", "ada"),
        ("skill", "csco2022:6-21-06-02#task3", "", "他不会看图", "bo"),
        ("goal", "6-20-03-02", "养老护理员", "他想离家近", "ada")]
    with factory() as s:
        found = read_corrections(s, "c1")
        assert found.lines[0] == LineCorrection("goal", WELDER_GOAL, CARER) and found.version
        events = [(e.actor, e.action) for e in reversed(list_events(s, action="case.*"))]
    assert events == [("ada", "case.goal.edit"), ("bo", "case.skill.remove"), ("ada", "case.skill.edit")]


def test_a_confirmation_is_not_a_correction(cw: Casework) -> None:
    cw.confirm_skill("c1", "csco2022:6-20-03-02#task1", actor="ada")
    assert cw.detail("c1").corrections == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda cw: cw.edit_line("c1", "goal", "occupation:csco2022:9-99", "电工", actor="ada"),
         "no goal 'occupation:csco2022:9-99' in this profile (the job seeker may have changed it)"),
        (lambda cw: cw.remove_line("c1", "experience", "开车", actor="ada"),
         "no experience '开车' in this profile (the job seeker may have changed it)"),
        (lambda cw: cw.edit_line("c1", "experience", "电焊", "   ", actor="ada"), "write what the line should say"),
        (lambda cw: cw.edit_line("c1", "experience", "电焊", "字" * 201, actor="ada"),
         "the line is 201 characters; the limit is 200"),
        (lambda cw: cw.edit_line("c1", "education", "初中", "高中", actor="ada"),
         "field: 'education' is not one of experience, goal"),
        (lambda cw: cw.remove_line("c1", "goal", WELDER_GOAL, "x" * 1001, actor="ada"),
         "the note is 1001 characters; the limit is 1000"),
    ],
)
def test_refused_corrections_change_nothing(cw: Casework, change: Callable[[Casework], None], message: str) -> None:
    before = cw.detail("c1")
    with pytest.raises(CaseError) as caught:
        change(cw)
    assert str(caught.value) == message
    after = cw.detail("c1")
    assert (after.profile, after.corrections) == (before.profile, before.corrections)


def test_an_experience_keeps_the_persons_words(cw: Casework) -> None:
    cw.edit_line("c1", "experience", "电焊", "养老护理员", actor="ada")
    [line] = profile(cw).experience
    assert line == Experience("养老护理员", CARER, "工厂", 3.0, "我在工厂做了三年电焊")
