"""Building the plan: approved suggestions and free steps with target dates, reordering, removing, agreeing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts.audit import list_events
from assistant.casework.errors import CaseError
from assistant.casework.service import Casework
from tests.casework.seed import REFS


@pytest.fixture
def planned(service: Casework, seed: Callable[..., str]) -> Casework:
    """c1 with the goal (the approved occupation) and three dated steps, added out of date order: an approved
    apprenticeship (A, September), a free step (B, April), an approved pathway step (C, June)."""
    seed("c1")
    service.review("c1", "apprenticeship", REFS["apprenticeship"], "approved", actor="ada")
    service.review("c1", "step", REFS["recognition"], "approved", actor="ada")
    service.review("c1", "occupation", REFS["occupation"], "approved", actor="ada")
    service.plan_add_suggestion("c1", "apprenticeship", REFS["apprenticeship"], "2026-09-01", actor="ada")
    service.plan_add_step("c1", "带身份证去人社局报名", " 2026-04-01 ", "meet", actor="ada")
    service.plan_add_suggestion("c1", "step", REFS["recognition"], "2026-06-01", actor="bo")
    service.plan_add_suggestion("c1", "occupation", REFS["occupation"], actor="bo")
    return service


def titles(service: Casework) -> list[str]:
    return [i.title[:2] for i in service.detail("c1").plan.items]


def test_plan_items_carry_what_the_export_needs(planned: Casework) -> None:
    plan = planned.detail("c1").plan
    [goal] = plan.goals
    b, c, a = plan.steps
    assert (goal.kind, goal.title, goal.action, goal.target_date) == ("goal", "焊接设备装配调试工", None, None)
    assert (a.kind, a.suggestion_kind, a.action, a.title, a.duration, a.target_date, a.sample) == (
        "suggestion", "apprenticeship", "apply", "焊工企业新型学徒", "12个月", "2026-09-01", True)
    assert a.source and a.source["provider"] == "示例：湖州某智能装备制造企业（样例）"
    assert (b.kind, b.action, b.title, b.target_date, b.duration, b.added_by) == (
        "step", "meet", "带身份证去人社局报名", "2026-04-01", None, "ada")
    assert (c.suggestion_kind, c.action, c.ref, c.added_by) == ("step", "certify", REFS["recognition"], "bo")
    assert (plan.status, plan.has_sample, plan.updated_by and plan.updated_by.username) == ("draft", True, "bo")
    assert planned.detail("c1").approved == []  # every approved suggestion is planned


@pytest.mark.parametrize(
    ("step", "due", "order"),
    [
        ("面谈", "2026-01-15", ["焊接", "面谈", "带身", "对已", "焊工"]),  # the earliest goes first
        ("面谈", "2026-06-01", ["焊接", "带身", "对已", "面谈", "焊工"]),  # same date: the one added first first
        ("面谈", "2026-12-31", ["焊接", "带身", "对已", "焊工", "面谈"]),
    ],
)
def test_the_goal_comes_first_then_steps_by_date(planned: Casework, step: str, due: str, order: list[str]) -> None:
    planned.plan_add_step("c1", step, due, "meet", actor="ada")
    assert titles(planned) == order


def test_an_occupation_is_the_goal_never_a_step(planned: Casework) -> None:
    """The pathway's "work as …" step names the occupation: in the plan it is the goal, by the occupation's name."""
    planned.review("c1", "step", REFS["occupation-step"], "approved", actor="ada")
    planned.plan_add_suggestion("c1", "step", REFS["occupation-step"], "2026-05-01", actor="ada")
    plan = planned.detail("c1").plan
    assert [(g.title, g.target_date) for g in plan.goals] == [("焊接设备装配调试工", None)] * 2
    assert all(s.action in ("learn", "apply", "certify", "meet") for s in plan.steps)


def test_remove_agree_and_change_again(planned: Casework, factory: sessionmaker[Session]) -> None:
    middle = planned.detail("c1").plan.steps[1]
    planned.plan_remove("c1", middle.id, actor="ada")
    assert titles(planned) == ["焊接", "带身", "焊工"]
    planned.plan_agree("c1", actor="ada")
    plan = planned.detail("c1").plan
    assert plan.status == "agreed" and plan.agreed_by and plan.agreed_by.username == "ada" and plan.agreed_at
    planned.plan_add_step("c1", "参加面试", "2026-05-05", "meet", actor="bo")  # a changed plan is agreed again
    plan = planned.detail("c1").plan
    assert (plan.status, plan.agreed_at, len(plan.items)) == ("draft", None, 4)
    with factory() as s:
        actions = [(e.actor, e.action, e.detail.get("kind")) for e in reversed(list_events(s, action="case.plan.*"))]
    assert actions == [("ada", "case.plan.add", "apprenticeship"), ("ada", "case.plan.add", "step"),
                       ("bo", "case.plan.add", "step"), ("bo", "case.plan.add", "occupation"),
                       ("ada", "case.plan.remove", None), ("ada", "case.plan.agree", None),
                       ("bo", "case.plan.add", "step")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda cw: cw.plan_add_suggestion("c1", "training", REFS["training"], "2026-05-01", actor="ada"),
         f"approve the training '{REFS['training']}' before adding it to the plan"),
        (lambda cw: cw.plan_add_suggestion("c1", "apprenticeship", REFS["apprenticeship"], "2026-05-01", actor="ada"),
         "'焊工企业新型学徒' is in the plan already"),
        (lambda cw: cw.plan_add_step("c1", "报名", "2026-02-30", "apply", actor="ada"),
         "target date '2026-02-30' is not a date (YYYY-MM-DD)"),
        (lambda cw: cw.plan_add_step("c1", "报名", "", "apply", actor="ada"),
         "give the step a target date: the plan is ordered by date"),
        (lambda cw: cw.plan_add_step("c1", "焊接设备装配调试工", "2026-05-01", "", actor="ada"),
         "action: '' is not one of learn, apply, certify, meet"),
        (lambda cw: cw.plan_add_step("c1", "   ", "2026-05-01", "apply", actor="ada"), "describe the step"),
        (lambda cw: cw.plan_add_step("c1", "步" * 501, "2026-05-01", "apply", actor="ada"),
         "the step is 501 characters; the limit is 500"),
        (lambda cw: cw.plan_remove("c1", "zzz", actor="ada"),
         "no step 'zzz' in the plan (it may have been removed)"),
    ],
)
def test_refused_plan_changes(planned: Casework, change: Callable[[Casework], None], message: str) -> None:
    before = planned.detail("c1").plan
    with pytest.raises(CaseError) as caught:
        change(planned)
    assert str(caught.value) == message
    assert planned.detail("c1").plan == before


def test_an_approved_step_needs_a_date(service: Casework, seed: Callable[..., str]) -> None:
    seed("c1")
    service.review("c1", "training", REFS["training"], "approved", actor="ada")
    with pytest.raises(CaseError, match="^give the step a target date: the plan is ordered by date$"):
        service.plan_add_suggestion("c1", "training", REFS["training"], actor="ada")


def test_an_empty_plan_cannot_be_agreed(service: Casework, seed: Callable[..., str]) -> None:
    seed("c1")
    with pytest.raises(CaseError, match="^the plan has no steps to agree on$"):
        service.plan_agree("c1", actor="ada")
    assert service.detail("c1").plan.status == "none"


def test_a_plan_holds_at_most_thirty_steps(service: Casework, seed: Callable[..., str]) -> None:
    seed("c1")
    for n in range(30):
        service.plan_add_step("c1", f"第{n}步", "2026-05-01", "learn", actor="ada")
    with pytest.raises(CaseError, match="^a plan holds at most 30 steps$"):
        service.plan_add_step("c1", "再一步", "2026-05-01", "learn", actor="ada")
