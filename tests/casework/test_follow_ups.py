"""A case's name and contact (only with consent) and its follow-up date; "my follow-ups" soonest first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts.audit import list_events
from assistant.casework.errors import CaseError
from assistant.casework.service import Casework
from assistant.dialogue.access import Access
from assistant.dialogue.export import conversation_export
from assistant.dialogue.saved import forget
from assistant.store.models import CaseContact, CaseFollowUp
from tests.accounts.helpers import Clock


def test_contact_is_kept_only_with_consent(service: Casework, seed: Callable[..., str],
                                           factory: sessionmaker[Session]) -> None:
    seed("c1")
    with pytest.raises(CaseError, match="^tick that the person agreed to give their name and contact$"):
        service.set_contact("c1", "王芳", "138 0000 0000", False, actor="ada")
    assert service.detail("c1").contact is None
    service.set_contact("c1", " 王芳 ", "138 0000 0000", True, actor="ada")
    contact = service.detail("c1").contact
    assert contact and (contact.display_name, contact.contact, contact.recorded_by.username) == (
        "王芳", "138 0000 0000", "ada")
    with factory() as s:
        [event] = list_events(s, action="case.contact")
        assert event.detail == {"kept": True} and "王芳" not in str(event.detail)  # the audit log keeps no contact
    service.set_contact("c1", "", "", False, actor="ada")  # withdrawn: nothing kept
    assert service.detail("c1").contact is None


@pytest.mark.parametrize(
    ("name", "contact", "message"),
    [("名" * 201, "", "the name is 201 characters; the limit is 200"),
     ("王芳", "1" * 201, "the contact is 201 characters; the limit is 200")],
)
def test_contact_limits(service: Casework, seed: Callable[..., str], name: str, contact: str, message: str) -> None:
    seed("c1")
    with pytest.raises(CaseError) as caught:
        service.set_contact("c1", name, contact, True, actor="ada")
    assert str(caught.value) == message


def test_follow_ups_are_listed_soonest_first_with_the_overdue_marked(service: Casework, seed: Callable[..., str],
                                                                     clock: Clock) -> None:
    today = service.today()
    for cid, days, who in (("c1", 3, "ada"), ("c2", -2, "ada"), ("c3", 0, "ada"), ("c4", -9, "bo")):
        seed(cid)
        service.set_follow_up(cid, (today + timedelta(days=days)).isoformat(), f"{cid} 回访", actor=who)
    service.set_contact("c2", "王芳", "", True, actor="ada")
    rows = service.follow_ups("ada")
    assert [(r.id, r.overdue, r.today, r.name) for r in rows] == [
        ("c2", True, False, "王芳"), ("c3", False, True, ""), ("c1", False, False, "")]
    assert rows[0].note == "c2 回访" and rows[0].summary == "电焊"
    assert service.detail("c2").follow_up and service.detail("c2").follow_up.overdue
    service.set_follow_up("c2", "", actor="ada")  # an empty date clears it
    assert [r.id for r in service.follow_ups("ada")] == ["c3", "c1"]


def test_today_is_the_deployments(service: Casework, clock: Clock) -> None:
    """At 20:00 UTC it is already tomorrow in Shanghai: a follow-up due "today" there is not overdue yet."""
    clock.now = clock.now.replace(hour=20)
    service.time_zone = "Asia/Shanghai"
    assert service.today() == clock.now.date() + timedelta(days=1)
    service.time_zone = "UTC"
    assert service.today() == clock.now.date()


def test_a_bad_follow_up_date_is_refused(service: Casework, seed: Callable[..., str]) -> None:
    seed("c1")
    with pytest.raises(CaseError, match=r"^target date '2026-13-01' is not a date \(YYYY-MM-DD\)$"):
        service.set_follow_up("c1", "2026-13-01", actor="ada")


def test_export_holds_them_and_deletion_removes_them(service: Casework, seed: Callable[..., str],
                                                     factory: sessionmaker[Session]) -> None:
    seed("c1")
    service.set_contact("c1", "王芳", "wangfang@example.org", True, actor="ada")
    service.set_follow_up("c1", "2026-04-01", "回访", actor="ada")
    service.remove_skill("c1", "csco2022:6-21-06-02#task3", "不会看图", actor="ada")
    with factory() as s:
        casework = conversation_export(s, "c1", Access(staff=True), now=service.clock())["casework"]
    assert casework["contact"]["display_name"] == "王芳" and casework["contact"]["contact"] == "wangfang@example.org"
    assert casework["follow_up"] == {"due": "2026-04-01", "note": "回访", "owner": "ada",
                                     "set_at": service.clock().isoformat()}
    assert [(c["field"], c["note"], c["by"]) for c in casework["corrections"]] == [("skill", "不会看图", "ada")]
    with factory.begin() as s:
        forget(s, "c1", Access(staff=True))
    with factory() as s:
        assert s.get(CaseContact, "c1") is None and s.get(CaseFollowUp, "c1") is None
