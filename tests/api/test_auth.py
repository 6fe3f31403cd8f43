"""Login, logout and CSRF over HTTP: redirects (never off-site), the throttle, cookie flags, and the audit trail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.accounts import audit
from assistant.api.app import create_app
from assistant.api.deps import require_services
from assistant.api.login import safe_next
from assistant.store.db import make_engine, make_sessionmaker
from tests.accounts.helpers import PASSWORDS, cheap_hashing, staff_home

HTML = {"accept": "text/html"}


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    cheap_hashing(monkeypatch)
    with TestClient(create_app(staff_home(tmp_path)), follow_redirects=False) as c:
        yield c


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def login(client: TestClient, username: str, password: str | None = None, next_: str = "",
          **extra: str) -> httpx.Response:
    token = form_token(client.get("/login", headers=HTML).text)
    data = {"username": username, "password": PASSWORDS.get(username.lower(), "") if password is None else password,
            "next": next_, "csrf_token": token, **extra}
    return client.post("/login", data=data, headers=HTML)


def audit_actions(client: TestClient) -> list[tuple[str | None, str, str]]:
    engine = make_engine(require_services(client.app).settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return [(e.actor, e.action, e.target) for e in reversed(audit.list_events(session))]
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("lang", "strings"),
    [
        ("zh", ["工作人员登录", '<label for="login-username">用户名</label>',
                '<label for="login-password">密码</label>', ">登录</button>"]),
        ("en", ["Staff login", '<label for="login-username">Username</label>',
                '<label for="login-password">Password</label>', ">Log in</button>"]),
    ],
)
def test_login_form_is_labelled_in_both_languages(client: TestClient, lang: str, strings: list[str]) -> None:
    res = client.get(f"/login?lang={lang}&next=/counsellor", headers=HTML)
    assert res.status_code == 200
    for s in strings:
        assert s in res.text
    assert 'id="login-username" name="username"' in res.text and 'autocomplete="current-password"' in res.text
    assert '<input type="hidden" name="next" value="/counsellor">' in res.text
    assert len(form_token(res.text)) == 43 and 'role="alert"' not in res.text


@pytest.mark.parametrize(
    ("username", "next_", "location"),
    [
        ("ada", "", "/counsellor"),
        ("olu", "", "/operator"),
        ("root", "", "/"),
        ("ADA", "/counsellor?lang=en", "/counsellor?lang=en"),
        ("root", "/operator", "/operator"),
        # never off-site: each falls back to the role's home
        ("ada", "//evil.example", "/counsellor"),
        ("ada", "https://evil.example", "/counsellor"),
        ("ada", "/\\evil.example", "/counsellor"),
        ("ada", "/\t/evil.example", "/counsellor"),
        ("olu", "javascript:alert(1)", "/operator"),
        ("olu", "evil.example/operator", "/operator"),
        ("olu", "/login?next=/operator", "/operator"),
    ],
)
def test_login_redirects_to_next_only_on_this_site(
    client: TestClient, username: str, next_: str, location: str
) -> None:
    res = login(client, username, next_=next_)
    assert res.status_code == 303 and res.headers["location"] == location
    assert client.get(location if location != "/" else "/counsellor", headers=HTML).status_code == 200


@pytest.mark.parametrize(
    ("value", "expected"),
    [("/counsellor", "/counsellor"), ("/a/b?c=d#e", "/a/b?c=d#e"), ("", None), (None, None), ("//x.example", None),
     ("https://x.example/", None), ("/\\x.example", None), ("/a\\b", None), ("/\r\nSet-Cookie:x", None),
     ("/logout", None), ("x", None)],
)
def test_safe_next(value: str | None, expected: str | None) -> None:
    assert safe_next(value) == expected


def test_console_sends_a_browser_to_login_and_back(client: TestClient) -> None:
    res = client.get("/counsellor?lang=en", headers=HTML)
    assert res.status_code == 303 and res.headers["location"] == "/login?next=%2Fcounsellor%3Flang%3Den"
    page = client.get(res.headers["location"], headers=HTML)
    assert '<input type="hidden" name="next" value="/counsellor?lang=en">' in page.text
    res = login(client, "ada", next_="/counsellor?lang=en")
    assert res.headers["location"] == "/counsellor?lang=en"
    home = client.get("/counsellor?lang=en", headers=HTML)
    assert "Counsellor console" in home.text and "Signed in as <strong>ada</strong>" in home.text
    assert 'href="/counsellor"' in home.text and 'href="/operator"' not in home.text  # nav by role
    assert client.get("/login", headers=HTML).headers["location"] == "/counsellor"  # already logged in


@pytest.mark.parametrize(
    ("lang", "username", "password", "message"),
    [
        ("en", "ada", "wrong password!", "Wrong username or password."),
        ("zh", "ada", "wrong password!", "用户名或密码错误。"),
        ("en", "nobody", "wrong password!", "Wrong username or password."),  # same answer: existence stays hidden
        ("en", "ada", "", "Wrong username or password."),
    ],
)
def test_failed_login_shows_the_form_again_with_an_alert(
    client: TestClient, lang: str, username: str, password: str, message: str
) -> None:
    client.get(f"/login?lang={lang}", headers=HTML)  # remembers the language
    res = login(client, username, password)
    assert res.status_code == 401 and "skillpath_session" not in res.headers.get("set-cookie", "")
    assert f'<p id="login-error" class="error-text" role="alert">{message}</p>' in res.text
    assert f'value="{username}"' in res.text and (not password or password not in res.text)
    assert 'aria-describedby="login-error"' in res.text
    assert audit_actions(client)[-1] == (None, "login.failed", username)


def test_throttle_locks_the_name_with_retry_after(client: TestClient) -> None:
    client.get("/login?lang=en", headers=HTML)
    for _ in range(4):
        assert login(client, "ada", "wrong password!").status_code == 401
    res = login(client, "ada", "wrong password!")
    assert res.status_code == 429 and 250 <= int(res.headers["retry-after"]) <= 300
    assert "Too many failed logins for this username; it is locked for now. Try again in 5 minute(s)." in res.text
    res = login(client, "ada")  # the right password, still locked
    assert res.status_code == 429 and "skillpath_session" not in res.headers.get("set-cookie", "")
    assert login(client, "olu").status_code == 303  # other names are not affected


def test_login_needs_this_visitors_csrf_token(client: TestClient, tmp_path: Path) -> None:
    data = {"username": "ada", "password": PASSWORDS["ada"], "next": ""}
    client.get("/login?lang=en", headers=HTML)
    refused = [
        client.post("/login", data=data, headers=HTML),  # no token
        client.post("/login", data={**data, "csrf_token": "forged"}, headers=HTML),
    ]
    with TestClient(client.app, follow_redirects=False) as stranger:  # another visitor's valid token
        refused.append(client.post("/login", data={**data, "csrf_token": form_token(stranger.get("/login").text)},
                                   headers=HTML))
    token = form_token(client.get("/login").text)
    client.cookies.clear()  # the token without its cookie
    refused.append(client.post("/login", data={**data, "csrf_token": token}, headers=HTML))
    for res in refused:
        assert res.status_code == 403
        assert "skillpath_session" not in res.headers.get("set-cookie", "")
        assert 'role="alert"' in res.text and len(form_token(res.text)) == 43  # a fresh form to try again
    assert [a for _, a, _ in audit_actions(client)] == ["user.create"] * 3  # no login was even attempted


def test_logout_ends_the_session_on_the_server(client: TestClient, tmp_path: Path) -> None:
    assert login(client, "ada").status_code == 303
    stolen = client.cookies["skillpath_session"]
    page = client.get("/counsellor", headers=HTML)
    assert client.post("/logout", data={}, headers=HTML).status_code == 403  # no token: still logged in
    assert client.get("/counsellor").status_code == 200
    res = client.post("/logout", data={"csrf_token": form_token(page.text)}, headers=HTML)
    assert res.status_code == 303 and res.headers["location"] == "/"
    assert re.search(r"skillpath_session=\"?\"?; .*Max-Age=0", res.headers["set-cookie"])
    assert client.get("/counsellor").status_code == 401
    client.cookies.clear()
    client.cookies.set("skillpath_session", stolen)  # the old cookie, replayed
    res = client.get("/counsellor")
    assert res.status_code == 401 and "Max-Age=0" in res.headers["set-cookie"]  # and the browser is told to drop it
    assert audit_actions(client)[-2:] == [("ada", "login", "ada"), ("ada", "logout", "ada")]


def test_logout_without_a_login_just_goes_home(client: TestClient) -> None:
    res = client.post("/logout", data={}, headers=HTML)
    assert res.status_code == 303 and res.headers["location"] == "/"


def test_a_new_login_ends_the_previous_one(client: TestClient) -> None:
    login(client, "ada")
    first = client.cookies["skillpath_session"]
    token = form_token(client.get("/counsellor", headers=HTML).text)  # the logged-in page's token
    res = client.post("/login", headers=HTML, data={"username": "olu", "password": PASSWORDS["olu"],
                                                    "csrf_token": token})
    assert res.status_code == 303 and res.headers["location"] == "/operator"
    assert client.get("/operator").status_code == 200
    client.cookies.clear()
    client.cookies.set("skillpath_session", first)
    assert client.get("/counsellor").status_code == 401
    assert audit_actions(client)[-3:] == [("ada", "login", "ada"), ("olu", "login", "olu"), ("ada", "logout", "ada")]


def _cookies(res: httpx.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in res.headers.get_list("set-cookie")}


@pytest.mark.parametrize("secure", [False, True])
def test_cookie_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secure: bool) -> None:
    cheap_hashing(monkeypatch)
    base = "https://testserver" if secure else "http://testserver"
    with TestClient(create_app(staff_home(tmp_path, secure=secure)), base_url=base, follow_redirects=False) as c:
        first = c.get("/login", headers=HTML)
        res = c.post("/login", headers=HTML, data={"username": "ada", "password": PASSWORDS["ada"],
                                                   "csrf_token": form_token(first.text)})
        assert res.status_code == 303
        assert c.get("/counsellor").status_code == 200  # the client sends the cookie back (over https when Secure)
    anonymous, session = _cookies(first)["skillpath_csrf"], _cookies(res)["skillpath_session"]
    for header in (anonymous, session):
        assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/" in header
        assert ("Secure" in header) is secure
    # The login lasts 8 h (less the second the test took); the visitor's cookie dies with the browser.
    assert re.search(r"Max-Age=28[0-9]{3}", session) and "Max-Age" not in anonymous


def test_secure_cookies_are_not_sent_over_plain_http(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_hashing(monkeypatch)
    with TestClient(create_app(staff_home(tmp_path, secure=True)), follow_redirects=False) as c:
        res = login(c, "ada")
        assert res.status_code == 403  # the CSRF cookie never came back over http, so the token cannot match


def test_public_json_apis_need_no_login_and_no_csrf_token(client: TestClient) -> None:
    login(client, "ada")  # even with a session cookie, these stay open
    for path, body in (("/api/match", {"text": "welder"}), ("/api/chat", {"message": "你好"})):
        assert client.post(path, json=body).status_code not in (401, 403)
    assert client.get("/api/search?q=welder").status_code not in (401, 403)
