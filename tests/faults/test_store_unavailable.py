"""The store goes away and comes back: clear 503s (JSON for the API, a page for browsers), never a 500, and the
same app answers again once the store is back, without a restart.

PostgreSQL: a TCP proxy between the app and the server is cut (new connections refused, open ones broken), while
the app runs or before it starts. SQLite: another process holds the write lock, or the database file cannot be
opened (a folder where the file should be) until it is put back.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from assistant.accounts.service import Accounts
from assistant.api.app import create_app
from assistant.config import Settings
from assistant.store.db import CONNECT_TIMEOUT, make_engine, make_sessionmaker
from tests.accounts.helpers import PASSWORDS, cheap_hashing
from tests.api.test_auth import login
from tests.api.test_chat import WELDING_ZH
from tests.conftest import IndexedHome
from tests.faults.proxy import TcpProxy
from tests.helpers import conversation_id, key_headers

HTML = {"accept": "text/html"}
# What must never reach a client: driver and library names, stack traces, where the database lives.
INTERNALS = ("Traceback", "sqlalchemy", "psycopg", "sqlite3", "OperationalError", "127.0.0.1", "skillpath.db")


def unavailable(reason: str) -> dict[str, str]:
    return {"error": "StoreUnavailableError",
            "detail": f"the store is unavailable: {reason}; please try again shortly"}


def ask(client: TestClient, name: str, session: str) -> httpx.Response:
    """One of the requests the outage is checked with, by name."""
    if name == "chat":
        return client.post("/api/chat", json={"session_id": session, "message": "对"})
    if name == "chat history":
        return client.get(f"/api/chat/{conversation_id(session)}", headers=key_headers(session))
    if name == "match":
        return client.post("/api/match", json={"text": WELDING_ZH, "lang": "zh", "k": 3})
    if name == "search":
        return client.get("/api/search", params={"q": "焊工", "type": "occupation", "k": 3})
    if name == "healthz":
        return client.get("/healthz")
    assert name == "plan page"
    # As the page's script fetches it: the id in the address, the key in its header
    return client.get(f"/plan/{conversation_id(session)}", headers={**HTML, **key_headers(session)})


def assert_outage(res: httpx.Response, expected: Any) -> None:
    """503 with the reason (JSON), the 503 page (HTML), or whatever still works from memory (200).

    /healthz is for operators and load balancers: it keeps the driver's own words (host, port) in its detail.
    """
    assert expected == "healthz" or not any(word in res.text for word in INTERNALS), res.text[:2000]
    assert "Traceback" not in res.text
    if expected == 200:
        assert res.status_code == 200, res.text[:500]
    elif expected == "page":
        assert (res.status_code, res.headers["content-type"]) == (503, "text/html; charset=utf-8")
        assert "服务暂时不可用，请稍后再试。" in res.text and "(503)" in res.text
    elif expected == "healthz":
        assert res.status_code == 503 and res.json()["status"] == "unavailable"
        assert res.json()["detail"].startswith("cannot reach the store: "), res.json()
    else:
        assert (res.status_code, res.json()) == (503, unavailable(expected))


def start_conversation(client: TestClient) -> str:
    """Consent and the welding story: the conversation waits for the skills to be confirmed."""
    first = client.post("/api/chat", json={"message": "同意"})
    assert first.status_code == 200, first.text
    session = first.json()["session_id"]
    second = client.post("/api/chat", json={"session_id": session, "message": WELDING_ZH})
    assert second.status_code == 200 and second.json()["phase"] == "confirm_skills", second.text
    return str(session)


def assert_back(client: TestClient, session: str | None) -> None:
    """Everything answers again, and a conversation from before the outage carries on where it was."""
    for name in ("healthz", "search", "match"):
        assert ask(client, name, "").status_code == 200, name
    if session is None:
        session = start_conversation(client)
    turn = client.post("/api/chat", json={"session_id": session, "message": "对"})
    assert turn.status_code == 200 and turn.json()["phase"] == "recommendations", turn.text
    assert turn.json()["profile"]["constraints"]["location"] == "湖州市"
    assert ask(client, "plan page", session).status_code == 200


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


# --- PostgreSQL behind a proxy ------------------------------------------------------------------------------------

DOWN = "cannot connect to the database server"
PG_RUNNING = {"chat": DOWN, "chat history": DOWN, "plan page": "page", "healthz": "healthz",
              "search": 200, "match": 200}  # search and match answer from what they hold in memory
PG_AT_START = {**PG_RUNNING, "match": DOWN}  # nothing read yet: matching needs the store once


@pytest.fixture
def proxied(pg_home: IndexedHome, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TcpProxy, Settings]]:
    """The PostgreSQL home, reached through a proxy the test can cut; an operator account in its store."""
    cheap_hashing(monkeypatch)
    engine = make_engine(pg_home.settings.database_url)
    accounts = Accounts(make_sessionmaker(engine))
    if accounts.find("olu") is None:
        accounts.add_user("olu", "operator", PASSWORDS["olu"], via="cli")
    engine.dispose()
    url = make_url(pg_home.settings.database_url)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        yield proxy, Settings.from_env({**pg_home.env, "SKILLPATH_DATABASE_URL": through,
                                        "SKILLPATH_COOKIE_SECURE": "0"})


@pytest.mark.postgres
@pytest.mark.parametrize("when", ["while running", "at start"])
def test_postgres_cut_off_and_back(proxied: tuple[TcpProxy, Settings], caplog: pytest.LogCaptureFixture,
                                   when: str) -> None:
    proxy, settings = proxied
    session = None
    if when == "at start":
        proxy.cut()
    with TestClient(create_app(settings), raise_server_exceptions=False, follow_redirects=False) as client:
        # A logged-in operator's browser, on the same running app: its session cookie is looked up in the store
        # (by the session middleware) before any route runs.
        staff = TestClient(client.app, raise_server_exceptions=False, follow_redirects=False)
        if when == "while running":
            session = start_conversation(client)
            assert login(staff, "olu").status_code == 303
            for name in PG_RUNNING.keys() - {"chat"}:  # all well before the cut, and matching's catalog read
                assert ask(client, name, session).status_code == 200, name
            assert staff.get("/operator", headers=HTML).status_code == 200
            proxy.cut()
        expected = PG_RUNNING if session else PG_AT_START
        for name, outcome in expected.items():
            assert_outage(ask(client, name, session or "0" * 32), outcome)
        if session:
            assert_outage(staff.get("/operator", headers=HTML), "page")
            assert_outage(staff.get("/api/operator/refresh"), DOWN)
        proxy.restore()
        assert_back(client, session)
        if session:
            assert staff.get("/operator", headers=HTML).status_code == 200  # the login outlived the outage
    assert no_errors_logged(caplog) == []


@pytest.mark.postgres
@pytest.mark.slow  # one request waits out the connect timeout
def test_postgres_that_never_answers(proxied: tuple[TcpProxy, Settings], caplog: pytest.LogCaptureFixture) -> None:
    """A stuck server accepts the connection and says nothing: the request gets its 503 after CONNECT_TIMEOUT
    seconds instead of hanging until TCP gives up (minutes), and the app recovers when the server does."""
    proxy, settings = proxied
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        session = start_conversation(client)
        proxy.hang()
        started = time.monotonic()
        assert_outage(ask(client, "chat", session), "the database server did not answer in time")
        waited = time.monotonic() - started
        assert CONNECT_TIMEOUT - 1 <= waited < CONNECT_TIMEOUT + 10, waited
        proxy.restore()
        assert_back(client, session)
    assert no_errors_logged(caplog) == []


# --- SQLite ---------------------------------------------------------------------------------------------------------

LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def sqlite_client(copy_indexed_home: IndexedHome) -> Iterator[TestClient]:
    settings = Settings.from_env({**copy_indexed_home.env, "SKILLPATH_COOKIE_SECURE": "0"})
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.slow  # one request waits out SQLite's 5 s busy timeout
def test_sqlite_locked_by_another_process(sqlite_client: TestClient, copy_indexed_home: IndexedHome,
                                          caplog: pytest.LogCaptureFixture) -> None:
    session = start_conversation(sqlite_client)
    holder = subprocess.Popen([sys.executable, "-c", LOCK, str(copy_indexed_home.home / "skillpath.db")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        # Writes wait for the lock, then give up with a reason; readers are not blocked (WAL).
        assert_outage(ask(sqlite_client, "chat", session), "the database is locked by another process")
        for name in ("chat history", "healthz", "search", "match", "plan page"):
            assert_outage(ask(sqlite_client, name, session), 200)
    finally:
        holder.communicate("")  # closing its stdin ends the holder, and its lock with it
    assert_back(sqlite_client, session)
    assert no_errors_logged(caplog) == []


@pytest.mark.slow
def test_sqlite_file_cannot_be_opened(copy_indexed_home: IndexedHome, caplog: pytest.LogCaptureFixture) -> None:
    db = copy_indexed_home.home / "skillpath.db"
    away = db.rename(db.with_name("skillpath.db.away"))
    db.mkdir()  # a folder where the database file should be: opening it fails, and nothing is created
    settings = Settings.from_env({**copy_indexed_home.env, "SKILLPATH_COOKIE_SECURE": "0"})
    cannot_open = "the database file cannot be opened"
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for name, outcome in {"chat": cannot_open, "chat history": cannot_open, "match": cannot_open,
                              "plan page": "page", "healthz": "healthz", "search": 200}.items():
            assert_outage(ask(client, name, "0" * 32), outcome)
        db.rmdir()
        away.rename(db)
        assert_back(client, None)
    assert no_errors_logged(caplog) == []
