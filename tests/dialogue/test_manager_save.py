"""A chat turn holds no database connection while it thinks, and a turn that lost a race with another turn of the
same conversation is redone from the newer state instead of overwriting it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assistant.api.app import create_app
from assistant.api.deps import require_services
from assistant.dialogue.manager import SAVE_ATTEMPTS, DialogueManager
from assistant.store.models import ConversationMessage
from tests.conftest import IndexedHome
from tests.helpers import conversation_id


@pytest.fixture
def client(copy_indexed_home: IndexedHome) -> Iterator[TestClient]:
    with TestClient(create_app(copy_indexed_home.settings)) as c:
        yield c


def _messages(manager: DialogueManager, session_id: str) -> int:
    with manager.sessions() as session:
        return session.scalar(select(func.count()).select_from(ConversationMessage)
                              .where(ConversationMessage.conversation_id == conversation_id(session_id))) or 0


def test_no_connection_is_held_while_guidance_runs(client: TestClient) -> None:
    manager: DialogueManager = require_services(client.app).dialogue
    pool = require_services(client.app).engine.pool
    seen: list[int] = []
    handle = manager._handle

    def spying(conv: Any, message: str) -> Any:
        seen.append(pool.checkedout())
        return handle(conv, message)

    manager._handle = spying  # type: ignore[method-assign]
    first = manager.turn(None, "同意")
    manager.turn(first.session_id, "我在工厂做了三年电焊，会看图纸")
    assert seen == [0, 0]


@pytest.mark.parametrize("races", [1, SAVE_ATTEMPTS - 1])
def test_a_turn_that_lost_a_race_is_redone_on_the_newer_state(client: TestClient, races: int) -> None:
    manager: DialogueManager = require_services(client.app).dialogue
    sid = manager.turn(None, "同意").session_id
    handle = manager._handle
    calls = {"n": 0}

    def racing(conv: Any, message: str) -> Any:
        calls["n"] += 1
        if calls["n"] <= races:  # another tab's turn is saved while this one thinks
            manager._handle = handle  # type: ignore[method-assign]
            manager.turn(sid, "我在湖州")
            manager._handle = racing  # type: ignore[method-assign]
        return handle(conv, message)

    before = _messages(manager, sid)
    manager._handle = racing  # type: ignore[method-assign]
    turn = manager.turn(sid, "我会看图纸")
    manager._handle = handle  # type: ignore[method-assign]
    assert calls["n"] == races + 1  # redone once per lost race
    assert _messages(manager, sid) == before + 2 * (races + 1)  # every turn's messages kept, none overwritten
    assert turn.profile.get("constraints", {}).get("location") == "湖州市"  # the racing turn's fact survived


def test_a_conversation_that_never_settles_is_refused_with_409(client: TestClient) -> None:
    manager: DialogueManager = require_services(client.app).dialogue
    sid = manager.turn(None, "同意").session_id
    handle = manager._handle

    def always_racing(conv: Any, message: str) -> Any:
        manager._handle = handle  # type: ignore[method-assign]
        manager.turn(sid, "我在湖州")
        manager._handle = always_racing  # type: ignore[method-assign]
        return handle(conv, message)

    manager._handle = always_racing  # type: ignore[method-assign]
    res = client.post("/api/chat", json={"session_id": sid, "message": "我会看图纸"})
    manager._handle = handle  # type: ignore[method-assign]
    assert res.status_code == 409
    assert res.json()["error"] == "ConflictError" and "send the message again" in res.json()["detail"]
    assert conversation_id(sid) in res.json()["detail"] and sid not in res.json()["detail"]  # never the key
