"""Routes reach services only through assistant/api/deps.py: no module reads app.state, and overrides take effect."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import assistant.api
from assistant.api.app import create_app
from assistant.api.deps import (
    Services,
    ServicesNotStarted,
    get_dialogue,
    get_guidance,
    get_retrieval,
    get_settings,
    services_of,
)
from assistant.config import Settings
from assistant.guidance.service import MatchRequest
from tests.accounts.helpers import cheap_hashing, staff_home

API_DIR = Path(assistant.api.__file__).parent
KEEPER = "deps.py"  # the one module that stores and reads the container


def app_state_reads(source: str) -> list[int]:
    """Lines that touch an application's `.state`: `app.state`, `request.app.state`, `scope["app"].state`.

    A request's own `.state` (the user the session middleware found) is per request and not counted.
    """
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Attribute) and node.attr == "state"):
            continue
        owner = node.value
        if isinstance(owner, ast.Subscript) and isinstance(owner.slice, ast.Constant):
            named = owner.slice.value
        else:
            named = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
        if named in ("app", "application") or (isinstance(named, str) and named.endswith("_app")):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("x = request.app.state.guidance", [1]),
        ("app.state.pages = pages", [1]),
        ("accounts = getattr(scope['app'].state, 'accounts', None)", [1]),
        ("user = request.state.user", []),  # per-request state is fine
        ("state = services.settings", []),
    ],
)
def test_the_scan_sees_app_state(source: str, found: list[int]) -> None:
    assert app_state_reads(source) == found


def test_only_deps_reads_app_state() -> None:
    offenders = {path.name: lines for path in sorted(API_DIR.glob("*.py")) if path.name != KEEPER
                 if (lines := app_state_reads(path.read_text(encoding="utf-8")))}
    assert offenders == {}, f"read services through assistant/api/deps.py, not app.state: {offenders}"


# -- the indirection is real: an override replaces the service a route gets -----------------------------------------

@dataclass
class FakeResult:
    body: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self.body


@dataclass
class FakeGuidance:
    asked: list[MatchRequest] = field(default_factory=list)

    def match(self, request: MatchRequest, corrections: object = None) -> FakeResult:
        assert corrections is None  # no session_id was sent
        self.asked.append(request)
        return FakeResult({"occupations": [{"title": "fake welder"}], "from": "the override"})


class FakeHolder:
    def warnings(self) -> list[str]:
        return ["a fake index"]


@dataclass
class FakeRetrieval:
    holder: FakeHolder = field(default_factory=FakeHolder)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"SKILLPATH_HOME": str(tmp_path / "home"), "SKILLPATH_EMBEDDER": "fake"})


def test_a_route_gets_its_service_from_the_dependency(settings: Settings) -> None:
    app = create_app(settings)
    guidance = FakeGuidance()
    app.dependency_overrides[get_guidance] = lambda: guidance
    app.dependency_overrides[get_retrieval] = lambda: FakeRetrieval()
    app.dependency_overrides[get_dialogue] = lambda: None  # asked only for a conversation's corrections
    client = TestClient(app)  # no lifespan: no store, no index, no model; only the overrides answer
    res = client.post("/api/match", json={"text": "I weld", "location": "湖州", "k": 3})
    assert res.status_code == 200, res.text
    assert res.json() == {"occupations": [{"title": "fake welder"}], "from": "the override",
                          "warnings": ["a fake index"]}
    [asked] = guidance.asked
    assert (asked.text, asked.location, asked.k) == ("I weld", "湖州", 3)


def test_a_page_gets_its_services_from_the_dependencies(settings: Settings) -> None:
    @dataclass
    class Opening:
        reply: str
        suggestions: list[str]

    class FakeDialogue:
        def opening(self, lang: str) -> Opening:
            return Opening(f"opening from the override ({lang})", ["a suggestion from the override"])

    app = create_app(settings)
    app.dependency_overrides[get_dialogue] = lambda: FakeDialogue()
    app.dependency_overrides[get_settings] = lambda: settings
    res = TestClient(app).get("/?lang=en")  # the pages themselves exist before the lifespan
    assert res.status_code == 200, res.text
    assert "opening from the override (en)" in res.text and "a suggestion from the override" in res.text


def test_without_the_lifespan_a_route_needing_a_service_is_a_bug(settings: Settings) -> None:
    app = create_app(settings)
    assert services_of(app) is None
    with pytest.raises(ServicesNotStarted, match="lifespan"):
        TestClient(app).get("/api/chat/some-session")


def test_the_lifespan_stores_one_container(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_hashing(monkeypatch)
    app = create_app(staff_home(tmp_path))
    with TestClient(app):
        services = services_of(app)
        assert isinstance(services, Services)
        assert services.dialogue.guidance is services.guidance  # one guidance service, shared
        assert services.settings.home == tmp_path / "home"
