"""A person's data over HTTP, on SQLite and PostgreSQL: GET /api/chat/{id}/export holds everything stored for the
conversation and nothing of anyone else's; DELETE /api/chat/{id} removes it with the counsellors' casework."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import audit
from assistant.api.app import create_app
from assistant.config import Settings
from assistant.store import cases, plans, reviews
from assistant.store.conversation_keys import key_hash
from assistant.store.conversations import get_conversation, set_state
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
from tests.accounts.helpers import T0, cheap_hashing, staff_home
from tests.casework.seed import PROFILE, REFS, WELDING_SAID, conversation
from tests.helpers import KEY_HEADER

CHILDREN = (ConversationMessage, CaseAssignment, CaseHandover, SuggestionReview, CaseNote, CasePlan)
NOTE = "已电话联系，周三来面谈"
OTHER_NOTE = "另一个人的备注"
KEY = "c1-key-only-the-persons-browser-holds"
OPEN = {KEY_HEADER: KEY}  # what the chat page sends for c1
PLAN_ITEMS = [{"id": "i1", "kind": "step", "title": "报名湖州焊工学徒", "duration": "12个月"}]


def _casework(session: Session, cid: str, note: str) -> None:
    cases.assign(session, cid, to="ada", note="", now=T0)
    cases.assign(session, cid, to="bo", note="ada 休假", now=T0)
    cases.add_note(session, cid, author="bo", text=note, now=T0)
    reviews.add_review(session, cid, kind="occupation", ref=REFS["occupation"], decision="approved", note="合适",
                       reviewer="bo", snapshot={"title": "焊接设备装配调试工"}, now=T0)
    plans.save_plan(session, cid, items=PLAN_ITEMS, status="agreed", by="bo", now=T0)
    audit.record(session, "bo", "case.note", f"conversation:{cid}", {"chars": len(note)}, now=T0)


@pytest.fixture
def client(factory: sessionmaker[Session], store_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with factory.begin() as session:
        conversation(session, "c1", now=T0)
        conv = get_conversation(session, "c1")
        assert conv is not None
        set_state(conv, {"profile": PROFILE, "pending": "a message held while consent was asked"})
        conv.secret_hash = key_hash(KEY)
        conv.counsellor_notes = "旧版备注"
        _casework(session, "c1", NOTE)
        conversation(session, "c2", now=T0, said=["同意", "我想学做饭"])
        _casework(session, "c2", OTHER_NOTE)
    settings = Settings.from_env({"SKILLPATH_HOME": str(tmp_path / "home"), "SKILLPATH_DATABASE_URL": store_url,
                                  "SKILLPATH_EMBEDDER": "fake"})
    with TestClient(create_app(settings)) as c:
        yield c


def _rows(factory: sessionmaker[Session], cid: str) -> dict[str, int]:
    with factory() as session:
        counts = {t.__tablename__: session.scalar(select(func.count()).select_from(t).where(t.conversation_id == cid))
                  for t in CHILDREN}
        counts["conversations"] = session.scalar(select(func.count()).select_from(Conversation)
                                                 .where(Conversation.id == cid))
    return {k: int(v or 0) for k, v in counts.items()}


def test_export_holds_everything_stored_for_the_conversation(client: TestClient) -> None:
    res = client.get("/api/chat/c1/export", headers=OPEN)
    assert res.status_code == 200, res.text
    assert res.headers["content-type"] == "application/json"
    assert res.headers["content-disposition"] == 'attachment; filename="skillpath-c1.json"'
    assert res.headers["cache-control"] == "no-store"
    doc = res.json()
    assert doc["format"] == "skillpath-conversation-export/1"
    assert doc["conversation"]["id"] == "c1" and doc["conversation"]["consent"] is True
    assert doc["profile"] == PROFILE
    assert doc["state"]["pending"] == "a message held while consent was asked"
    said = [m["text"] for m in doc["messages"] if m["role"] == "user"]
    assert said == ["同意", WELDING_SAID, "对", "给我学习路径"]
    assert [m["ordinal"] for m in doc["messages"]] == list(range(1, 9))
    assert any(c["type"] == "occupation" for m in doc["messages"] for c in m["cards"])
    work = doc["casework"]
    assert work["counsellor_notes"] == "旧版备注"
    assert work["assignment"]["counsellor"] == "bo"
    assert [(h["from"], h["to"], h["note"]) for h in work["handovers"]] == [(None, "ada", ""), ("ada", "bo", "ada 休假")]
    assert [(n["author"], n["text"]) for n in work["notes"]] == [("bo", NOTE)]
    assert [(r["ref"], r["decision"], r["note"], r["suggestion"]["title"]) for r in work["reviews"]] == [
        (REFS["occupation"], "approved", "合适", "焊接设备装配调试工")]
    assert work["plan"]["status"] == "agreed" and work["plan"]["items"] == PLAN_ITEMS
    assert work["plan"]["agreed_by"] == "bo"
    assert [(e["actor"], e["action"]) for e in doc["audit"]] == [("bo", "case.note")]
    assert OTHER_NOTE not in res.text and "我想学做饭" not in res.text  # nobody else's data


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/chat/nope/export"), ("DELETE", "/api/chat/nope")])
def test_an_unknown_conversation_is_a_404(client: TestClient, method: str, path: str) -> None:
    res = client.request(method, path, headers=OPEN)
    assert res.status_code == 404
    assert res.json() == {"error": "NotFoundError",
                          "detail": "session_id: no conversation 'nope' (it may have been deleted)"}


def test_delete_takes_the_casework_with_it(client: TestClient, factory: sessionmaker[Session]) -> None:
    before = _rows(factory, "c1")
    assert all(before.values()), f"the seed left a table empty: {before}"
    other = _rows(factory, "c2")

    assert client.delete("/api/chat/c1", headers=OPEN).status_code == 204

    assert _rows(factory, "c1") == dict.fromkeys(before, 0)
    assert _rows(factory, "c2") == other
    for path in ("/api/chat/c1/export", "/api/chat/c1"):
        assert client.get(path, headers=OPEN).status_code == 404, path
    assert client.delete("/api/chat/c1", headers=OPEN).status_code == 404
    # What stays is the audit log's record that a counsellor acted: no words of the person or the counsellor.
    with factory() as session:
        kept = [e.detail for e in session.scalars(select(AuditEvent).where(AuditEvent.target == "conversation:c1"))]
    assert kept == [{"chars": len(NOTE)}]


@pytest.mark.parametrize(
    ("days", "lang", "expected"),
    [
        (90, "zh", ["下载我的数据", "删除我的数据", "服务器上的记录在你最后一次发消息 90 天后自动删除"]),
        (30, "en", ["Download my data", "Delete my data", "deleted automatically 30 days after your last message"]),
        (0, "zh", ["服务器上的记录会一直保留，直到你删除"]),  # no retention: the notice must not promise one
    ],
)
def test_the_chat_page_offers_the_download_and_says_how_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             days: int, lang: str, expected: list[str]) -> None:
    cheap_hashing(monkeypatch)
    settings = dataclasses.replace(staff_home(tmp_path), retention_days_conversations=days)
    with TestClient(create_app(settings)) as client:
        page = client.get(f"/?lang={lang}", headers={"accept": "text/html"}).text
    for text in expected:
        assert text in page, text
    assert 'id="export-link"' in page and "{days}" not in page
