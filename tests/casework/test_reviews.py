"""Suggestion reviews: every kind can be decided, the latest decision counts, a rejection needs a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts.audit import list_events
from assistant.casework.errors import CaseError
from assistant.casework.service import Casework
from assistant.store.conversations import add_message, get_conversation
from tests.accounts.helpers import Clock
from tests.casework.seed import REFS


def decisions(service: Casework, cid: str = "c1") -> dict[tuple[str, str], tuple[str, str, str]]:
    return {(v.suggestion.kind, v.suggestion.ref): (v.review.decision, v.review.note, v.review.reviewer.username)
            for v in service.detail(cid).suggestions if v.review}


@pytest.mark.parametrize(
    ("kind", "ref", "title"),
    [
        ("occupation", REFS["occupation"], "焊接设备装配调试工"),
        ("apprenticeship", REFS["apprenticeship"], "焊工企业新型学徒"),
        ("training", REFS["training"], "碳排放管理员入门培训（线上）"),
        ("step", REFS["recognition"], "对已有技能进行评价认定（先前学习认定）"),
        ("step", REFS["occupation-step"], "从事目标职业：焊接设备装配调试工"),
    ],
)
def test_every_kind_of_suggestion_can_be_approved(service: Casework, seed: Callable[..., str],
                                                  factory: sessionmaker[Session], kind: str, ref: str,
                                                  title: str) -> None:
    seed("c1")
    service.review("c1", kind, ref, "approved", "  适合他  ", actor="ada")
    assert decisions(service) == {(kind, ref): ("approved", "适合他", "ada")}
    detail = service.detail("c1")
    assert [v.suggestion.title for v in detail.approved] == [title]
    assert detail.reviews[0].title == title
    with factory() as s:
        [event] = list_events(s, action="case.review")
        assert (event.actor, event.target, event.detail) == (
            "ada", "conversation:c1", {"kind": kind, "ref": ref, "decision": "approved"})


@pytest.mark.parametrize(
    ("steps", "final"),
    [
        ([("approved", "", "ada"), ("rejected", "太远了", "bo")], ("rejected", "太远了", "bo")),
        ([("rejected", "太远了", "bo"), ("approved", "他可以搬家", "ada")], ("approved", "他可以搬家", "ada")),
        ([("approved", "", "ada"), ("approved", "再看一遍", "ada")], ("approved", "再看一遍", "ada")),
    ],
)
@pytest.mark.parametrize("tick", [0, 60])  # decisions in the same instant: the later written still wins
def test_the_latest_decision_counts(service: Casework, seed: Callable[..., str], clock: Clock,
                                    steps: list[tuple[str, str, str]], final: tuple[str, str, str], tick: int) -> None:
    seed("c1")
    for decision, note, who in steps:
        service.review("c1", "apprenticeship", REFS["apprenticeship"], decision, note, actor=who)
        clock.advance(seconds=tick)
    assert decisions(service) == {("apprenticeship", REFS["apprenticeship"]): final}
    history = service.detail("c1").reviews  # newest first, every decision kept
    assert [(r.decision, r.note) for r in history] == [(d, n) for d, n, _ in reversed(steps)]


@pytest.mark.parametrize(
    ("kind", "ref", "decision", "note", "message"),
    [
        ("occupation", "csco2022:9-99-99-99", "approved", "", "no occupation 'csco2022:9-99-99-99' among this "
                                                               "session's recommendations"),
        ("course", REFS["occupation"], "approved", "", "kind: 'course' is not one of occupation, apprenticeship, "
                                                      "training, step"),
        ("occupation", REFS["occupation"], "maybe", "", "decision: 'maybe' is not approved or rejected"),
        ("occupation", REFS["occupation"], "approved", "x" * 1001, "the note is 1001 characters; the limit is 1000"),
    ],
)
def test_refused_reviews(service: Casework, seed: Callable[..., str], kind: str, ref: str, decision: str, note: str,
                         message: str) -> None:
    seed("c1")
    with pytest.raises(CaseError) as caught:
        service.review("c1", kind, ref, decision, note, actor="ada")
    assert str(caught.value) == message
    assert decisions(service) == {}


def test_an_approval_outlives_newer_recommendations(service: Casework, seed: Callable[..., str],
                                                    factory: sessionmaker[Session], clock: Clock) -> None:
    seed("c1")
    service.review("c1", "training", REFS["training"], "approved", actor="ada")
    service.review("c1", "occupation", REFS["occupation"], "rejected", "不合适", actor="ada")
    with factory.begin() as s:  # the job seeker goes on: a new recommendation turn without those cards
        conv = get_conversation(s, "c1")
        assert conv is not None
        clock.advance(minutes=5)
        add_message(s, conv, role="assistant", text="新的推荐", language="zh", phase="recommendations", now=clock.now,
                    cards=[{"type": "occupation", "scheme": "csco2022", "code": "6-31-01-03", "uri": None, "title": "电工",
                            "why": "", "source": {"name": "csco2022"}, "skills_missing": []}])
    views = service.detail("c1").suggestions
    current = [(v.suggestion.kind, v.suggestion.title, v.current) for v in views]
    # The approved training stays (it can still go into the plan); the rejected occupation does not.
    assert ("training", "碳排放管理员入门培训（线上）", False) in current
    assert not [c for c in current if c[1] == "焊接设备装配调试工"]
    service.review("c1", "training", REFS["training"], "rejected", "名额满了", actor="bo")  # still decidable
    latest = service.detail("c1").reviews[0]
    assert (latest.kind, latest.decision, latest.note, latest.reviewer.username) == ("training", "rejected", "名额满了", "bo")
    assert ("training", REFS["training"]) not in decisions(service)  # rejected and gone from the recommendations


def test_rejecting_a_planned_suggestion_takes_it_out_of_the_plan(service: Casework, seed: Callable[..., str],
                                                                 factory: sessionmaker[Session]) -> None:
    seed("c1")
    service.review("c1", "apprenticeship", REFS["apprenticeship"], "approved", actor="ada")
    service.plan_add_suggestion("c1", "apprenticeship", REFS["apprenticeship"], "2026-05-01", actor="ada")
    service.plan_add_step("c1", "去人社局报名", "2026-04-01", "meet", actor="ada")
    service.plan_agree("c1", actor="ada")
    service.review("c1", "apprenticeship", REFS["apprenticeship"], "rejected", "企业不招了", actor="ada")
    plan = service.detail("c1").plan
    assert (plan.status, [i.title for i in plan.items]) == ("draft", ["去人社局报名"])
    with factory() as s:
        detail: dict[str, Any] = list_events(s, action="case.review")[0].detail
    assert detail == {"kind": "apprenticeship", "ref": REFS["apprenticeship"], "decision": "rejected",
                      "removed_from_plan": True}
