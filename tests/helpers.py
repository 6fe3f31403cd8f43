"""Test helpers: a full snapshot of the store's rows, to prove that nothing changed; playing a conversation and
opening it again with its key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from assistant.store.models import Base


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, as comparable tuples."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted((tuple(repr(v) for v in r) for r in rows))
    return out


KEY_HEADER = "X-Conversation-Key"


def conversation_id(handle: str) -> str:
    """The conversation id inside a reply's session_id ("<id>.<key>")."""
    return handle.partition(".")[0]


def key_headers(handle: str) -> dict[str, str]:
    """The header that opens the conversation behind a reply's session_id (GET, export, DELETE, the plan page)."""
    return {KEY_HEADER: handle.partition(".")[2]}


def converse(client: Any, turns: list[str], session: str | None = None) -> list[dict[str, Any]]:
    """Send the turns of one conversation to POST /api/chat in order; every reply must be 200.

    `session_id` in the replies is the handle (id and key) the next turn sends back."""
    out: list[dict[str, Any]] = []
    for message in turns:
        res = client.post("/api/chat", json={"session_id": session, "message": message})
        assert res.status_code == 200, res.text
        out.append(res.json())
        session = out[-1]["session_id"]
    return out
