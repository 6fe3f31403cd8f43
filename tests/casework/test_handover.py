"""Handing a case over: only to an active counsellor or admin, recorded in its history and the audit log."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts.audit import list_events
from assistant.casework.errors import CaseError
from assistant.casework.reading import parse_filter
from assistant.casework.service import Casework
from tests.accounts.helpers import Clock


@pytest.mark.parametrize(
    ("to", "code", "message"),
    [
        ("nobody", "handover_unknown", "cannot hand the case to 'nobody': there is no such account"),
        ("Cy", "handover_inactive", "cannot hand the case to 'cy': the account is deactivated"),
        ("olu", "handover_role", "cannot hand the case to 'olu': operator accounts do not work on cases"),
        ("  ", "handover_nobody", "choose the colleague to hand the case to"),
    ],
)
def test_handover_is_refused_with_a_clear_message(service: Casework, seed: Callable[..., str],
                                                  factory: sessionmaker[Session], to: str, code: str,
                                                  message: str) -> None:
    seed("c1")
    with pytest.raises(CaseError) as caught:
        service.hand_over("c1", to, "请跟进", actor="ada")
    assert (caught.value.code, str(caught.value)) == (code, message)
    detail = service.detail("c1")
    assert (detail.assigned, detail.handovers) == (None, [])
    with factory() as s:
        assert list_events(s, action="case.*") == []


def test_take_then_hand_over_to_a_colleague(service: Casework, seed: Callable[..., str],
                                           factory: sessionmaker[Session], clock: Clock) -> None:
    seed("c1")
    seed("c2")
    service.hand_over("c1", "ada", actor="ada")  # taking a case is handing it to oneself
    clock.advance(hours=1)
    service.hand_over("c1", "BO", "他下周来面谈", actor="ada")
    detail = service.detail("c1")
    assert detail.assigned is not None and detail.assigned.username == "bo" and detail.assigned_at == clock.now
    assert [(h.from_user and h.from_user.username, h.to_user.username, h.note) for h in detail.handovers] == [
        ("ada", "bo", "他下周来面谈"), (None, "ada", "")]  # newest first
    mine = {name: [r.id for r in service.search(parse_filter(assigned=name)).rows] for name in ("ada", "bo")}
    assert mine == {"ada": [], "bo": ["c1"]}  # the colleague sees it in their list
    assert [r.id for r in service.search(parse_filter(assigned="-")).rows] == ["c2"]
    with factory() as s:
        events = [(e.actor, e.action, e.target, e.detail) for e in reversed(list_events(s, action="case.handover"))]
    assert events == [("ada", "case.handover", "conversation:c1", {"from": None, "to": "ada"}),
                      ("ada", "case.handover", "conversation:c1", {"from": "ada", "to": "bo"})]
    with pytest.raises(CaseError, match="^the case is already with 'bo'$"):
        service.hand_over("c1", "bo", actor="root")
    service.hand_over("c1", "root", actor="bo")  # admins work on cases too
    assert service.detail("c1").assigned.username == "root"  # type: ignore[union-attr]


def test_colleagues_are_the_active_counsellors_and_admins(service: Casework) -> None:
    assert [(p.username, p.label) for p in service.colleagues()] == [
        ("ada", "李老师 (ada)"), ("bo", "Bo (bo)"), ("root", "Root (root)")]


def test_a_long_handover_note_is_refused(service: Casework, seed: Callable[..., str]) -> None:
    seed("c1")
    with pytest.raises(CaseError, match="^the note is 1001 characters; the limit is 1000$"):
        service.hand_over("c1", "bo", "x" * 1001, actor="ada")
