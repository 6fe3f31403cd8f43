"""The case code over HTTP: the chat reply and the restored view carry it, the chat page has its place in both
languages, and the counsellor console lists it, shows it on the case page and finds the case by it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.store.conversations import get_conversation
from assistant.store.db import make_engine, make_sessionmaker
from tests.accounts.helpers import cheap_hashing, staff_home
from tests.api.test_auth import HTML, login
from tests.casework.seed import conversation

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    cheap_hashing(monkeypatch)
    settings: Settings = staff_home(tmp_path)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine).begin() as s:
            conversation(s, "c1", now=T0)
            conversation(s, "c2", now=T0, said=["同意", "我想学做饭"])
            for cid, code in (("c1", "K7M2QX"), ("c2", "AB3CD4")):
                get_conversation(s, cid).case_code = code  # type: ignore[union-attr]
    finally:
        engine.dispose()
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.mark.parametrize(("lang", "label"), [("zh", "你的案件编号："), ("en", "Your case code:")])
def test_the_chat_page_has_a_place_for_the_code(client: TestClient, lang: str, label: str) -> None:
    page = client.get(f"/?lang={lang}", headers=HTML).text
    assert 'id="case-code" class="case-code" hidden' in page and label in page and 'id="case-code-value"' in page


@pytest.mark.parametrize("typed", ["K7M-2QX", "k7m2qx", "k7m 2qx"])
@pytest.mark.parametrize(("lang", "label"), [("zh", "案件编号"), ("en", "Case code")])
def test_the_console_finds_and_shows_a_case_by_its_code(client: TestClient, typed: str, lang: str,
                                                         label: str) -> None:
    assert login(client, "ada").status_code == 200
    found = client.get("/counsellor", params={"q": typed, "scope": "all", "lang": lang}, headers=HTML).text
    assert 'href="/counsellor/sessions/c1"' in found and 'href="/counsellor/sessions/c2"' not in found
    assert f'{label} <span class="code">K7M-2QX</span>' in found
    case = client.get("/counsellor/sessions/c1", params={"lang": lang}, headers=HTML).text
    assert f'<dt>{label}</dt><dd id="case-code" class="code">K7M-2QX</dd>' in case
