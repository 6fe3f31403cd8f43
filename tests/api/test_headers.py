"""Security headers on every kind of response (pages, JSON, static files, redirects, refusals, errors, a crash),
HSTS only behind https, and templates that keep to the content security policy (nothing inline)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.headers import ALWAYS, CSP
from assistant.config import WEB_DIR
from tests.accounts.helpers import cheap_hashing, staff_home

HTML = {"accept": "text/html"}
JSON = {"accept": "application/json"}


def _app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, secure: bool) -> FastAPI:
    cheap_hashing(monkeypatch)
    app = create_app(staff_home(tmp_path, secure=secure))

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("a bug")  # answered by Starlette's outermost error middleware, outside ours

    return app


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    with TestClient(_app(tmp_path, monkeypatch, secure=False), follow_redirects=False,
                    raise_server_exceptions=False) as c:
        yield c


# name → (method, path, request headers, status, content type it starts with)
KINDS: dict[str, tuple[str, str, dict[str, str], int, str]] = {
    "chat page": ("GET", "/", HTML, 200, "text/html"),
    "login page": ("GET", "/login", HTML, 200, "text/html"),
    "json": ("GET", "/openapi.json", JSON, 200, "application/json"),
    "json error": ("GET", "/api/search?q=焊工", JSON, 503, "application/json"),  # no index in this home
    "static css": ("GET", "/static/css/site.css", {}, 200, "text/css"),
    "static js": ("GET", "/static/js/chat.js", {}, 200, "text/javascript"),
    "missing static": ("GET", "/static/nope.js", {}, 404, "application/json"),
    "404 page": ("GET", "/nope", HTML, 404, "text/html"),
    "404 json": ("GET", "/api/nope", JSON, 404, "application/json"),
    "login redirect": ("GET", "/counsellor", HTML, 303, ""),
    "401 json": ("GET", "/api/operator/versions", JSON, 401, "application/json"),
    "403 form": ("POST", "/login", HTML, 403, "text/html"),  # no CSRF token
    "crash": ("GET", "/api/boom", JSON, 500, "application/json"),
    "no /docs": ("GET", "/docs", JSON, 404, "application/json"),  # FastAPI's page loads a CDN: turned off
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_response_carries_the_headers(client: TestClient, kind: str) -> None:
    method, path, headers, status, content_type = KINDS[kind]
    res = client.request(method, path, headers=headers)
    assert res.status_code == status, res.text[:300]
    assert res.headers.get("content-type", "").startswith(content_type)
    missing = {name: res.headers.get(name) for name, value in ALWAYS.items() if res.headers.get(name) != value}
    assert missing == {}, f"{kind}: wrong or missing headers"
    assert "strict-transport-security" not in res.headers  # plain http: HSTS would be ignored, or worse, stick
    if path.startswith("/static/"):
        assert "cache-control" not in res.headers  # stylesheets and scripts may be cached; they hold nothing personal
    else:
        assert res.headers["cache-control"] == "no-store"


def test_the_policy_admits_only_this_server() -> None:
    directives = dict(d.split(" ", 1) for d in CSP.split("; "))
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert (directives["frame-ancestors"], directives["form-action"], directives["base-uri"]) == (
        "'none'", "'self'", "'none'")
    assert not [d for d in directives.values() if "unsafe" in d or "*" in d or "http" in d]


@pytest.mark.parametrize("path", ["/", "/static/css/site.css", "/api/nope", "/api/boom"])
def test_hsts_only_behind_https(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    with TestClient(_app(tmp_path, monkeypatch, secure=True), base_url="https://testserver",
                    raise_server_exceptions=False) as client:
        res = client.get(path, headers=HTML if path == "/" else JSON)
    assert res.headers["strict-transport-security"] == "max-age=31536000"


def test_a_header_the_route_chose_is_kept(client: TestClient) -> None:
    res = client.get("/static/css/site.css", headers={"if-none-match": "x"})
    assert res.headers["x-frame-options"] == "DENY"
    app: Any = client.app

    @app.get("/api/cacheable")
    def cacheable() -> Any:
        from fastapi.responses import JSONResponse

        return JSONResponse({"ok": True}, headers={"Cache-Control": "public, max-age=60"})

    assert client.get("/api/cacheable").headers["cache-control"] == "public, max-age=60"


# What the policy refuses in a page: inline scripts, inline styles, event-handler attributes, javascript: links.
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: url": re.compile(r"javascript:", re.I),
}


@pytest.mark.parametrize("template", sorted(p.relative_to(WEB_DIR).as_posix()
                                            for p in (WEB_DIR / "templates").rglob("*.html")))
def test_templates_keep_to_the_policy(template: str) -> None:
    text = (WEB_DIR / template).read_text(encoding="utf-8")
    found = {what: m.group(0) for what, pattern in INLINE.items() if (m := pattern.search(text))}
    assert found == {}, f"{template}: the content security policy would block these; move them to web/static"


@pytest.mark.parametrize("script", sorted(p.name for p in (WEB_DIR / "static" / "js").glob("*.js")))
def test_scripts_keep_to_the_policy(script: str) -> None:
    text = (WEB_DIR / "static" / "js" / script).read_text(encoding="utf-8")
    refused = [word for word in ("eval(", "new Function", "setAttribute(\"style\"", "setTimeout(\"", ".cssText")
               if word in text]
    assert refused == [], f"{script}: the content security policy refuses these"
