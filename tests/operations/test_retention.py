"""The retention service: expired uploads leave the disk, each purge is audited with counts, the service's loop runs
in the background and stops with the app."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts.audit import list_events
from assistant.api.app import create_app
from assistant.config import Settings
from assistant.operations import retention
from assistant.operations.retention import Policy, PurgeLoop, PurgeReport, purge, start_purge_loop
from assistant.operations.uploads import MANIFEST, Uploads
from assistant.store import conversations
from assistant.store.db import make_engine, make_sessionmaker
from assistant.store.models import Conversation
from tests.accounts.helpers import cheap_hashing, staff_home
from tests.operations.conftest import GOOD_CSV, LIMITS

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=timezone.utc)
POLICY = Policy(conversations=90, casework=365, uploads=90, audit=365)


def _ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _upload(root: Path, sessions: sessionmaker[Session], *, days: float, imported_days: float | None = None) -> str:
    """An upload received `days` ago (and imported `imported_days` ago), through the real Uploads service."""
    uploads = Uploads(root, sessions, limits=LIMITS, clock=lambda: _ago(days))
    upload = uploads.receive(GOOD_CSV.encode(), "offers.csv", actor="olu")
    if imported_days is not None:
        upload.status, upload.imported_at, upload.imported_by = "imported", _ago(imported_days).isoformat(), "olu"
        uploads.save(upload)
    return upload.id


def _chat(sessions: sessionmaker[Session], cid: str, *, days: float) -> None:
    with sessions.begin() as session:
        conv = conversations.create_conversation(session, conversation_id=cid, language="en", phase="welcome",
                                                 now=_ago(days))
        conversations.add_message(session, conv, role="user", text="hello", language="en", phase="welcome",
                                  cards=[], now=_ago(days))


# name → (days since it was uploaded, days since it was imported or None, expired at NOW?)
UPLOADS = {
    "fresh": (10, None, False),
    "old": (100, None, True),
    "old, imported lately": (200, 30, False),
    "old, imported long ago": (200, 120, True),
    "just inside": (89.9, None, False),
}


def test_expired_uploads_leave_the_disk(sqlite_factory: sessionmaker[Session], tmp_path: Path) -> None:
    root = tmp_path / "uploads"
    ids = {name: _upload(root, sqlite_factory, days=d, imported_days=i) for name, (d, i, _gone) in UPLOADS.items()}
    # A folder whose manifest cannot be read goes by the time in its name; other names are not ours to touch.
    broken = _upload(root, sqlite_factory, days=120)
    (root / broken / MANIFEST).write_text("{not json")
    (root / "notes.txt").write_text("kept")
    (root / ".deleting-20200101T000000000Z-abcdef").mkdir()  # left by an interrupted purge: finished now

    report = purge(sqlite_factory, Uploads(root, sqlite_factory), POLICY, now=NOW)

    left = {p.name for p in root.iterdir()}
    expected = {ids[name] for name, (_d, _i, gone) in UPLOADS.items() if not gone} | {"notes.txt"}
    assert left == expected
    assert report.uploads == 3


def test_a_purge_is_audited_with_counts_only(sqlite_factory: sessionmaker[Session], tmp_path: Path) -> None:
    uploads = Uploads(tmp_path / "uploads", sqlite_factory)
    _chat(sqlite_factory, "old-chat", days=100)
    _chat(sqlite_factory, "new-chat", days=1)
    _upload(uploads.root, sqlite_factory, days=100)

    dry = purge(sqlite_factory, uploads, POLICY, now=NOW, dry_run=True)
    assert dry == PurgeReport(conversations=1, casework_conversations=0, messages=1, audit_events=0, uploads=1,
                              dry_run=True)
    with sqlite_factory() as session:
        assert list_events(session, action="retention.purge") == []  # a dry run changes nothing, records nothing

    done = purge(sqlite_factory, uploads, POLICY, now=NOW)
    assert dataclasses.replace(done, dry_run=True) == dry
    again = purge(sqlite_factory, uploads, POLICY, now=NOW)
    assert again.total == 0
    with sqlite_factory() as session:
        events = list_events(session, action="retention.purge")
        assert set(session.scalars(select(Conversation.id))) == {"new-chat"}
    assert len(events) == 1, "a purge that found nothing is not recorded"
    assert (events[0].actor, events[0].target) == (None, "")
    assert events[0].detail == {"conversations": 1, "casework_conversations": 0, "messages": 1, "audit_events": 0,
                                "uploads": 1}


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ({"conversations": -1}, "negative: conversations"),
        ({"uploads": -5, "audit": -1}, "negative: uploads, audit"),
    ],
)
def test_policy_refuses_negative_periods(days: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Policy(**{"conversations": 90, "casework": 365, "uploads": 90, "audit": 365, **days})


def test_policy_reads_the_settings() -> None:
    settings = Settings.from_env({"SKILLPATH_RETENTION_DAYS_CONVERSATIONS": "30",
                                  "SKILLPATH_RETENTION_DAYS_AUDIT": "0"})
    assert Policy.from_settings(settings) == Policy(conversations=30, casework=365, uploads=90, audit=0)
    assert Policy.from_settings(settings).cutoff(0, NOW) is None  # 0 keeps forever


def test_the_loop_runs_until_stopped_and_survives_a_failing_purge() -> None:
    calls: list[float] = []
    twice = threading.Event()

    def job() -> None:
        calls.append(time.monotonic())
        if len(calls) >= 2:
            twice.set()
        raise RuntimeError("store away")  # logged; the loop goes on

    loop = PurgeLoop(job, every=0.01, first_delay=0.0).start()
    assert twice.wait(5), "the loop did not run twice"
    loop.stop(timeout=5)
    assert not loop.alive
    runs = len(calls)
    time.sleep(0.05)
    assert len(calls) == runs, "the loop ran after it was stopped"


def test_the_loop_is_off_when_the_interval_is_zero(sqlite_factory: sessionmaker[Session], tmp_path: Path) -> None:
    settings = Settings.from_env({"SKILLPATH_HOME": str(tmp_path), "SKILLPATH_PURGE_EVERY_HOURS": "0"})
    assert start_purge_loop(settings, sqlite_factory, Uploads(tmp_path / "uploads", sqlite_factory)) is None


def test_the_service_purges_in_the_background(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_hashing(monkeypatch)
    monkeypatch.setattr(retention, "FIRST_RUN_DELAY", 0.0)
    settings = dataclasses.replace(staff_home(tmp_path), purge_every_hours=0.5 / 3600)  # every half second
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    # The service purges against the real clock.
    with sessions.begin() as session:
        conversations.create_conversation(session, conversation_id="long-forgotten", language="en", phase="welcome",
                                          now=datetime.now(timezone.utc) - timedelta(days=91))
    others = set(threading.enumerate())
    with TestClient(create_app(settings)):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with sessions() as session:
                if session.get(Conversation, "long-forgotten") is None:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the service did not purge the expired conversation")
        loops = [t for t in threading.enumerate() if t.name == "skillpath-purge" and t not in others]
        assert len(loops) == 1
    assert not loops[0].is_alive(), "the loop outlived the app"
    engine.dispose()
