"""Every route of the app has its required role in one table, and behaves as the table says.

ROUTES lists each (method, path) the app serves with who may use it: anyone (the job seeker's chat, search,
match, their own conversation by id, login), or a console role. The app's routes are walked, so a route added
later without a row here fails the test, which says where to add it. Then each row is checked: a console route
answers 401 without a login (a browser GET of a page is sent to /login), 403 to the other roles, lets an allowed
role through, and refuses an unsafe method without the CSRF token; a public route answers without a login.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from assistant.accounts import csrf
from assistant.accounts.service import Account
from assistant.api.app import create_app
from assistant.api.auth import SAFE_METHODS, require_role
from assistant.api.deps import require_services
from tests.accounts.helpers import PASSWORDS, ROLES_OF, cheap_hashing, staff_home

ANYONE = frozenset[str]()  # public: no login needed
COUNSELLOR = frozenset({"counsellor", "admin"})
OPERATOR = frozenset({"operator", "admin"})
ADMIN = frozenset({"admin"})
# (method, path as declared) → who may use it. HEAD is left out: it is answered as GET. A mount (static files)
# is listed as GET of "<prefix>/{path}".
ROUTES: dict[tuple[str, str], frozenset[str]] = {
    # The job seeker: no accounts. A conversation is reached by its random id, which only their browser tab holds.
    ("GET", "/"): ANYONE,
    ("GET", "/plan/{session_id}"): ANYONE,
    ("POST", "/api/chat"): ANYONE,
    ("GET", "/api/chat/{session_id}"): ANYONE,
    ("GET", "/api/chat/{session_id}/export"): ANYONE,
    ("DELETE", "/api/chat/{session_id}"): ANYONE,
    ("GET", "/api/search"): ANYONE,
    ("POST", "/api/match"): ANYONE,
    ("GET", "/login"): ANYONE,
    ("POST", "/login"): ANYONE,
    ("POST", "/logout"): ANYONE,
    ("GET", "/healthz"): ANYONE,
    ("GET", "/openapi.json"): ANYONE,
    ("GET", "/static/{path}"): ANYONE,
    # The counsellor console.
    ("GET", "/counsellor"): COUNSELLOR,
    ("GET", "/counsellor/sessions/{session_id}"): COUNSELLOR,
    ("GET", "/api/counsellor/sessions/{session_id}"): COUNSELLOR,
    ("POST", "/counsellor/sessions/{session_id}/skills"): COUNSELLOR,
    ("POST", "/counsellor/sessions/{session_id}/lines"): COUNSELLOR,
    ("POST", "/counsellor/sessions/{session_id}/contact"): COUNSELLOR,
    ("POST", "/counsellor/sessions/{session_id}/follow-up"): COUNSELLOR,
    ("POST", "/counsellor/sessions/{session_id}/reviews"): COUNSELLOR,
    ("POST", "/counsellor/sessions/{session_id}/notes"): COUNSELLOR,
    ("POST", "/counsellor/sessions/{session_id}/plan"): COUNSELLOR,
    ("POST", "/counsellor/sessions/{session_id}/handover"): COUNSELLOR,
    ("GET", "/counsellor/sessions/{session_id}/plan"): COUNSELLOR,
    ("GET", "/counsellor/sessions/{session_id}/plan.docx"): COUNSELLOR,
    # The operator console.
    ("GET", "/operator"): OPERATOR,
    ("GET", "/operator/uploads"): OPERATOR,
    ("POST", "/operator/uploads"): OPERATOR,
    ("GET", "/operator/uploads/{upload_id}"): OPERATOR,
    ("POST", "/operator/uploads/{upload_id}/import"): OPERATOR,
    ("GET", "/api/operator/uploads/{upload_id}/progress"): OPERATOR,
    ("GET", "/operator/uploads/{upload_id}/undo"): OPERATOR,
    ("POST", "/operator/uploads/{upload_id}/undo"): OPERATOR,
    ("GET", "/operator/check"): OPERATOR,
    ("GET", "/operator/index"): OPERATOR,
    ("POST", "/operator/index/refresh"): OPERATOR,
    ("GET", "/operator/index/rollback"): OPERATOR,
    ("POST", "/operator/index/rollback"): OPERATOR,
    ("GET", "/api/operator/refresh"): OPERATOR,
    ("POST", "/api/operator/refresh"): OPERATOR,
    ("GET", "/api/operator/versions"): OPERATOR,
    ("GET", "/operator/audit"): OPERATOR,
}
# A console path must never be listed as public by mistake: the table is checked against these prefixes too.
CONSOLES = {"/counsellor": COUNSELLOR, "/api/counsellor": COUNSELLOR, "/operator": OPERATOR,
            "/api/operator": OPERATOR, "/admin": ADMIN, "/api/admin": ADMIN}
REFUSED = (401, 403)
# For the routes the tests below add; at module level because annotations are resolved in module globals.
counsellor_only = require_role("counsellor", "admin")


@dataclass(frozen=True)
class Target:
    """One request to make: a concrete path and method for a declared route, and who may use it."""

    route: str
    method: str
    path: str
    roles: frozenset[str]


def _path_values(route: object, original: object) -> dict[str, str]:
    """A value for each path parameter that its declared type accepts, so the request reaches the route.

    An unguarded route then answers 200 and is reported as such, rather than hiding behind a 400.
    """
    declared = {f.name: f.field_info.annotation for f in getattr(getattr(original, "dependant", None),
                                                                 "path_params", [])}
    samples = {int: "1", float: "1.5", uuid.UUID: str(uuid.UUID(int=1))}
    values = {}
    for name, convertor in getattr(route, "param_convertors", {}).items():
        kind = type(convertor).__name__
        values[name] = ("some/file.csv" if kind == "PathConvertor"
                        else samples.get(declared.get(name), "1"))  # type: ignore[arg-type]
    return values


def _flat_routes(app: FastAPI) -> Iterator[tuple[object, object]]:
    """(route, original route) for every endpoint, with include_router prefixes applied.

    FastAPI >= 0.137 keeps an included router as one lazy entry of app.routes; iter_route_contexts
    flattens it. Older versions already list every route in app.routes.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI
        yield from ((route, route) for route in app.routes)
        return
    for context in iter_route_contexts(app.routes):
        yield context, context.original_route


def declared_routes(app: FastAPI) -> dict[tuple[str, str], Target]:
    """(method, declared path) → a request that reaches it, for every route of the app; fails on unknown kinds."""
    found: dict[tuple[str, str], Target] = {}
    for route, original in _flat_routes(app):
        path = getattr(route, "path", None) or ""
        if isinstance(original, (APIRoute, Route)):
            concrete = route.path_format.format(**_path_values(route, original))
            for method in sorted(set(route.methods or ()) - {"HEAD"}):
                found[(method, path)] = Target(path, method, concrete, frozenset())
        elif isinstance(original, Mount):
            found[("GET", f"{path}/{{path}}")] = Target(f"{path}/{{path}}", "GET", f"{path}/x", frozenset())
        else:
            raise AssertionError(f"{path}: a {type(original).__name__} cannot be checked; teach declared_routes it")
    return found


def table_problems(app: FastAPI, table: dict[tuple[str, str], frozenset[str]]) -> list[str]:
    """Routes the table misses or lists wrongly; empty when the table and the app agree."""
    declared = declared_routes(app)
    problems = [f"{m} {p} has no row in ROUTES (tests/api/test_route_guard.py): add it with the role it needs"
                for m, p in sorted(set(declared) - set(table))]
    problems += [f"{m} {p} is in ROUTES but the app has no such route: remove the row"
                 for m, p in sorted(set(table) - set(declared))]
    for (method, path), roles in sorted(table.items()):
        console = next((c for prefix, c in CONSOLES.items() if path == prefix or path.startswith(prefix + "/")), None)
        if console is not None and not (roles and roles <= console):
            problems.append(f"{method} {path} is a console route: ROUTES must give it roles from {sorted(console)}, "
                            f"not {sorted(roles) or 'anyone'}")
    return problems


def guarded_targets(app: FastAPI, table: dict[tuple[str, str], frozenset[str]] | None = None) -> list[Target]:
    """A request for every route the table gives a role; routes missing from the table are table_problems'."""
    table = ROUTES if table is None else table
    return [dataclasses.replace(t, roles=table[key]) for key, t in sorted(declared_routes(app).items())
            if table.get(key)]


def public_targets(app: FastAPI, table: dict[tuple[str, str], frozenset[str]] | None = None) -> list[Target]:
    table = ROUTES if table is None else table
    return [t for key, t in sorted(declared_routes(app).items()) if key in table and not table[key]]


@dataclass
class Logins:
    """One live session per role, and the CSRF token that goes with it."""

    cookies: dict[str, str]
    tokens: dict[str, str]


def log_everyone_in(app: FastAPI) -> Logins:
    cookies, tokens = {}, {}
    for name, role in ROLES_OF.items():
        started = require_services(app).accounts.login(name, PASSWORDS[name])
        login = require_services(app).accounts.resolve(started.token)
        cookies[role] = f"skillpath_session={started.token}"
        tokens[role] = csrf.session_token(require_services(app).csrf_key, login.csrf_secret)
    return Logins(cookies, tokens)


def guard_failures(client: TestClient, targets: list[Target], logins: Logins) -> list[str]:
    """What is wrong with the guard of each target; empty when every one is properly guarded."""
    problems: list[str] = []

    def call(t: Target, *, role: str | None = None, with_token: bool = False, html: bool = False) -> int | str:
        client.cookies.clear()
        headers = {"accept": "text/html" if html else "application/json"}
        if role:
            headers["cookie"] = logins.cookies[role]
        if with_token and role:
            headers["x-csrf-token"] = logins.tokens[role]
        res = client.request(t.method, t.path, headers=headers)
        if res.status_code in (302, 303, 307):
            return f"redirect {res.headers['location']}"
        return res.status_code

    for t in targets:
        where = f"{t.method} {t.path}"
        if (got := call(t)) != 401:
            problems.append(f"{where} without a login: {got}, expected 401")
        # Pages send a browser to the login form; JSON under /api/ answers 401 whatever the Accept header says.
        if (t.method == "GET" and not t.path.startswith("/api/")
                and not str(got := call(t, html=True)).startswith("redirect /login?next=")):
            problems.append(f"{where} from a browser without a login: {got}, expected a redirect to /login")
        for role in sorted(set(ROLES_OF.values()) - t.roles):
            for with_token in (False, True):
                if (got := call(t, role=role, with_token=with_token)) != 403:
                    problems.append(f"{where} as {role}{' with CSRF token' if with_token else ''}: {got}, expected 403")
        for role in sorted(t.roles):
            if (got := call(t, role=role, with_token=True)) in REFUSED:
                problems.append(f"{where} as {role}: {got}, but {role} may use it")
            if t.method not in SAFE_METHODS and (got := call(t, role=role)) != 403:
                problems.append(f"{where} as {role} without CSRF token: {got}, expected 403")
    return problems


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    cheap_hashing(monkeypatch)
    return create_app(staff_home(tmp_path))


def test_every_route_has_a_row_in_the_table(app: FastAPI) -> None:
    assert table_problems(app, ROUTES) == []


def test_every_console_route_is_guarded_as_the_table_says(app: FastAPI) -> None:
    targets = guarded_targets(app)
    assert {("/counsellor", "GET"), ("/operator", "GET")} <= {(t.path, t.method) for t in targets}
    assert len(targets) == sum(1 for roles in ROUTES.values() if roles)
    with TestClient(app, follow_redirects=False) as client:
        assert guard_failures(client, targets, log_everyone_in(app)) == []


def _anonymous_form_token(client: TestClient) -> str:
    """A visitor's CSRF token (its nonce cookie stays in the client), as the login page hands it out."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login", headers={"accept": "text/html"}).text)
    assert found, "no csrf_token on the login page"
    return found.group(1)


def public_failures(client: TestClient, targets: list[Target]) -> list[str]:
    """Public routes that refuse a visitor without a login; forms get the visitor's own CSRF token."""
    problems = []
    for t in targets:
        client.cookies.clear()
        kwargs: dict[str, Any] = {"headers": {"accept": "application/json"}}
        if t.method not in SAFE_METHODS and not t.path.startswith("/api/"):
            kwargs["data"] = {"csrf_token": _anonymous_form_token(client), "username": "ada",
                              "password": PASSWORDS["ada"]}
        res = client.request(t.method, t.path, **kwargs)
        refused = res.status_code in REFUSED or res.headers.get("location", "").startswith("/login")
        if refused:
            problems.append(f"{t.method} {t.path} without a login: {res.status_code}, but the table says anyone may")
    return problems


def test_public_routes_need_no_login(app: FastAPI) -> None:
    targets = public_targets(app)
    assert {("POST", "/api/chat"), ("GET", "/api/chat/{session_id}/export"), ("POST", "/login")} <= {
        (t.method, t.route) for t in targets}
    with TestClient(app, follow_redirects=False) as client:
        assert public_failures(client, targets) == []


def test_the_check_catches_a_route_that_forgot_its_guard(app: FastAPI) -> None:
    """The enumeration is only worth something if it fails for the mistakes it is there to catch."""
    leaky = APIRouter()

    @leaky.get("/counsellor/cases/{case_id}")
    def no_guard(case_id: int) -> dict[str, int]:
        return {"case": case_id}

    @leaky.post("/api/operator/rebuild", dependencies=[Depends(counsellor_only)])  # the wrong role's guard
    def wrong_guard() -> dict[str, str]:
        return {"ok": "yes"}

    @leaky.delete("/api/counsellor/notes/{note_id}")
    def right_guard(note_id: uuid.UUID, user: Annotated[Account, Depends(counsellor_only)]) -> dict[str, str]:
        return {"deleted": str(note_id), "by": user.username}

    @leaky.get("/api/chat/{session_id}/everything", dependencies=[Depends(counsellor_only)])
    def guarded_public() -> dict[str, str]:  # the table says anyone: a job seeker would be refused
        return {"ok": "yes"}

    app.include_router(leaky)
    missing = "has no row in ROUTES (tests/api/test_route_guard.py): add it with the role it needs"
    assert table_problems(app, ROUTES) == [
        f"DELETE /api/counsellor/notes/{{note_id}} {missing}", f"GET /api/chat/{{session_id}}/everything {missing}",
        f"GET /counsellor/cases/{{case_id}} {missing}", f"POST /api/operator/rebuild {missing}"]
    table = {**ROUTES, ("GET", "/counsellor/cases/{case_id}"): COUNSELLOR, ("POST", "/api/operator/rebuild"): OPERATOR,
             ("DELETE", "/api/counsellor/notes/{note_id}"): COUNSELLOR,
             ("GET", "/api/chat/{session_id}/everything"): ANYONE, ("GET", "/counsellor/gone"): COUNSELLOR}
    assert table_problems(app, table) == [
        "GET /counsellor/gone is in ROUTES but the app has no such route: remove the row"]
    mistaken = {**table, ("GET", "/counsellor/cases/{case_id}"): ANYONE}
    assert table_problems(app, mistaken)[-1] == ("GET /counsellor/cases/{case_id} is a console route: ROUTES must "
                                                 "give it roles from ['admin', 'counsellor'], not anyone")
    with TestClient(app, follow_redirects=False) as client:
        problems = guard_failures(client, guarded_targets(app, table), log_everyone_in(app))
        public = public_failures(client, public_targets(app, table))
    assert "GET /counsellor/cases/1 without a login: 200, expected 401" in problems
    assert "GET /counsellor/cases/1 as operator: 200, expected 403" in problems
    assert "POST /api/operator/rebuild as counsellor with CSRF token: 200, expected 403" in problems
    assert "POST /api/operator/rebuild as operator: 403, but operator may use it" in problems
    assert not [p for p in problems if "/api/counsellor/notes/" in p]  # the guarded one passes every check
    assert not [p for p in problems if p.startswith(("GET /counsellor ", "GET /operator "))]
    assert public == ["GET /api/chat/1/everything without a login: 401, but the table says anyone may"]


def test_every_form_route_checks_the_csrf_token(app: FastAPI) -> None:
    """Unsafe methods outside /api/ are HTML forms: each refuses a missing token, even for an admin.

    Public JSON under /api/ (search, match, chat) takes no cookie login and needs no token; the
    console JSON under /api/counsellor|operator|admin is covered by the guard test above.
    """
    forms = []
    for route, _original in _flat_routes(app):
        path = getattr(route, "path", "") or ""
        if not path.startswith("/api/"):
            forms += [(m, path) for m in sorted(getattr(route, "methods", None) or ()) if m not in SAFE_METHODS]
    assert {("POST", "/login"), ("POST", "/logout")} <= set(forms)
    with TestClient(app, follow_redirects=False) as client:
        logins = log_everyone_in(app)
        for method, path in forms:
            concrete = re.sub(r"{[^}]+}", "1", path)
            for data in ({}, {"csrf_token": "forged"}):
                client.cookies.clear()
                res = client.request(method, concrete, data=data, headers={"cookie": logins.cookies["admin"]})
                assert res.status_code == 403, f"{method} {concrete} with {data}: {res.status_code}"


def test_require_role_refuses_unknown_roles() -> None:
    with pytest.raises(ValueError, match=r"require_role needs roles from admin, counsellor, operator; got \['boss'\]"):
        require_role("boss")
    with pytest.raises(ValueError, match="got \\[\\]"):
        require_role()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 403),
        ({"x-csrf-token": "forged"}, 403),
        ({"x-csrf-token": "TOKEN"}, 200),
        ({"x-csrf-token": "OTHER"}, 403),  # another session's token
    ],
)
def test_console_json_needs_the_header_token(app: FastAPI, headers: dict[str, str], status: int) -> None:
    probe = APIRouter(dependencies=[Depends(require_role("counsellor", "admin"))])

    @probe.post("/api/counsellor/probe")
    def post_probe() -> dict[str, bool]:
        return {"ok": True}

    app.include_router(probe)
    with TestClient(app) as client:
        logins = log_everyone_in(app)
        sent = {k: v.replace("OTHER", logins.tokens["admin"]).replace("TOKEN", logins.tokens["counsellor"])
                for k, v in headers.items()}
        res = client.post("/api/counsellor/probe", json={}, headers={**sent, "cookie": logins.cookies["counsellor"]})
    assert res.status_code == status
    if status == 403:
        assert res.json() == {"error": "PermissionDenied",
                              "detail": "CSRF token missing or wrong: reload the page and try again"}


def test_forms_on_console_pages_pass_the_token_as_a_field(app: FastAPI) -> None:
    probe = APIRouter(dependencies=[Depends(require_role("operator", "admin"))])

    @probe.post("/operator/probe")
    def post_probe() -> dict[str, bool]:
        return {"ok": True}

    app.include_router(probe)
    with TestClient(app) as client:
        logins = log_everyone_in(app)
        cookie = {"cookie": logins.cookies["operator"]}
        res = client.post("/operator/probe", data={"csrf_token": logins.tokens["operator"]}, headers=cookie)
        assert res.json() == {"ok": True}
        assert client.post("/operator/probe", data={"csrf_token": "x"}, headers=cookie).status_code == 403
        files = {"upload": ("offers.csv", b"id,kind\n", "text/csv")}
        res = client.post("/operator/probe", data={"csrf_token": logins.tokens["operator"]}, files=files,
                          headers=cookie)
        assert res.status_code == 200  # multipart forms (uploads) carry it the same way
