"""Browser-test harness: the app under uvicorn on a free loopback port, Debian's chromium driven by Playwright, axe-core.

Nothing here downloads a browser: Playwright only ever launches /usr/bin/chromium. Without chromium or
axe-core (`npm ci --prefix tests/web`) the browser tests skip locally and fail in CI (the CI variable is set).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.api.app import create_app
from assistant.config import Settings
from tests.conftest import ROOT, IndexedHome

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
REPLY_TIMEOUT_MS = 30_000  # one chat turn on the fake embedder takes about a second; CI machines are slower

# Playwright would fetch its own browser if asked to install one; this harness never asks, and says so.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def missing(what: str) -> None:
    """Skip on a developer machine without the browser tools; in CI a missing tool is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI is set, so browser tests must run; .ci/run installs it)")
    pytest.skip(what)


@dataclass(frozen=True)
class Served:
    """A running app: its URL and the settings it was built with (its data home and store)."""

    url: str
    settings: Settings

    def add_user(self, username: str, role: str, password: str, display_name: str | None = None) -> None:
        """A staff account in the served store, as `skillpath user add` would make it."""
        from assistant.accounts.service import Accounts
        from assistant.store.db import make_engine, make_sessionmaker

        engine = make_engine(self.settings.database_url)
        try:
            accounts = Accounts(make_sessionmaker(engine))
            if accounts.find(username) is None:
                accounts.add_user(username, role, password, display_name=display_name or username, via="cli")
        finally:
            engine.dispose()


@contextmanager
def serve(indexed_home: IndexedHome, home: Path) -> Iterator[Served]:
    """The app on a private copy of the indexed home, served by uvicorn in a background thread."""
    import uvicorn

    shutil.copytree(indexed_home.home, home)
    # Plain http on loopback: cookies without Secure, as for local development.
    settings = Settings.from_env({**indexed_home.env, "SKILLPATH_HOME": str(home), "SKILLPATH_COOKIE_SECURE": "0"})
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # the port is ours from here on: no race with another process picking it
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", settings)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@pytest.fixture(scope="session")
def served(indexed_home: IndexedHome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app shared by the browser tests that do not change the knowledge base."""
    with serve(indexed_home, tmp_path_factory.mktemp("web") / "home") as app:
        yield app


@pytest.fixture(scope="session")
def web_server(served: Served) -> str:
    """The shared app's URL."""
    return served.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} not found (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _context(browser: Any, base_url: str, viewport: dict[str, int], **extra: Any) -> Any:
    phone = viewport == PHONE
    context = browser.new_context(base_url=base_url, viewport=viewport, locale="zh-CN", is_mobile=phone,
                                  has_touch=phone, device_scale_factor=1, **extra)
    context.set_default_timeout(REPLY_TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser: Any, web_server: str) -> Iterator[Any]:
    """A desktop-sized tab in a fresh browser context (its own sessionStorage and cookies)."""
    context = _context(browser, web_server, DESKTOP)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def phone_page(browser: Any, web_server: str) -> Iterator[Any]:
    """A 390×844 phone-sized tab with touch, in a fresh context."""
    context = _context(browser, web_server, PHONE)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def new_context(browser: Any, web_server: str) -> Iterator[Any]:
    """Make more contexts (e.g. JavaScript off); all are closed afterwards."""
    made: list[Any] = []

    def make(viewport: dict[str, int] = DESKTOP, **extra: Any) -> Any:
        made.append(_context(browser, web_server, viewport, **extra))
        return made[-1]

    yield make
    for context in made:
        context.close()


@pytest.fixture(scope="session")
def api(web_server: str) -> Iterator[httpx.Client]:
    """Plain HTTP against the same server, for setting up conversations and checking what the store holds."""
    with httpx.Client(base_url=web_server, timeout=60) as client:
        yield client


def screenshot(page: Any, name: str) -> Path:
    """A full-page PNG under test-artifacts/screenshots/ (git-ignored), to look at after the run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # At the end of the page the sticky message box sits where it belongs instead of over the middle of the picture.
    page.evaluate("() => window.scrollTo({top: document.body.scrollHeight, behavior: 'instant'})")
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


def axe_violations(page: Any, name: str) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page; every result is kept in test-artifacts/axe/."""
    if not AXE.exists():
        missing(f"{AXE} not found (npm ci --prefix tests/web)")
    # Evaluated through the DevTools protocol, which the page's content security policy does not govern: a
    # <script> tag (add_script_tag) would be refused as inline script, as it should be.
    page.evaluate("() => {\n" + AXE.read_text(encoding="utf-8") + "\n}")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    (ARTIFACTS / "axe").mkdir(parents=True, exist_ok=True)
    summary = {kind: [{"id": r["id"], "impact": r.get("impact"), "nodes": len(r["nodes"])} for r in result[kind]]
               for kind in ("violations", "incomplete")}
    summary["passes"] = len(result["passes"])
    (ARTIFACTS / "axe" / f"{name}.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """axe's findings as lines a person can act on: rule, impact, what to fix, where."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"       {summary}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page: Any, name: str) -> None:
    """No serious or critical WCAG 2.1 AA violation; the message lists each one with where it is."""
    blocking = [v for v in axe_violations(page, name) if v.get("impact") in BLOCKING]
    assert not blocking, f"axe found {len(blocking)} serious/critical problem(s) on {name}:\n{describe(blocking)}"
