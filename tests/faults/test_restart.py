"""A server restarted mid-conversation (SIGTERM, then SIGKILL): the job seeker's session carries on where it was.

Real `skillpath serve` processes on one data home and store, SQLite and (when configured) PostgreSQL. Only the store
survives a restart, so the profile, the phase and the messages must all have been written to it by the turn that
produced them.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_chat import WELDING_ZH
from tests.conftest import IndexedHome
from tests.faults.conftest import Server, assert_store_consistent, http, running
from tests.helpers import conversation_id, key_headers

# (what the person says, the phase after it); a restart comes between each pair of turns after the second.
TURNS = [("同意", "experience"), (WELDING_ZH, "confirm_skills"), ("对", "recommendations"), ("好的", "pathway")]


def turn(server: Server, session: str | None, message: str) -> dict[str, Any]:
    status, body = http("POST", server.url + "/api/chat", {"session_id": session, "message": message})
    assert status == 200, body
    return body


def assert_profile(body: dict[str, Any]) -> None:
    """What the welding message told us: still known after every restart."""
    profile = body["profile"]
    assert profile["constraints"]["location"] == "湖州市" and profile["constraints"]["wants_apprenticeship"]
    assert {s["evidence"] for s in profile["skills"]} >= {"电焊", "看图纸"}


# How each server of the test ends. SIGTERM: uvicorn finishes what is in flight, runs the app's shutdown, then
# exits by the same signal. SIGKILL: nothing runs on the way out, so whatever a turn wrote must have been committed
# before its answer went out. PostgreSQL gets the hard one only: a graceful stop is no different there.
STOPS = {"sqlite": [signal.SIGTERM, signal.SIGKILL], "postgres": [signal.SIGKILL]}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served_home(request: pytest.FixtureRequest, copy_indexed_home: IndexedHome) -> tuple[str, IndexedHome]:
    """A data home to serve: a private copy of the indexed SQLite home, or the PostgreSQL one."""
    if request.param == "sqlite":
        return request.param, copy_indexed_home
    return request.param, request.getfixturevalue("pg_home")  # skips without SKILLPATH_TEST_POSTGRES_URL


@pytest.mark.slow
def test_a_restarted_server_resumes_the_conversation(served_home: tuple[str, IndexedHome], tmp_path: Path) -> None:
    store, home = served_home
    log = tmp_path / "serve.log"
    session: str | None = None
    said = 0
    for stop in [*STOPS[store], None]:
        with running(home.env, log) as server:
            # Two turns before the first restart (consent, then the story), one after each, the rest on the last.
            upto = 2 if said == 0 else len(TURNS) if stop is None else said + 1
            for message, phase in TURNS[said:upto]:
                body = turn(server, session, message)
                assert (body["phase"], body["session_id"]) == (phase, session or body["session_id"]), body["reply"]
                session, said = body["session_id"], said + 1
                if said >= 2:
                    assert_profile(body)
            if stop == signal.SIGTERM:
                assert server.stop(stop) in (0, -signal.SIGTERM)
                assert "Application shutdown complete." in server.output(), server.output()
            elif stop == signal.SIGKILL:
                assert server.stop(stop) == -signal.SIGKILL
            else:  # the whole conversation, as a reloaded page reads it
                status, view = http("GET", f"{server.url}/api/chat/{conversation_id(session)}",
                                    headers=key_headers(session))
    assert said == len(TURNS) and any(c["type"] == "step" for c in body["cards"]), body["cards"]
    assert status == 200 and view["phase"] == "pathway"
    assert_profile(view)
    messages = view["messages"]
    assert [(m["role"], m["text"]) for m in messages[::2]] == [("user", message) for message, _ in TURNS]
    assert [(m["role"], m["phase"]) for m in messages[1::2]] == [("assistant", phase) for _, phase in TURNS]
    assert_store_consistent(home.settings.database_url)
