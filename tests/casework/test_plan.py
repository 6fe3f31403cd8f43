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
    """c1 with three steps: an approved apprenticeship (A), a free step (B), an approved pathway step (C)."""
    seed("c1")
    service.review("c1", "apprenticeship", REFS["apprenticeship"], "approved", actor="ada")
    service.review("c1", "step", REFS["recognition"], "approved", actor="ada")
    service.plan_add_suggestion("c1", "apprenticeship", REFS["apprenticeship"], "2026-09-01", actor="ada")
    service.plan_add_step("c1", "带身份证去人社局报名", " 2026-04-01 ", actor="ada")
    service.plan_add_suggestion("c1", "step", REFS["recognition"], actor="bo")
    return service


def titles(service: Casework) -> list[str]:
    return [i.title[:2] for i in service.detail("c1").plan.items]


def test_plan_items_carry_what_the_export_needs(planned: Casework) -> None:
    plan = planned.detail("c1").plan
    a, b, c = plan.items
    assert (a.kind, a.suggestion_kind, a.title, a.duration, a.target_date, a.sample) == (
        "suggestion", "apprenticeship", "焊工企业新型学徒", "12个月", "2026-09-01", True)
    assert a.source and a.source["provider"] == "示例：湖州某智能装备制造企业（样例）"
    assert (b.kind, b.title, b.target_date, b.duration, b.added_by) == ("step", "带身份证去人社局报名", "2026-04-01", None, "ada")
    assert (c.suggestion_kind, c.ref, c.added_by) == ("step", REFS["recognition"], "bo")
    assert (plan.status, plan.has_sample, plan.updated_by and plan.updated_by.username) == ("draft", True, "bo")
    assert planned.detail("c1").approved == []  # both approved suggestions are planned


@pytest.mark.parametrize(
    ("moves", "order"),
    [
        ([], ["焊工", "带身", "对已"]),
        ([(2, "up")], ["焊工", "对已", "带身"]),
        ([(0, "up")], ["焊工", "带身", "对已"]),  # the first stays first
        ([(2, "down")], ["焊工", "带身", "对已"]),  # the last stays last
        ([(0, "down"), (1, "down")], ["带身", "对已", "焊工"]),
        ([(1, "up"), (2, "up"), (1, "up")], ["对已", "带身", "焊工"]),
    ],
)
def test_reordering(planned: Casework, moves: list[tuple[int, str]], order: list[str]) -> None:
    for position, direction in moves:
        item = planned.detail("c1").plan.items[position]
        planned.plan_move("c1", item.id, direction, actor="ada")
    assert titles(planned) == order


def test_remove_agree_and_change_again(planned: Casework, factory: sessionmaker[Session]) -> None:
    middle = planned.detail("c1").plan.items[1]
    planned.plan_remove("c1", middle.id, actor="ada")
    assert titles(planned) == ["焊工", "对已"]
    planned.plan_agree("c1", actor="ada")
    plan = planned.detail("c1").plan
    assert plan.status == "agreed" and plan.agreed_by and plan.agreed_by.username == "ada" and plan.agreed_at
    planned.plan_add_step("c1", "参加面试", actor="bo")  # an agreed plan that changes has to be agreed again
    plan = planned.detail("c1").plan
    assert (plan.status, plan.agreed_at, len(plan.items)) == ("draft", None, 3)
    with factory() as s:
        actions = [(e.actor, e.action, e.detail.get("kind")) for e in reversed(list_events(s, action="case.plan.*"))]
    assert actions == [("ada", "case.plan.add", "apprenticeship"), ("ada", "case.plan.add", "step"),
                       ("bo", "case.plan.add", "step"), ("ada", "case.plan.remove", None),
                       ("ada", "case.plan.agree", None), ("bo", "case.plan.add", "step")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda cw, ids: cw.plan_add_suggestion("c1", "occupation", REFS["occupation"], actor="ada"),
         f"approve the occupation '{REFS['occupation']}' before adding it to the plan"),
        (lambda cw, ids: cw.plan_add_suggestion("c1", "apprenticeship", REFS["apprenticeship"], actor="ada"),
         "'焊工企业新型学徒' is in the plan already"),
        (lambda cw, ids: cw.plan_add_step("c1", "报名", "2026-02-30", actor="ada"),
         "target date '2026-02-30' is not a date (YYYY-MM-DD)"),
        (lambda cw, ids: cw.plan_add_step("c1", "   ", actor="ada"), "describe the step"),
        (lambda cw, ids: cw.plan_add_step("c1", "步" * 501, actor="ada"),
         "the step is 501 characters; the limit is 500"),
        (lambda cw, ids: cw.plan_move("c1", "zzz", "up", actor="ada"),
         "no step 'zzz' in the plan (it may have been removed)"),
        (lambda cw, ids: cw.plan_move("c1", ids[0], "sideways", actor="ada"), "move 'sideways': up or down"),
        (lambda cw, ids: cw.plan_remove("c1", "zzz", actor="ada"),
         "no step 'zzz' in the plan (it may have been removed)"),
    ],
)
def test_refused_plan_changes(planned: Casework, change: Callable[[Casework, list[str]], None], message: str) -> None:
    before = planned.detail("c1").plan
    with pytest.raises(CaseError) as caught:
        change(planned, [i.id for i in before.items])
    assert str(caught.value) == message
    assert planned.detail("c1").plan == before


def test_an_empty_plan_cannot_be_agreed(service: Casework, seed: Callable[..., str]) -> None:
    seed("c1")
    with pytest.raises(CaseError, match="^the plan has no steps to agree on$"):
        service.plan_agree("c1", actor="ada")
    assert service.detail("c1").plan.status == "none"


def test_a_plan_holds_at_most_thirty_steps(service: Casework, seed: Callable[..., str]) -> None:
    seed("c1")
    for n in range(30):
        service.plan_add_step("c1", f"第{n}步", actor="ada")
    with pytest.raises(CaseError, match="^a plan holds at most 30 steps$"):
        service.plan_add_step("c1", "再一步", actor="ada")
