"""Who may open a conversation over HTTP: its key (the person's browser) or a counsellor's login; the id alone, a
wrong key or another conversation's key get exactly what an unknown id gets; conversations stored before keys
existed open for counsellors only; a deletion through the API leaves no words in the SQLite files."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.store.conversation_keys import key_hash
from assistant.store.conversations import get_conversation
from assistant.store.db import make_engine, make_sessionmaker
from assistant.understanding.profile import Profile
from tests.accounts.helpers import cheap_hashing, staff_home
from tests.api.test_auth import HTML, form_token, login
from tests.casework.seed import PROFILE, conversation
from tests.helpers import KEY_HEADER

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
KEYS = {"c1": "key-of-c1-held-by-its-persons-browser", "c2": "key-of-c2-held-by-someone-else"}
SAID = "我在工厂做了三年电焊，电话13912345678"  # what must never reach someone holding only the id


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    cheap_hashing(monkeypatch)
    settings = dataclasses.replace(staff_home(tmp_path), embedder="fake")
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine).begin() as s:
            for cid in ("c1", "c2", "legacy"):
                # The profile as the dialogue stores it (every field), which the plan page shows.
                conversation(s, cid, now=T0, said=["同意", SAID, "对"], profile=Profile.from_dict(PROFILE).to_dict())
                conv = get_conversation(s, cid)
                assert conv is not None
                conv.secret_hash = key_hash(KEYS[cid]) if cid in KEYS else None  # legacy: stored before keys
    finally:
        engine.dispose()
    return settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def opened(key: str | None) -> dict[str, str]:
    return {KEY_HEADER: key} if key is not None else {}


REQUESTS = {
    "read": ("GET", "/api/chat/{id}"),
    "export": ("GET", "/api/chat/{id}/export"),
    "delete": ("DELETE", "/api/chat/{id}"),
}
# (conversation, key sent): what someone without the right key may try. Each must read like an unknown id.
STRANGERS = {
    "the id alone": ("c1", None),
    "a wrong key": ("c1", "guessed"),
    "another conversation's key": ("c1", KEYS["c2"]),
    "an empty key": ("c1", ""),
    "a legacy conversation with any key": ("legacy", KEYS["c1"]),
    "an unknown id with a real key": ("0123456789abcdef0123456789abcdef", KEYS["c1"]),
}


def _same_as_unknown(res: httpx.Response, cid: str) -> None:
    assert res.status_code == 404, res.text
    assert res.json() == {"error": "NotFoundError",
                          "detail": f"session_id: no conversation '{cid}' (it may have been deleted)"}
    assert SAID not in res.text and "13912345678" not in res.text


@pytest.mark.parametrize("request_name", list(REQUESTS))
@pytest.mark.parametrize("stranger", list(STRANGERS))
def test_without_the_key_it_is_an_unknown_id(client: TestClient, request_name: str, stranger: str) -> None:
    cid, key = STRANGERS[stranger]
    method, path = REQUESTS[request_name]
    _same_as_unknown(client.request(method, path.format(id=cid), headers=opened(key)), cid)
    # Nothing changed: the person still opens it with their key.
    if cid in KEYS:
        assert client.get(f"/api/chat/{cid}", headers=opened(KEYS[cid])).status_code == 200


@pytest.mark.parametrize("stranger", list(STRANGERS))
def test_a_turn_without_the_key_is_an_unknown_id(client: TestClient, stranger: str) -> None:
    cid, key = STRANGERS[stranger]
    for body, headers in (({"session_id": cid}, opened(key)),  # the key in the header
                          ({"session_id": f"{cid}.{key}" if key else cid}, {})):  # or in the handle
        res = client.post("/api/chat", json={**body, "message": "我还会开叉车"}, headers=headers)
        _same_as_unknown(res, cid)


def test_the_key_opens_read_export_and_delete(client: TestClient) -> None:
    view = client.get("/api/chat/c1", headers=opened(KEYS["c1"]))
    assert view.status_code == 200 and SAID in view.text
    assert view.json()["session_id"] == "c1" and KEYS["c1"] not in view.text  # the key is never handed out
    export = client.get("/api/chat/c1/export", headers=opened(KEYS["c1"]))
    assert export.status_code == 200 and export.json()["conversation"]["case_code"] == view.json()["case_code"]
    assert client.delete("/api/chat/c1", headers=opened(KEYS["c1"])).status_code == 204
    _same_as_unknown(client.get("/api/chat/c1", headers=opened(KEYS["c1"])), "c1")
    assert client.get("/api/chat/c2", headers=opened(KEYS["c2"])).status_code == 200  # the others stay


@pytest.mark.parametrize("cid", ["c1", "legacy"])
def test_a_counsellor_opens_any_conversation_and_deletes_with_a_csrf_token(client: TestClient, cid: str) -> None:
    assert login(client, "ada").status_code == 200
    assert client.get(f"/api/chat/{cid}").status_code == 200
    assert client.get(f"/api/chat/{cid}/export").status_code == 200
    page = client.get(f"/plan/{cid}?lang=zh", headers=HTML)
    assert page.status_code == 200 and "关于你" in page.text
    # A login's cookie alone changes nothing (a cross-site request would carry it): the form's token is needed.
    _same_as_unknown(client.delete(f"/api/chat/{cid}"), cid)
    token = form_token(client.get("/counsellor", headers=HTML).text)
    assert client.delete(f"/api/chat/{cid}", headers={"X-CSRF-Token": token}).status_code == 204
    # Nobody speaks for the person: a counsellor's login does not post turns.
    _same_as_unknown(client.post("/api/chat", json={"session_id": "c2", "message": "对"}), "c2")


def test_an_operator_login_opens_nothing(client: TestClient) -> None:
    assert login(client, "olu").status_code == 200
    _same_as_unknown(client.get("/api/chat/legacy"), "legacy")
    page = client.get("/plan/legacy?lang=zh", headers=HTML)
    assert page.status_code == 404 and SAID not in page.text


@pytest.mark.parametrize(("cid", "key", "status"), [("c1", None, 404), ("c1", "guessed", 404),
                                                    ("legacy", KEYS["c1"], 404), ("c1", KEYS["c1"], 200)])
def test_the_plan_page_needs_the_key(client: TestClient, cid: str, key: str | None, status: int) -> None:
    res = client.get(f"/plan/{cid}?lang=en", headers={**HTML, **opened(key)})
    assert res.status_code == status
    assert (SAID in res.text or "About you" in res.text) is (status == 200)
    if status == 404:
        assert res.text == client.get("/plan/unknown?lang=en", headers=HTML).text


def test_a_deletion_through_the_api_leaves_no_words_in_the_sqlite_files(client: TestClient,
                                                                        settings: Settings) -> None:
    db = Path(settings.database_url.removeprefix("sqlite:///"))

    def files() -> bytes:
        return b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())

    distinctive = "13912345678".encode()
    assert distinctive in files()
    for cid in ("c1", "c2"):
        assert client.delete(f"/api/chat/{cid}", headers=opened(KEYS[cid])).status_code == 204
    assert distinctive in files()  # the legacy conversation still says it
    assert login(client, "ada").status_code == 200
    token = form_token(client.get("/counsellor", headers=HTML).text)
    assert client.delete("/api/chat/legacy", headers={"X-CSRF-Token": token}).status_code == 204
    assert distinctive not in files() and "三年电焊".encode() not in files()
