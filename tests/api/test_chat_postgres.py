"""POST /api/chat and /api/match on PostgreSQL: the bundled knowledge ingested and indexed there, a conversation
walked, resumed after a restart, and the store checked for what consent allows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assistant.api.app import create_app
from assistant.cli import main
from assistant.config import Settings
from assistant.store.db import make_engine, make_sessionmaker
from assistant.store.models import Conversation, ConversationMessage
from tests.api.test_chat import WELDING_ZH, say
from tests.conftest import PG_ENV, _pg_database
from tests.helpers import conversation_id

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The bundled defaults ingested into a fresh PostgreSQL database and indexed with the fake embedder."""
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        pytest.skip(f"{PG_ENV} not set (CI sets it after starting PostgreSQL)")
    home: Path = tmp_path_factory.mktemp("pg-home")
    for url in _pg_database(admin_url):
        env = {"SKILLPATH_HOME": str(home), "SKILLPATH_EMBEDDER": "fake", "SKILLPATH_DATABASE_URL": url}
        assert main(["ingest"], environ=env) == 0
        assert main(["index"], environ=env) == 0
        yield Settings.from_env(env)


def _count(settings: Settings, model: type, session_id: str) -> int:
    engine = make_engine(settings.database_url)
    column = model.id if model is Conversation else model.conversation_id  # type: ignore[attr-defined]
    with make_sessionmaker(engine)() as s:
        n = s.scalar(select(func.count()).select_from(model).where(column == conversation_id(session_id)))
    engine.dispose()
    return int(n or 0)


def test_chat_walks_resumes_and_stores_on_postgres(pg_settings: Settings) -> None:
    with TestClient(create_app(pg_settings)) as first:
        declined = say(first, None, WELDING_ZH)["session_id"]
        say(first, declined, "不同意")
        session = say(first, None, "同意")["session_id"]
        before = say(first, session, WELDING_ZH)
    with TestClient(create_app(pg_settings)) as second:  # a new process: only the store remains
        after = say(second, session, "对")
    assert before["phase"] == "confirm_skills" and after["phase"] == "recommendations"
    assert after["profile"]["constraints"]["location"] == "湖州市"
    assert {s["evidence"] for s in after["profile"]["skills"]} >= {"电焊", "看图纸"}
    assert any(c["type"] == "occupation" for c in after["cards"]), after["cards"]
    assert _count(pg_settings, ConversationMessage, declined) == 0
    # 同意, the welding message and 对, each with SkillPath's reply.
    assert _count(pg_settings, ConversationMessage, session) == 6


def test_match_on_postgres(pg_settings: Settings) -> None:
    with TestClient(create_app(pg_settings)) as client:
        res = client.post("/api/match", json={"text": WELDING_ZH, "lang": "zh", "k": 3})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["profile"]["constraints"]["location"] == "湖州市"
    assert len(body["occupations"]) == 3 and all(o["reasons"] for o in body["occupations"])
    assert body["pathway"] and body["pathway"][-1]["kind"] == "occupation"
