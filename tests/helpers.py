"""Test helpers: a full snapshot of the store's rows, to prove that nothing changed."""

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


def converse(client: Any, turns: list[str], session: str | None = None) -> list[dict[str, Any]]:
    """Send the turns of one conversation to POST /api/chat in order; every reply must be 200."""
    out: list[dict[str, Any]] = []
    for message in turns:
        res = client.post("/api/chat", json={"session_id": session, "message": message})
        assert res.status_code == 200, res.text
        out.append(res.json())
        session = out[-1]["session_id"]
    return out
