"""Retention in the store, on SQLite and PostgreSQL: what has expired at a given time, and that deleting it takes
everything hanging off a conversation with it while the rest stays."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import audit
from assistant.store import cases, conversations, plans, reviews
from assistant.store.models import (
    AuditEvent,
    CaseAssignment,
    CaseHandover,
    CaseNote,
    CasePlan,
    Conversation,
    ConversationMessage,
    SuggestionReview,
)
from assistant.store.retention import Cutoffs, StorePurge, purge_store

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=timezone.utc)
CUTOFFS = Cutoffs(conversations=NOW - timedelta(days=90), casework=NOW - timedelta(days=365),
                  audit=NOW - timedelta(days=365))
CHILDREN = (ConversationMessage, CaseAssignment, CaseHandover, SuggestionReview, CaseNote, CasePlan)

# id → (days since the last message, {casework kind: days since the counsellor did it}, expired at NOW?)
CASES: dict[str, tuple[int, dict[str, int], bool]] = {
    "chat-89d": (89, {}, False),
    "chat-91d": (91, {}, True),
    "chat-3y": (1100, {}, True),
    "note-91d": (91, {"note": 91}, False),  # a counsellor worked on it: the longer period
    "note-364d": (364, {"note": 364}, False),
    "note-366d": (366, {"note": 366}, True),
    "old-chat-recent-note": (400, {"note": 100}, False),  # counsellor activity counts as activity
    "old-chat-recent-plan": (700, {"plan": 30}, False),
    "old-chat-recent-review": (700, {"review": 364}, False),
    "old-chat-recent-handover": (700, {"assign": 500, "handover": 10}, False),
    "assigned-366d": (366, {"assign": 366}, True),
    "everything-400d": (400, {"assign": 400, "handover": 400, "review": 400, "note": 400, "plan": 400}, True),
    "legacy-notes-200d": (200, {"legacy": 200}, False),
}
AUDIT_AGES = {"audit-30d": 30, "audit-364d": 364, "audit-366d": 366, "audit-5y": 1826}


def _ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def _seed(session: Session, cid: str, last: int, work: dict[str, int]) -> None:
    conv = conversations.create_conversation(session, conversation_id=cid, language="zh", phase="pathway",
                                             now=_ago(last + 1))
    conv.consent = True
    for role in ("user", "assistant"):
        conversations.add_message(session, conv, role=role, text=f"{cid} {role}", language="zh", phase="pathway",
                                  cards=[], now=_ago(last))
    for kind, days in work.items():
        when = _ago(days)
        if kind == "note":
            cases.add_note(session, cid, author="ada", text="打电话约了面试", now=when)
        elif kind == "plan":
            plans.save_plan(session, cid, items=[{"id": "i1", "kind": "step", "title": "报名焊工培训"}],
                            status="draft", by="ada", now=when)
        elif kind == "review":
            reviews.add_review(session, cid, kind="occupation", ref="csco2022:6-18-02-04", decision="approved",
                               note="", reviewer="ada", snapshot={"title": "焊工"}, now=when)
        elif kind in ("assign", "handover"):
            cases.assign(session, cid, to="ada" if kind == "assign" else "bo", note="", now=when)
        elif kind == "legacy":
            conv.counsellor_notes = "旧版备注"
    session.flush()


@pytest.fixture
def seeded(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with factory.begin() as session:
        for cid, (last, work, _expired) in CASES.items():
            _seed(session, cid, last, work)
        for target, days in AUDIT_AGES.items():
            audit.record(session, "ada", "case.note", target, {"n": 1}, now=_ago(days))
    return factory


def _children(session: Session, cid: str) -> dict[str, int]:
    return {t.__tablename__: session.scalar(select(func.count()).select_from(t).where(t.conversation_id == cid)) or 0
            for t in CHILDREN}


def _state(factory: sessionmaker[Session]) -> tuple[set[str], dict[str, dict[str, int]], set[str]]:
    with factory() as session:
        ids = set(session.scalars(select(Conversation.id)))
        children = {cid: _children(session, cid) for cid in CASES}
        targets = set(session.scalars(select(AuditEvent.target)))
    return ids, children, targets


def test_purge_deletes_what_expired_with_everything_hanging_off_it(seeded: sessionmaker[Session]) -> None:
    _ids, before, _targets = _state(seeded)
    with seeded.begin() as session:
        found = purge_store(session, CUTOFFS)
    ids, after, targets = _state(seeded)
    expired = {cid for cid, (_l, _w, gone) in CASES.items() if gone}
    wrong = {cid: ("kept" if cid in ids else "deleted") for cid in CASES if (cid in ids) == (cid in expired)}
    assert wrong == {}, "retention got these wrong"
    for cid in expired:
        assert set(after[cid].values()) == {0}, f"{cid}: rows left behind {after[cid]}"
    for cid in set(CASES) - expired:
        assert after[cid] == before[cid], cid
    assert targets == {"audit-30d", "audit-364d"}
    plain = sum(1 for cid in expired if not CASES[cid][1])
    assert found == StorePurge(conversations=plain, casework_conversations=len(expired) - plain,
                               messages=2 * len(expired), audit_events=2)


def test_dry_run_counts_and_deletes_nothing(seeded: sessionmaker[Session]) -> None:
    before = _state(seeded)
    with seeded.begin() as session:
        found = purge_store(session, CUTOFFS, dry_run=True)
    assert _state(seeded) == before
    assert (found.conversations, found.casework_conversations, found.messages, found.audit_events) == (2, 3, 10, 2)


@pytest.mark.parametrize(
    ("cutoffs", "gone"),
    [
        (Cutoffs(), set()),  # every period 0: keep forever
        (Cutoffs(conversations=CUTOFFS.conversations), {"chat-91d", "chat-3y"}),
        (Cutoffs(casework=CUTOFFS.casework), {"note-366d", "assigned-366d", "everything-400d"}),
        (Cutoffs(conversations=_ago(1000), casework=_ago(1000)), {"chat-3y"}),
        (Cutoffs(audit=CUTOFFS.audit), set()),
    ],
    ids=["keep-all", "conversations-only", "casework-only", "longer-periods", "audit-only"],
)
def test_each_period_acts_alone(seeded: sessionmaker[Session], cutoffs: Cutoffs, gone: set[str]) -> None:
    with seeded.begin() as session:
        purge_store(session, cutoffs)
    ids, _children_after, targets = _state(seeded)
    assert set(CASES) - ids == gone
    assert len(targets) == (2 if cutoffs.audit else 4)


def test_purge_never_commits(seeded: sessionmaker[Session]) -> None:
    """The caller owns the transaction: rolled back, nothing is lost."""
    with seeded() as session:
        assert purge_store(session, CUTOFFS).total > 0
        session.rollback()
    ids, _children_after, _targets = _state(seeded)
    assert ids == set(CASES)
