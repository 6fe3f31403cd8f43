"""POST /api/chat: phases, jumps, consent, cited cards, policy answers, limits, and resuming after a restart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assistant.api.app import create_app
from assistant.store.db import make_engine, make_sessionmaker
from assistant.store.models import ConversationMessage
from tests.conftest import IndexedHome
from tests.helpers import KEY_HEADER, conversation_id, key_headers

WELDING_ZH = "我在工厂做了三年电焊，会看图纸，想在湖州找个能拿工资的学徒岗位"
WELDING_EN = "I did welding in a factory for three years, I can read drawings, and I want a paid apprenticeship in Huzhou"


@pytest.fixture(scope="module")
def home(indexed_home: IndexedHome) -> IndexedHome:
    return indexed_home


@pytest.fixture
def client(copy_indexed_home: IndexedHome) -> Iterator[TestClient]:
    with TestClient(create_app(copy_indexed_home.settings)) as c:
        c.home = copy_indexed_home  # type: ignore[attr-defined]
        yield c


def say(client: TestClient, session: str | None, message: str, **extra: Any) -> dict[str, Any]:
    res = client.post("/api/chat", json={"session_id": session, "message": message, **extra})
    assert res.status_code == 200, res.text
    body = res.json()
    assert set(body) >= {"session_id", "reply", "cards", "profile", "phase", "suggestions"}
    for card in body["cards"]:
        assert {"type", "scheme", "code", "uri", "title", "why", "source"} <= set(card), card
        assert card["source"] and (card["source"].get("name") or card["source"].get("basis") is None), card
    return body


@pytest.mark.parametrize(
    ("turns", "phases", "lang"),
    [
        (["你好", "同意", WELDING_ZH, "对", "好的"],
         ["welcome", "experience", "confirm_skills", "recommendations", "pathway"], "zh"),
        (["Hello", "I agree", WELDING_EN, "yes", "yes please, show me a learning pathway"],
         ["welcome", "experience", "confirm_skills", "recommendations", "pathway"], "en"),
        # Everything in the first message: kept until consent, then understood.
        ([WELDING_ZH, "同意", "对"], ["welcome", "confirm_skills", "recommendations"], "zh"),
    ],
)
def test_conversation_walks_the_phases(client: TestClient, turns: list[str], phases: list[str], lang: str) -> None:
    session = None
    seen = []
    for message in turns:
        body = say(client, session, message)
        session = body["session_id"]
        seen.append(body["phase"])
        assert body["profile"]["language"] == lang or body["phase"] == "welcome"
    assert seen == phases
    last = body
    if last["phase"] == "pathway":
        kinds = [c["why"] for c in last["cards"]]
        assert kinds[0] == "recognition" and kinds[-1] == "occupation", kinds
    if last["phase"] == "recommendations":
        types = {c["type"] for c in last["cards"]}
        assert "occupation" in types, types
        assert all(c["source"]["name"] for c in last["cards"]), last["cards"]


def test_reply_language_follows_each_message(client: TestClient) -> None:
    body = say(client, None, "你好")
    assert "同意" in body["reply"]
    body = say(client, body["session_id"], "Could you speak English please")
    assert body["language"] == "en" and "agree" in body["reply"]


def test_declining_consent_keeps_nothing(client: TestClient) -> None:
    body = say(client, None, WELDING_ZH)
    body = say(client, body["session_id"], "不同意")
    assert "删除" in body["reply"] and body["profile"]["skills"] == []
    engine = make_engine(client.home.settings.database_url)  # type: ignore[attr-defined]
    with make_sessionmaker(engine)() as s:
        # Other tests share this store: count this conversation's messages only.
        stored = select(func.count()).select_from(ConversationMessage).where(
            ConversationMessage.conversation_id == conversation_id(body["session_id"]))
        assert s.scalar(stored) == 0
    engine.dispose()


def test_skill_correction_and_goal_change(client: TestClient) -> None:
    session = say(client, None, "同意")["session_id"]
    body = say(client, session, "我在工厂做了三年电焊，会看图纸")
    assert {s["evidence"] for s in body["profile"]["skills"]} == {"电焊", "看图纸"}
    body = say(client, session, "我不会看图纸")
    assert body["phase"] == "confirm_skills"
    assert {s["evidence"] for s in body["profile"]["skills"]} == {"电焊"}
    body = say(client, session, "其实我想当电工")
    goals = body["profile"]["goals"]["occupations"]
    assert len(goals) == 1 and "电工" in goals[0]["title"], goals


@pytest.mark.parametrize(
    ("question", "document"),
    [
        ("企业新型学徒制的培养期限是多长？", "china-new-type-enterprise-apprenticeship.zh.md"),
        ("什么是先前学习认定？", "recognition-of-prior-learning.zh.md"),
        ("What is recognition of prior learning?", "recognition-of-prior-learning.en.md"),
    ],
)
def test_policy_questions_are_answered_from_cited_passages(client: TestClient, question: str, document: str) -> None:
    session = say(client, None, "同意")["session_id"]
    body = say(client, session, question)
    assert body["cards"], body["reply"]
    assert all(c["type"] == "policy" for c in body["cards"])
    assert any(document in c["code"] for c in body["cards"]), [c["code"] for c in body["cards"]]
    assert body["phase"] == "experience"  # a question is a jump: the conversation stays where it was


@pytest.mark.parametrize("question", ["比特币挖矿有补贴吗？", "How do I apply for a Mars visa?"])
def test_unknown_policy_questions_get_an_honest_no(client: TestClient, question: str) -> None:
    session = say(client, None, "I agree" if question.isascii() else "同意")["session_id"]
    body = say(client, session, question)
    assert body["cards"] == []
    assert "12333" in body["reply"]


@pytest.mark.parametrize(
    ("payload", "status", "detail"),
    [
        ({"session_id": None, "message": "   "}, 400, "message: the message is empty"),
        ({"session_id": None, "message": "hi", "lang": "fr"}, 400, "lang: 'fr' is not one of zh, en"),
        ({"session_id": "nope", "message": "hi"}, 404, "session_id: no conversation 'nope'"),
        ({"session_id": None}, 400, "message: "),
        # Refused, not answered: a 400 the page turns into a message in the person's language (chat.js).
        ({"session_id": None, "message": "电焊" * 1001}, 400,
         "message: the message is longer than 2000 characters (it has 2002)"),
    ],
)
def test_bad_requests(client: TestClient, payload: dict[str, Any], status: int, detail: str) -> None:
    res = client.post("/api/chat", json=payload)
    assert res.status_code == status, res.text
    assert res.json()["detail"].startswith(detail), res.json()


@pytest.mark.slow
def test_conversation_resumes_after_a_restart(copy_indexed_home: IndexedHome) -> None:
    with TestClient(create_app(copy_indexed_home.settings)) as first:
        session = say(first, None, "同意")["session_id"]
        before = say(first, session, WELDING_ZH)
    with TestClient(create_app(copy_indexed_home.settings)) as second:  # a new process: only the store remains
        after = say(second, session, "对")
    assert before["phase"] == "confirm_skills" and after["phase"] == "recommendations"
    assert after["profile"]["constraints"]["location"] == "湖州市"
    assert all(s["confirmed"] for s in after["profile"]["skills"])


def test_a_reply_carries_the_handle_and_the_case_code(client: TestClient) -> None:
    first = say(client, None, "同意")
    handle = first["session_id"]
    cid, key = conversation_id(handle), key_headers(handle)[KEY_HEADER]
    assert len(cid) == 32 and len(key) == 32 and handle == f"{cid}.{key}"
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}", first["case_code"]), first["case_code"]
    # The bare id with the key in the header goes on just the same; every reply hands back the same handle and code.
    res = client.post("/api/chat", json={"session_id": cid, "message": WELDING_ZH}, headers=key_headers(handle))
    assert res.status_code == 200 and res.json()["session_id"] == handle
    assert res.json()["case_code"] == first["case_code"]
    # The bare id alone, as a plan address or a log would show it: an unknown conversation.
    alone = client.post("/api/chat", json={"session_id": cid, "message": "对"})
    assert alone.status_code == 404 and alone.json()["detail"] == f"session_id: no conversation '{cid}' (it may " \
                                                                  "have been deleted)"
