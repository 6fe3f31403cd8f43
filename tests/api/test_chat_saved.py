"""GET and DELETE /api/chat/{id}: the stored conversation read back for a reloaded page, and really deleted."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.store.db import make_engine, make_sessionmaker
from assistant.store.models import Conversation, ConversationMessage
from tests.conftest import IndexedHome
from tests.helpers import conversation_id, key_headers

WELDING_ZH = "我在工厂做了三年电焊，会看图纸，想在湖州找个能拿工资的学徒岗位"
# A stated goal puts the welder among the occupations shown whatever the test embedder: the offers shown must lead
# to one of them.
WELDER_ZH = "我在工厂做了三年电焊，会看图纸，想做焊工，想在湖州找个能拿工资的学徒岗位"


@pytest.fixture(scope="module")
def client(indexed_home: IndexedHome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app over a private copy for the whole module: every test starts its own conversation."""
    home = tmp_path_factory.mktemp("saved") / "home"
    shutil.copytree(indexed_home.home, home)
    settings = Settings.from_env({**indexed_home.env, "SKILLPATH_HOME": str(home)})
    with TestClient(create_app(settings)) as c:
        c.settings = settings  # type: ignore[attr-defined]
        yield c


def talk(client: TestClient, *messages: str, lang: str | None = None) -> list[dict[str, Any]]:
    session, bodies = None, []
    for message in messages:
        res = client.post("/api/chat", json={"session_id": session, "message": message, "lang": lang})
        assert res.status_code == 200, res.text
        bodies.append(res.json())
        session = bodies[-1]["session_id"]
    return bodies


def stored_rows(client: TestClient, session: str) -> tuple[int, int]:
    engine = make_engine(client.settings.database_url)  # type: ignore[attr-defined]
    with make_sessionmaker(engine)() as s:
        conversations = s.scalar(select(func.count()).select_from(Conversation).where(Conversation.id == session))
        messages = s.scalar(select(func.count()).select_from(ConversationMessage)
                            .where(ConversationMessage.conversation_id == session))
    engine.dispose()
    return int(conversations or 0), int(messages or 0)


def test_the_stored_conversation_is_read_back(client: TestClient) -> None:
    bodies = talk(client, "你好", "同意", WELDING_ZH, "对")
    last = bodies[-1]
    handle = last["session_id"]
    view = client.get(f"/api/chat/{conversation_id(handle)}", headers=key_headers(handle)).json()
    assert {k: view[k] for k in ("session_id", "case_code", "phase", "language", "consent", "suggestions")} == {
        "session_id": conversation_id(handle), "case_code": last["case_code"], "phase": "recommendations",
        "language": "zh", "consent": True, "suggestions": last["suggestions"]}
    assert "." not in view["session_id"]  # the key is never handed out again
    assert view["profile"] == last["profile"]
    assert view["cards"] == last["cards"]
    # Stored from the consent on: "你好" came before it and was not kept.
    assert [(m["role"], m["text"]) for m in view["messages"][::2]] == [("user", "同意"), ("user", WELDING_ZH),
                                                                       ("user", "对")]
    assert [m["text"] for m in view["messages"][1::2]] == [b["reply"] for b in bodies[1:]]
    assert view["messages"][-1]["cards"] == last["cards"] and view["messages"][-1]["phase"] == "recommendations"


def test_before_consent_nothing_personal_comes_back(client: TestClient) -> None:
    first = talk(client, WELDING_ZH)[0]  # held until the person answers the consent question
    handle = first["session_id"]
    view = client.get(f"/api/chat/{conversation_id(handle)}", headers=key_headers(handle)).json()
    assert view["consent"] is None and view["phase"] == "welcome"
    assert view["messages"] == [] and view["cards"] == [] and view["profile"] == {}
    assert "电焊" not in str(view)


def test_offer_and_step_cards_carry_the_sample_flag(client: TestClient) -> None:
    bodies = talk(client, "同意", WELDER_ZH, "对", "好的")
    offers = [c for c in bodies[2]["cards"] if c["type"] in ("apprenticeship", "training")]
    assert offers and all(c["sample"] is True and c["source"]["sample"] is True for c in offers)
    steps = bodies[3]["cards"]
    assert [c["why"] for c in steps][0] == "recognition"
    assert {c["why"]: c["sample"] for c in steps}["apprenticeship"] is True
    assert {c["why"]: c["sample"] for c in steps}["occupation"] is False


def test_delete_really_deletes(client: TestClient) -> None:
    handle = talk(client, "同意", WELDING_ZH)[-1]["session_id"]
    session = conversation_id(handle)
    assert stored_rows(client, session) == (1, 4)
    res = client.delete(f"/api/chat/{session}", headers=key_headers(handle))
    assert res.status_code == 204 and res.content == b""
    assert stored_rows(client, session) == (0, 0)
    for method, status in (("GET", 404), ("DELETE", 404)):
        res = client.request(method, f"/api/chat/{session}", headers=key_headers(handle))
        assert res.status_code == status, res.text
        assert res.json() == {"error": "NotFoundError",
                              "detail": f"session_id: no conversation '{session}' (it may have been deleted)"}
    res = client.post("/api/chat", json={"session_id": handle, "message": "对"})
    assert res.status_code == 404  # the old id does not come back to life


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/chat/nope"), ("DELETE", "/api/chat/nope")])
def test_unknown_ids_are_404(client: TestClient, method: str, path: str) -> None:
    res = client.request(method, path)
    assert res.status_code == 404
    assert res.json()["detail"] == "session_id: no conversation 'nope' (it may have been deleted)"
