"""Bad input to the public API (chat, match, search): each is a 4xx naming the reason, and nothing is lost.

"Nothing lost": after each refused request the conversation that was going on still holds its messages, the
store holds as many conversations and messages as before, and the serving index version is the same.
The chat's storage cases (NUL, lone surrogates, other control characters) run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assistant.api.app import create_app
from assistant.api.deps import require_services
from assistant.cli import main
from assistant.config import Settings
from assistant.store.models import Conversation, ConversationMessage
from tests.accounts.helpers import PASSWORDS
from tests.api.test_auth import login
from tests.api.test_chat import WELDING_ZH
from tests.conftest import PG_ENV, IndexedHome, _pg_database
from tests.helpers import conversation_id, key_headers

SID = "{sid}"  # stands for the id of the conversation going on; filled in by the test
BIG = 10 * 1024 * 1024  # "a 10 MB JSON body"
# The process's rate limits are not what these tests are about: dozens of requests go to one conversation.
# Cookies without Secure: the test client speaks plain http (one test logs a counsellor in).
NO_LIMITS = {"SKILLPATH_RATE_CONVERSATION_PER_MINUTE": "0", "SKILLPATH_RATE_ADDRESS_PER_MINUTE": "0",
             "SKILLPATH_COOKIE_SECURE": "0"}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def client(request: pytest.FixtureRequest, indexed_home: IndexedHome,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app on a private copy of the indexed home (SQLite), or on the bundled data ingested into PostgreSQL."""
    home = tmp_path_factory.mktemp("bad-input") / "home"
    if request.param == "sqlite":
        shutil.copytree(indexed_home.home, home)
        with TestClient(create_app(Settings.from_env({**indexed_home.env, **NO_LIMITS, "SKILLPATH_HOME": str(home)}))) \
                as c:
            yield c
        return
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        pytest.skip(f"{PG_ENV} not set (CI sets it after starting PostgreSQL)")
    for url in _pg_database(admin_url):
        env = {"SKILLPATH_HOME": str(home), "SKILLPATH_EMBEDDER": "fake", "SKILLPATH_DATABASE_URL": url, **NO_LIMITS}
        assert main(["ingest"], environ=env) == 0 and main(["index"], environ=env) == 0
        with TestClient(create_app(Settings.from_env(env))) as c:
            yield c


@pytest.fixture(scope="module")
def sid(client: TestClient) -> str:
    """A conversation going on: consent given, and one message about welding with its reply."""
    first = client.post("/api/chat", json={"session_id": None, "message": "同意"})
    assert first.status_code == 200, first.text
    session = first.json()["session_id"]
    assert client.post("/api/chat", json={"session_id": session, "message": WELDING_ZH}).status_code == 200
    return session


def held(client: TestClient, session: str) -> dict[str, Any]:
    """What must survive a refused request: the conversation as the page reads it back, and the store's counts."""
    with require_services(client.app).sessions() as s:
        counts = (s.scalar(select(func.count()).select_from(Conversation)),
                  s.scalar(select(func.count()).select_from(ConversationMessage)))
    view = client.get(f"/api/chat/{conversation_id(session)}", headers=key_headers(session))
    assert view.status_code == 200, view.text
    return {"view": view.json(), "counts": counts, "index": client.get("/healthz").json()["index"]["version"]}


def raw(text: str) -> dict[str, Any]:
    """A hand-written JSON body, so it can hold what a JSON library would not write (escaped lone surrogates)."""
    return {"content": text.encode("utf-8", "surrogatepass"), "headers": {"content-type": "application/json"}}


def chunks(data: bytes) -> Iterator[bytes]:
    """The body sent chunked, without a Content-Length to go by."""
    for i in range(0, len(data), 1 << 20):
        yield data[i:i + (1 << 20)]


def big_body(field: str) -> bytes:
    return json.dumps({field: "x" * BIG}).encode()


# (request as keyword arguments, with SID for the conversation's id) -> (status, the detail, exactly)
CHAT = {
    "empty": ({"json": {"session_id": SID, "message": ""}}, 400, "message: the message is empty"),
    "whitespace only": ({"json": {"session_id": SID, "message": " \n\t　"}}, 400, "message: the message is empty"),
    "over-long": ({"json": {"session_id": SID, "message": "电焊" * 1001}}, 400,
                  "message: the message is longer than 2000 characters (it has 2002)"),
    "over-long, first message": ({"json": {"session_id": None, "message": "x" * 2001}}, 400,
                                 "message: the message is longer than 2000 characters (it has 2001)"),
    "not JSON": ({"content": b"hello", "headers": {"content-type": "application/json"}}, 400,
                 "body: not valid JSON (Expecting value at character 1)"),
    "cut-off JSON": (raw('{"session_id": "{sid}", "message": "hi'), 400,
                     "body: not valid JSON (Unterminated string starting at character 96)"),
    "invalid UTF-8": ({"content": b'{"session_id": "{sid}", "message": "caf\xe9"}',
                       "headers": {"content-type": "application/json"}}, 400,
                      "body: not valid UTF-8 (byte 0xe9 at byte 100)"),
    "message a number": ({"json": {"session_id": SID, "message": 5}}, 400, "message: Input should be a valid string"),
    "session id a number": ({"json": {"session_id": 5, "message": "hi"}}, 400,
                            "session_id: Input should be a valid string"),
    "no message": ({"json": {"session_id": SID}}, 400, "message: Field required"),
    "a list, not an object": ({"json": ["hi"]}, 400,
                              "body: Input should be a valid dictionary or object to extract fields from"),
    "unknown language": ({"json": {"session_id": SID, "message": "hi", "lang": "fr"}}, 400,
                         "lang: 'fr' is not one of zh, en"),
    "unknown session id": ({"json": {"session_id": "nope", "message": "hi"}}, 404,
                           "session_id: no conversation 'nope' (it may have been deleted)"),
    "NUL": ({"json": {"session_id": SID, "message": "I weld\x00ed"}}, 400,
            "message: not valid text: a NUL character (U+0000) at character 7"),
    "NUL in the session id": ({"json": {"session_id": "ab\x00", "message": "hi"}}, 400,
                              "session_id: not valid text: a NUL character (U+0000) at character 3"),
    "lone surrogate, escaped": (raw('{"session_id": "{sid}", "message": "I weld \\ud800 metal"}'), 400,
                                "message: not valid text: a lone surrogate, half of a UTF-16 pair (U+D800) "
                                "at character 8"),
    "lone surrogate, as UTF-8 bytes": (raw('{"session_id": "{sid}", "message": "\udfff"}'), 400,
                                       "message: not valid text: a lone surrogate, half of a UTF-16 pair (U+DFFF) "
                                       "at character 1"),
    "10 MB body": ({"content": big_body("message"), "headers": {"content-type": "application/json"}}, 413,
                   "request body too large: it may be at most 1.0 MiB; the request is 10.0 MiB"),
    "10 MB body, chunked": ({"content": lambda: chunks(big_body("message")),
                             "headers": {"content-type": "application/json"}},
                            413, "request body too large: it may be at most 1.0 MiB; the request is larger than that"),
}


def _fill(value: Any, session: str) -> Any:
    """SID (or {sid} inside raw bytes) replaced by the conversation's id; a body made afresh for each request."""
    if callable(value):
        return value()
    if value == SID:
        return session
    if isinstance(value, dict):
        return {k: _fill(v, session) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.replace(b"{sid}", session.encode())
    return value


@pytest.mark.parametrize(("request_kw", "status", "detail"), CHAT.values(), ids=CHAT.keys())
def test_bad_chat_requests_are_refused_and_nothing_is_lost(
    client: TestClient, sid: str, request_kw: dict[str, Any], status: int, detail: str
) -> None:
    before = held(client, sid)
    res = client.post("/api/chat", **_fill(request_kw, sid))
    assert res.status_code == status, res.text
    assert res.json()["detail"] == detail
    assert held(client, sid) == before


@pytest.mark.parametrize(
    ("method", "path", "status", "detail"),
    [
        ("GET", "/api/chat/ab%00cd", 400, "session_id: not valid text: a NUL character (U+0000) at character 3"),
        ("DELETE", "/api/chat/ab%00cd", 400, "session_id: not valid text: a NUL character (U+0000) at character 3"),
        ("GET", "/api/chat/%FF", 404, "session_id: no conversation '\ufffd'"),  # the server decodes paths, not us
        ("DELETE", "/api/chat/nope", 404, "session_id: no conversation 'nope'"),
    ],
)
def test_bad_conversation_addresses(client: TestClient, sid: str, method: str, path: str, status: int,
                                    detail: str) -> None:
    before = held(client, sid)
    res = client.request(method, path)
    assert res.status_code == status, res.text
    assert res.json()["detail"].startswith(detail)
    assert held(client, sid) == before


@pytest.mark.parametrize(
    "message",
    ["tab\tand\r\nlines", "bell\x07 escape\x1b[31m red", "zero\u200bwidth and \ufeffBOM", "emoji 👩‍🔧 and 𠀀"],
)
def test_other_control_characters_are_stored_as_sent(client: TestClient, message: str) -> None:
    """Only what a store cannot hold is refused; the rest goes in and comes back out byte for byte."""
    session = client.post("/api/chat", json={"session_id": None, "message": "I agree"}).json()["session_id"]
    res = client.post("/api/chat", json={"session_id": session, "message": message})
    assert res.status_code == 200, res.text
    said = [m["text"] for m in client.get(f"/api/chat/{conversation_id(session)}", headers=key_headers(session))
            .json()["messages"] if m["role"] == "user"]
    assert said == ["I agree", message.strip()]


SEARCH = {
    "empty q": ("q=", "q: the query is empty"),
    "whitespace q": ("q=%20%20", "q: the query is empty"),
    "huge q": ("q=" + "焊" * 501, "q: the query has 501 characters; the limit is 500"),
    "k 0": ("q=weld&k=0", "k: 0 is out of range 1..100"),
    "k 101": ("q=weld&k=101", "k: 101 is out of range 1..100"),
    "k not a number": ("q=weld&k=ten", "k: Input should be a valid integer, unable to parse string as an integer"),
    "k huge": ("q=weld&k=99999999999999999999", "k: 99999999999999999999 is out of range 1..100"),
    "bad lang": ("q=weld&lang=fr", "lang: 'fr' is not in the index (it has: en, zh)"),
    "bad type": ("q=weld&type=job", "type: 'job' is not one of occupation, skill, apprenticeship, training, policy"),
    "invalid UTF-8": ("q=%FF", "q: not valid UTF-8 (byte 0xff at byte 1)"),
    "invalid UTF-8 later on": ("q=caf%E9+au+lait", "q: not valid UTF-8 (byte 0xe9 at byte 4)"),
    "encoded surrogate": ("q=%ED%A0%80", "q: not valid UTF-8 (byte 0xed at byte 1)"),
    "NUL": ("q=we%00ld", "q: not valid text: a NUL character (U+0000) at character 3"),
    "invalid UTF-8 in another parameter": ("q=weld&location=%C3", "location: not valid UTF-8 (byte 0xc3 at byte 1)"),
}


@pytest.mark.parametrize(("query", "detail"), SEARCH.values(), ids=SEARCH.keys())
def test_bad_searches(client: TestClient, sid: str, query: str, detail: str) -> None:
    before = held(client, sid)
    res = client.get(f"/api/search?{query}")
    assert res.status_code == 400, res.text
    assert res.json() == {"error": "QueryError", "detail": detail}
    assert held(client, sid) == before


MATCH = {
    "nothing to go on": ({"json": {"text": "  ", "skills": [], "goal": ""}}, 400,
                         "text: give at least one of text, skills or goal"),
    "huge text": ({"json": {"text": "焊" * 2001}}, 400, "text: 2001 characters; the limit is 2000"),
    "too many skills": ({"json": {"skills": ["welding"] * 51}}, 400, "skills: 51 given; the limit is 50"),
    "k 0": ({"json": {"text": "welding", "k": 0}}, 400, "k: 0 is out of range 1..50"),
    "k 51": ({"json": {"text": "welding", "k": 51}}, 400, "k: 51 is out of range 1..50"),
    "k not a number": ({"json": {"text": "welding", "k": "ten"}}, 400,
                       "k: Input should be a valid integer, unable to parse string as an integer"),
    "bad lang": ({"json": {"text": "welding", "lang": "fr"}}, 400, "lang: 'fr' is not one of zh, en"),
    "skills not a list": ({"json": {"skills": "welding"}}, 400, "skills: Input should be a valid list"),
    "a skill not text": ({"json": {"skills": ["welding", 7]}}, 400, "skills[1]: Input should be a valid string"),
    "lone surrogate in a skill": (raw('{"skills": ["welding", "\\udc00"]}'), 400,
                                  "skills[1]: not valid text: a lone surrogate, half of a UTF-16 pair (U+DC00) "
                                  "at character 1"),
    "NUL in the goal": ({"json": {"text": "welding", "goal": "weld\x00er"}}, 400,
                        "goal: not valid text: a NUL character (U+0000) at character 5"),
    "not JSON": ({"content": b"text=welding", "headers": {"content-type": "application/json"}}, 400,
                 "body: not valid JSON (Expecting value at character 1)"),
    "invalid UTF-8": ({"content": b'{"text": "\xff\xfe"}', "headers": {"content-type": "application/json"}}, 400,
                      "body: not valid UTF-8 (byte 0xff at byte 11)"),
    "10 MB body": ({"content": big_body("text"), "headers": {"content-type": "application/json"}}, 413,
                   "request body too large: it may be at most 1.0 MiB; the request is 10.0 MiB"),
}


@pytest.mark.parametrize(("request_kw", "status", "detail"), MATCH.values(), ids=MATCH.keys())
def test_bad_matches(client: TestClient, sid: str, request_kw: dict[str, Any], status: int, detail: str) -> None:
    before = held(client, sid)
    res = client.post("/api/match", **request_kw)
    assert res.status_code == status, res.text
    assert res.json()["detail"] == detail
    assert held(client, sid) == before


def test_a_number_too_large_for_the_store(client: TestClient, sid: str) -> None:
    """Found by test_schemathesis.py: a counsellor's ?after=10**40 was more than the store's integers hold (a 500)."""
    if require_services(client.app).accounts.find("ada") is None:
        require_services(client.app).accounts.add_user("ada", "counsellor", PASSWORDS["ada"], via="cli")
    assert login(client, "ada").status_code == 200  # this client follows the redirect to the counsellor's page
    try:
        before = held(client, sid)
        res = client.get(f"/api/counsellor/sessions/{conversation_id(sid)}?after={10 ** 40}")
        # SQLite cannot bind it (OverflowError), PostgreSQL refuses it (integer out of range): the same 400.
        assert res.status_code == 400, res.text
        assert res.json() == {"error": "QueryError", "detail": "a number in the request is out of range (too large)"}
        assert held(client, sid) == before
    finally:
        client.cookies.clear()  # the other tests are the public's


def test_the_conversation_goes_on_after_every_refusal(client: TestClient, sid: str) -> None:
    """Last in the module: the conversation the refused requests were aimed at still answers, from where it was."""
    view = client.get(f"/api/chat/{conversation_id(sid)}", headers=key_headers(sid)).json()
    assert [m["role"] for m in view["messages"]] == ["user", "assistant"] * 2
    assert view["phase"] == "confirm_skills"
    res = client.post("/api/chat", json={"session_id": sid, "message": "对"})
    assert res.status_code == 200 and res.json()["phase"] == "recommendations", res.text
