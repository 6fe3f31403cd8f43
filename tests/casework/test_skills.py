"""A counsellor's skill edits: written into the profile the chat reads, the person's words kept, each one audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts.audit import list_events
from assistant.casework.errors import CaseError
from assistant.casework.service import Casework
from assistant.errors import NotFoundError
from assistant.understanding.profile import Profile
from assistant.store.conversations import get_conversation
from tests.casework.seed import ESCO_WELD

TASK1, TASK3 = "csco2022:6-20-03-02#task1", "csco2022:6-21-06-02#task3"


def skills(factory: sessionmaker[Session], cid: str = "c1") -> list[tuple[str, str, str, bool, str]]:
    with factory() as s:
        conv = get_conversation(s, cid)
        assert conv is not None
        profile = Profile.from_dict(conv.state["profile"])  # the chat reads it back the same way
    return [(c.id, c.label, c.evidence, c.confirmed, c.origin) for c in profile.skills]


def audited(factory: sessionmaker[Session]) -> list[tuple[str | None, str, str, dict[str, Any]]]:
    with factory() as s:
        return [(e.actor, e.action, e.target, e.detail) for e in reversed(list_events(s, action="case.*"))]


@pytest.mark.parametrize(
    ("change", "after", "audit"),
    [
        (lambda cw: cw.confirm_skill("c1", TASK1, actor="ada"),
         [(TASK1, "电焊", "电焊", True, "counsellor"), (TASK3, "看图纸", "会看图纸", False, "said")],
         ("case.skill.confirm", {"skill": TASK1})),
        (lambda cw: cw.edit_skill("c1", TASK3, "焊接", actor="ada"),  # re-anchored; the person's words stay
         [(TASK1, "电焊", "电焊", False, "experience"), (f"esco:{ESCO_WELD}", "weld metal", "会看图纸", True, "counsellor")],
         ("case.skill.edit", {"skill": TASK3, "to": f"esco:{ESCO_WELD}"})),
        (lambda cw: cw.edit_skill("c1", TASK1, "  气割  ", actor="ada"),  # nothing anchors it: kept as typed
         [("text:气割", "气割", "电焊", True, "counsellor"), (TASK3, "看图纸", "会看图纸", False, "said")],
         ("case.skill.edit", {"skill": TASK1, "to": "text"})),
        (lambda cw: cw.edit_skill("c1", TASK1, "识图", actor="ada"),  # becomes a concept already there: one entry
         [(TASK3, "看图纸", "会看图纸 / 电焊", True, "counsellor")],
         ("case.skill.edit", {"skill": TASK1, "to": TASK3})),
        (lambda cw: cw.remove_skill("c1", TASK3, actor="ada"),
         [(TASK1, "电焊", "电焊", False, "experience")],
         ("case.skill.remove", {"skill": TASK3})),
        (lambda cw: cw.add_skill("c1", "焊接", actor="ada"),
         [(TASK1, "电焊", "电焊", False, "experience"), (TASK3, "看图纸", "会看图纸", False, "said"),
          (f"esco:{ESCO_WELD}", "weld metal", "焊接", True, "counsellor")],
         ("case.skill.add", {"skill": f"esco:{ESCO_WELD}"})),
    ],
)
def test_skill_changes(service: Casework, seed: Callable[..., str], factory: sessionmaker[Session],
                       change: Callable[[Casework], None], after: list[tuple[str, str, str, bool, str]],
                       audit: tuple[str, dict[str, Any]]) -> None:
    seed("c1")
    change(service)
    assert skills(factory) == after
    assert audited(factory)[-1] == ("ada", audit[0], "conversation:c1", audit[1])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda cw: cw.confirm_skill("c1", "esco:gone", actor="ada"),
         "no skill 'esco:gone' in this profile (the job seeker may have removed it)"),
        (lambda cw: cw.edit_skill("c1", TASK1, "   ", actor="ada"), "give the skill's name or its taxonomy URI"),
        (lambda cw: cw.edit_skill("c1", TASK1, "焊" * 201, actor="ada"),
         "the skill's name is 201 characters; the limit is 200"),
        (lambda cw: cw.add_skill("c1", "识图", actor="ada"), "'看图纸' is in the profile already"),
    ],
)
def test_refused_skill_changes_change_nothing(service: Casework, seed: Callable[..., str],
                                              factory: sessionmaker[Session], change: Callable[[Casework], None],
                                              message: str) -> None:
    seed("c1")
    before = skills(factory)
    with pytest.raises(CaseError) as caught:
        change(service)
    assert str(caught.value) == message
    assert skills(factory) == before and audited(factory) == []


def test_sessions_without_consent_cannot_be_touched(service: Casework, seed: Callable[..., str]) -> None:
    seed("c9", said=[], consent=None)
    with pytest.raises(NotFoundError, match="no session 'c9' that a counsellor may open"):
        service.confirm_skill("c9", TASK1, actor="ada")
    with pytest.raises(NotFoundError):
        service.detail("nope")


def test_edits_keep_the_rest_of_the_state(service: Casework, seed: Callable[..., str],
                                          factory: sessionmaker[Session]) -> None:
    seed("c1")
    service.remove_skill("c1", TASK1, actor="ada")
    with factory() as s:
        conv = get_conversation(s, "c1")
        assert conv is not None
        assert conv.state["profile"]["constraints"]["location"] == "湖州市"
        assert conv.state["profile"]["experience"][0]["what"] == "电焊"
