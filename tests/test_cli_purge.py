"""`skillpath purge [--dry-run] [--json]`: what the retention settings say has expired, counted or deleted."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assistant.cli import main
from assistant.config import Settings
from assistant.store import conversations
from assistant.store.db import make_engine, make_sessionmaker, migrate
from assistant.store.models import AuditEvent, Conversation


def _home(tmp_path: Path, **env: str) -> dict[str, str]:
    environ = {"SKILLPATH_HOME": str(tmp_path / "home"), **env}
    engine = make_engine(Settings.from_env(environ).database_url)
    migrate(engine)
    now = datetime.now(timezone.utc)
    with make_sessionmaker(engine).begin() as session:
        for cid, days in (("old", 120), ("recent", 3)):
            conv = conversations.create_conversation(session, conversation_id=cid, language="zh", phase="welcome",
                                                     now=now - timedelta(days=days))
            conversations.add_message(session, conv, role="user", text="你好", language="zh", phase="welcome",
                                      cards=[], now=now - timedelta(days=days))
    engine.dispose()
    return environ


def _store(environ: dict[str, str]) -> tuple[set[str], int]:
    engine = make_engine(Settings.from_env(environ).database_url)
    with make_sessionmaker(engine)() as session:
        ids = set(session.scalars(select(Conversation.id)))
        audited = session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "retention.purge"))
    engine.dispose()
    return ids, int(audited or 0)


@pytest.mark.parametrize(
    ("env", "args", "left", "lines"),
    [
        ({}, ["--dry-run"], {"old", "recent"},
         ["expired (dry run: nothing deleted):", "  conversations without casework        1  (kept 90 days)",
          "  their messages                        1  (go with their conversation)",
          "  audit entries                         0  (kept 365 days)"]),
        ({}, [], {"recent"}, ["deleted:", "  conversations without casework        1  (kept 90 days)"]),
        ({"SKILLPATH_RETENTION_DAYS_CONVERSATIONS": "0"}, [], {"old", "recent"},
         ["deleted:", "  conversations without casework        0  (kept forever)"]),
        ({"SKILLPATH_RETENTION_DAYS_CONVERSATIONS": "2"}, [], set(), ["  their messages                        2"]),
    ],
    ids=["dry-run", "default", "kept-forever", "two-days"],
)
def test_purge_command(tmp_path: Path, capsys: pytest.CaptureFixture[str], env: dict[str, str], args: list[str],
                       left: set[str], lines: list[str]) -> None:
    environ = _home(tmp_path, **env)
    assert main(["purge", *args], environ=environ) == 0
    out = capsys.readouterr().out.splitlines()
    for line in lines:
        assert any(o.startswith(line) for o in out), f"{line!r} not in:\n" + "\n".join(out)
    ids, audited = _store(environ)
    assert ids == left
    assert audited == (0 if "--dry-run" in args or ids == {"old", "recent"} else 1)


def test_purge_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    environ = _home(tmp_path)
    assert main(["purge", "--json"], environ=environ) == 0
    assert json.loads(capsys.readouterr().out) == {"conversations": 1, "casework_conversations": 0, "messages": 1,
                                                   "audit_events": 0, "uploads": 0, "dry_run": False}
