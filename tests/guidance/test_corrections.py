"""Counsellors' corrections as the chat applies them: replaced and removed lines, rejected occupations, the version."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.guidance.corrections import Corrections, LineCorrection, goal_key, line_dict, read_corrections
from assistant.store.conversations import create_conversation
from assistant.store.corrections import add_correction
from assistant.store.plans import save_plan
from assistant.store.reviews import add_review
from assistant.understanding.profile import Experience, Goals, OccupationRef, Profile, SkillClaim

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
TUTOR = OccupationRef("csco2022", "4-13-99-01", None, "家庭教育指导师")
CARER = OccupationRef("csco2022", "4-10-01-05", None, "养老护理员")
WELD = SkillClaim("csco2022:6-20-03-02#task1", "电焊", "csco2022", None, "6-20-03-02#task1", "电焊", 0.9)
ARC = SkillClaim("text:氩弧焊", "氩弧焊", None, None, None, "电焊", 0.0, True, "counsellor")


def profile() -> Profile:
    """As the chat reads "离家近" again: the misread goal and the old lines are back."""
    return Profile(experience=[Experience("带孩子", None, "家里", 5.0)], skills=[WELD],
                   goals=Goals([TUTOR], ["离家近"]))


@pytest.mark.parametrize(
    ("line", "check"),
    [
        (LineCorrection("goal", goal_key(TUTOR), CARER), lambda p: p.goals.occupations == [CARER]),
        (LineCorrection("goal", goal_key(TUTOR), None), lambda p: p.goals.occupations == []),
        (LineCorrection("goal", goal_key(TUTOR), "离家近的工作"),
         lambda p: (p.goals.occupations, p.goals.text) == ([], ["离家近", "离家近的工作"])),
        (LineCorrection("goal", "text:离家近", CARER), lambda p: (p.goals.occupations, p.goals.text) == (
            [CARER, TUTOR], [])),
        (LineCorrection("experience", "带孩子", Experience("照护老人", CARER)),
         lambda p: [(e.what, e.occupation) for e in p.experience] == [("照护老人", CARER)]),
        (LineCorrection("experience", "带孩子", None), lambda p: p.experience == []),
        (LineCorrection("skill", WELD.id, ARC), lambda p: p.skills == [ARC]),
        (LineCorrection("skill", WELD.id, None), lambda p: p.skills == []),
        (LineCorrection("skill", "text:没有这一项", None), lambda p: p.skills == [WELD]),  # nothing to correct
    ],
)
def test_a_correction_replaces_the_line_each_time_it_comes_back(line: LineCorrection, check) -> None:  # type: ignore[no-untyped-def]
    corrections = Corrections(lines=(line,), version="v")
    for _ in range(2):  # idempotent: the second turn finds the line already corrected
        p = profile()
        corrections.apply(p)
        assert check(p), p
        corrections.apply(p)
        assert check(p), p


def test_a_rejected_occupation_is_not_a_goal_either() -> None:
    p = profile()
    Corrections(rejected=frozenset({("csco2022", "4-13-99-01")})).apply(p)
    assert p.goals.occupations == []
    assert not Corrections(rejected=frozenset({("csco2022", "4-13-99-01")})).allows("csco2022", "4-13-99-01")
    assert Corrections().allows("csco2022", "4-13-99-01")


@pytest.fixture
def conv(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with factory.begin() as s:
        create_conversation(s, conversation_id="c1", language="zh", phase="recommendations", now=T0)
    return factory


def test_read_corrections_gathers_rejections_lines_and_the_agreed_plan(conv: sessionmaker[Session]) -> None:
    with conv() as s:
        assert read_corrections(s, "c1") == Corrections()  # nothing changed: no version, no note to the person
    with conv.begin() as s:
        add_review(s, "c1", kind="occupation", ref="csco2022:4-13-99-01", decision="rejected", note="他想离家近",
                   reviewer="ada", snapshot={}, now=T0)
        add_review(s, "c1", kind="occupation", ref="csco2022:2-02-02-01", decision="rejected", note="", reviewer="ada",
                   snapshot={}, now=T0)
        add_review(s, "c1", kind="occupation", ref="csco2022:2-02-02-01", decision="approved", note="", reviewer="bo",
                   snapshot={}, now=T0 + timedelta(minutes=1))  # the latest decision counts
        add_correction(s, "c1", field="goal", old=goal_key(TUTOR), new=line_dict(CARER), note="", by="ada",
                       now=T0 + timedelta(minutes=2))
        save_plan(s, "c1", items=[
            {"id": "a", "kind": "goal", "title": "养老护理员", "suggestion_kind": "occupation"},
            {"id": "b", "kind": "step", "title": "报名培训", "action": "learn", "target_date": "2026-05-01"},
            {"id": "c", "kind": "step", "title": "面谈", "action": "meet", "target_date": "2026-04-01"},
        ], status="agreed", by="ada", now=T0 + timedelta(minutes=3))
    with conv() as s:
        found = read_corrections(s, "c1")
    assert found.rejected == frozenset({("csco2022", "4-13-99-01")})
    assert found.lines == (LineCorrection("goal", goal_key(TUTOR), CARER),)
    assert found.plan is not None and found.plan.goals == ["养老护理员"]
    assert [(step.target_date, step.action) for step in found.plan.steps] == [("2026-04-01", "meet"),
                                                                              ("2026-05-01", "learn")]
    assert found.version == (T0 + timedelta(minutes=3)).isoformat()
