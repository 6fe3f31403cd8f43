"""`skillpath serve --workers N`: how serve starts its workers, and two real workers on PostgreSQL acting as one.

The kernel hands each new connection to whichever worker accepts it first, so a test reaches a chosen
worker by opening connections until /healthz (which names the worker's pid) says it got that one, and
then keeps that single keep-alive connection. Every step checks the pid again after it ran.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.accounts.service import Accounts
from assistant.index.versions import IndexVersions
from assistant.store.db import make_engine, make_sessionmaker
from tests.conftest import PG_ENV, ROOT, _pg_database
from tests.helpers import conversation_id, key_headers

STARTUP = 600  # seconds: the first run ingests the defaults and builds the index (about a minute on 2 cores)
PASSWORD = "correct horse battery staple"
CHAT = ["同意", "我在工厂做了三年电焊，会看图纸", "对", "我想在湖州找个带薪学徒岗位", "给我学习路径"]


def postgres_admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set (CI is set, so the workers test must run: .ci/run starts PostgreSQL)")
        pytest.skip(f"{PG_ENV} not set: several workers need a shared PostgreSQL store")
    return url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _parent_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^PPid:\s+(\d+)$", status, re.M).group(1))  # type: ignore[union-attr]


@dataclass
class Server:
    """A `serve --workers 2` subprocess: its URL, data home, store and the two worker pids."""

    url: str
    home: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes]
    log: Path
    versions_at_start: list[str]
    workers: list[int] = field(default_factory=list)

    def add_user(self, username: str, role: str) -> None:
        engine = make_engine(self.env["SKILLPATH_DATABASE_URL"])
        try:
            Accounts(make_sessionmaker(engine)).add_user(username, role, PASSWORD, via="cli")
        finally:
            engine.dispose()

    def worker_of(self, client: httpx.Client) -> int:
        res = client.get("/healthz")
        assert res.status_code == 200, res.text
        return int(res.json()["worker"])

    def on(self, pid: int, jar: CookieJar | None = None, tries: int = 300) -> httpx.Client:
        """A client whose one keep-alive connection is served by worker `pid` (cookies shared through `jar`)."""
        for _ in range(tries):
            client = httpx.Client(base_url=self.url, cookies=jar if jar is not None else CookieJar(), timeout=60,
                                  follow_redirects=False,
                                  limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))
            if self.worker_of(client) == pid:
                return client
            client.close()
        pytest.fail(f"no new connection reached worker {pid} in {tries} tries")

    def call(self, pid: int, jar: CookieJar, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request answered by worker `pid`, checked before and after on the same connection."""
        client = self.on(pid, jar)
        try:
            res = client.request(method, path, **kwargs)
            assert self.worker_of(client) == pid, "the connection moved to another worker mid-step"
        finally:
            client.close()
        return res

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


# -- wiring: how `serve` starts its workers (no server; uvicorn.run is replaced) ----------------------------------


@pytest.fixture
def restore_environ() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.mark.parametrize(
    ("argv", "env", "workers"),
    [
        (["--workers", "3"], {}, 3),
        ([], {"SKILLPATH_WORKERS": "2"}, 2),
        (["--workers", "2"], {"SKILLPATH_WORKERS": "5"}, 2),  # the flag wins
        ([], {}, 1),
        (["--workers", "1"], {"SKILLPATH_WORKERS": "4"}, 1),
    ],
)
def test_serve_hands_workers_an_import_string_and_its_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_environ: None, argv: list[str], env: dict[str, str],
    workers: int,
) -> None:
    from assistant import cli
    from assistant.config import Settings

    monkeypatch.setenv("SKILLPATH_LLM_MODEL", "left over in the shell")  # not in the environ given to main()
    environ = {"SKILLPATH_HOME": str(tmp_path / "home"), "SKILLPATH_EMBEDDER": "fake", "SKILLPATH_PORT": "8123",
               **env}
    calls: list[tuple[Any, dict[str, Any], Settings, bool]] = []

    def fake_run(app: Any, **kwargs: Any) -> None:
        # What a worker would build from the environment at this moment, and whether the key file is there.
        calls.append((app, kwargs, Settings.from_env(), (tmp_path / "home" / "secret_key").is_file()))

    monkeypatch.setattr(cli, "_ingest", lambda settings, jobs_for: [])
    monkeypatch.setattr(cli, "_index_needed", lambda settings: False)
    monkeypatch.setattr("uvicorn.run", fake_run)
    assert cli.main(["serve", *argv], environ=environ) == 0
    [(app, kwargs, worker_settings, key_made)] = calls
    assert key_made  # made before any worker starts: they all read the same key
    assert (kwargs["host"], kwargs["port"]) == ("127.0.0.1", 8123)
    if workers == 1:
        assert not isinstance(app, str) and "workers" not in kwargs  # the app object, in this process
        assert os.environ.get("SKILLPATH_LLM_MODEL") == "left over in the shell"
        return
    assert app == "assistant.api.app:create_app"
    assert (kwargs["factory"], kwargs["workers"], kwargs["timeout_worker_healthcheck"]) == (True, workers, 60)
    assert worker_settings == Settings.from_env(environ)  # the workers get exactly the settings serve was given
    assert "SKILLPATH_LLM_MODEL" not in os.environ


@pytest.mark.parametrize(("argv", "env"), [(["--workers", "0"], {}), ([], {"SKILLPATH_WORKERS": "-1"})])
def test_serve_refuses_fewer_than_one_worker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], env: dict[str, str]
) -> None:
    from assistant.cli import main

    got = int(argv[1]) if argv else int(env["SKILLPATH_WORKERS"])
    assert main(["serve", *argv], environ={"SKILLPATH_HOME": str(tmp_path), **env}) == 2
    assert capsys.readouterr().err == f"error: workers: at least 1 (got {got})\n"
    assert not (tmp_path / "skillpath.db").exists()  # refused before touching the store


def _secret(home: str, barrier: Any, results: Any) -> None:
    from assistant.config import Settings

    settings = Settings.from_env({"SKILLPATH_HOME": home})
    barrier.wait(60)
    results.put(settings.resolved_secret())


@pytest.mark.slow
def test_workers_starting_together_make_one_secret_key(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_secret, args=(str(tmp_path / "home"), barrier, results)) for _ in range(4)]
    for p in procs:
        p.start()
    keys = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(60)
    assert len(set(keys)) == 1 and len(keys[0]) >= 60  # one key, never an empty or half-written one
    key_file = tmp_path / "home" / "secret_key"
    assert key_file.read_text().strip() == keys[0] and key_file.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["secret_key"]  # no temporary file left


# -- two real workers ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """First run of `serve --workers 2` on an empty PostgreSQL database and an empty data home."""
    admin = postgres_admin_url()
    for url in _pg_database(admin):
        home = tmp_path_factory.mktemp("workers") / "home"
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLPATH_")}
        env.update(SKILLPATH_HOME=str(home), SKILLPATH_DATABASE_URL=url, SKILLPATH_EMBEDDER="fake",
                   SKILLPATH_COOKIE_SECURE="0", SKILLPATH_PORT=str(port))
        log = home.parent / "serve.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--workers", "2"], env=env,
                                    stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        server = Server(f"http://127.0.0.1:{port}", home, env, proc, log, [])
        try:
            deadline = time.monotonic() + STARTUP
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"serve exited with {proc.returncode}:\n{server.log_tail()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"serve did not answer within {STARTUP} s:\n{server.log_tail()}")
                try:
                    if httpx.get(server.url + "/healthz", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
            server.versions_at_start = IndexVersions(home / "index").versions()
            server.workers = _both_workers(server)
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            for pid in server.workers:  # uvicorn stops its workers with it; make sure none outlives the test
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass


def _both_workers(server: Server) -> list[int]:
    """Both workers' pids, waiting until each has started (uvicorn starts them one after the other)."""
    deadline = time.monotonic() + STARTUP
    seen: Counter[int] = Counter()
    while time.monotonic() < deadline:
        with ThreadPoolExecutor(8) as pool:  # new connections at once: the kernel spreads them over the workers
            seen.update(pool.map(lambda _: _healthz_worker(server.url), range(16)))
        if len(seen) >= 2:
            return sorted(seen)
        time.sleep(1)
    pytest.fail(f"only workers {dict(seen)} answered:\n{server.log_tail()}")


def _healthz_worker(url: str) -> int:
    res = httpx.get(url + "/healthz", timeout=30)  # a new client each time: a new connection
    assert res.status_code == 200, res.text
    return int(res.json()["worker"])


def _csrf_field(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def _log_in(server: Server, pid: int, jar: CookieJar, username: str, password: str = PASSWORD) -> httpx.Response:
    page = server.call(pid, jar, "GET", "/login")
    return server.call(pid, jar, "POST", "/login",
                       data={"username": username, "password": password, "csrf_token": _csrf_field(page.text)})


# -- the tests ---------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_new_connections_land_on_both_workers_of_one_server(server: Server) -> None:
    with ThreadPoolExecutor(8) as pool:
        spread = Counter(pool.map(lambda _: _healthz_worker(server.url), range(64)))
    assert sorted(spread) == server.workers and len(server.workers) == 2, f"answered by {dict(spread)}"
    assert server.proc.pid not in spread
    assert [_parent_of(pid) for pid in server.workers] == [server.proc.pid] * 2  # workers of this very server
    # The first run ingested and built once, in the parent, before any worker started: one index version.
    assert len(server.versions_at_start) == 1
    assert server.log.read_text(errors="replace").count(f"index {server.versions_at_start[0]}:") == 1


def _conversation(server: Server, pids: list[int]) -> tuple[str, list[tuple[Any, ...]]]:
    jar, session_id, turns = CookieJar(), None, []
    for message, pid in zip(CHAT, pids):
        res = server.call(pid, jar, "POST", "/api/chat", json={"session_id": session_id, "message": message})
        assert res.status_code == 200, res.text
        turn = res.json()
        session_id = turn["session_id"]
        turns.append((turn["phase"], turn["profile"], turn["reply"], [c.get("title") for c in turn["cards"]]))
    assert session_id is not None
    return session_id, turns


@pytest.mark.slow
def test_a_conversation_continues_whichever_worker_answers_each_turn(server: Server) -> None:
    a, b = server.workers
    _, on_one_worker = _conversation(server, [a] * len(CHAT))
    session_id, alternating = _conversation(server, [a, b, a, b, a])
    assert alternating == on_one_worker  # the same phases, profile, replies and cards turn by turn
    assert [phase for phase, *_ in alternating][-1] == "pathway"
    assert alternating[1][1].get("skills"), "the experience turn found no skills"
    # Read back from the other worker: every message, in order.
    stored = server.call(b, CookieJar(), "GET", f"/api/chat/{conversation_id(session_id)}",
                         headers=key_headers(session_id)).json()
    said = [m["text"] for m in stored["messages"] if m["role"] == "user"]
    assert said == CHAT and len(stored["messages"]) == 2 * len(CHAT)


@pytest.mark.slow
def test_a_console_login_on_one_worker_is_valid_on_the_other(server: Server) -> None:
    a, b = server.workers
    server.add_user("olga", "operator")
    jar = CookieJar()
    res = _log_in(server, a, jar, "olga")
    assert (res.status_code, res.headers["location"]) == (303, "/operator")
    page = server.call(b, jar, "GET", "/operator/index")  # the session cookie from A, resolved by B
    assert page.status_code == 200 and "olga" in page.text
    token = _csrf_field(server.call(a, jar, "GET", "/operator/index").text)  # a token A rendered ...
    assert _csrf_field(page.text) == token  # ... is the one B renders: same signing key, same session secret
    refused = server.call(b, jar, "POST", "/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    ended = server.call(b, jar, "POST", "/logout", data={"csrf_token": token})
    assert (ended.status_code, ended.headers["location"]) == (303, "/")
    # Ended in the store: the old cookie no longer opens the console on A.
    again = server.call(a, CookieJar(), "GET", "/operator/index",
                        headers={"cookie": f"skillpath_session={_session_cookie(res)}"})
    assert again.status_code == 401 and again.json()["detail"] == "log in to open this page"


def _session_cookie(res: httpx.Response) -> str:
    found = re.search(r"skillpath_session=([^;]+)", res.headers.get("set-cookie", ""))
    assert found, "the login set no session cookie"
    return found.group(1)


@pytest.mark.slow
def test_failed_logins_are_counted_across_workers(server: Server) -> None:
    a, b = server.workers
    server.add_user("pavel", "counsellor")
    statuses = []
    for pid in [a, b, a, b, a]:  # five failures, spread over both workers: the fifth locks the name
        statuses.append(_log_in(server, pid, CookieJar(), "pavel", "wrong password").status_code)
    assert statuses == [401, 401, 401, 401, 429]
    locked = _log_in(server, b, CookieJar(), "pavel")  # the right password, on either worker: locked out
    assert locked.status_code == 429 and 0 < int(locked.headers["retry-after"]) <= 300
    assert _log_in(server, a, CookieJar(), "pavel").status_code == 429


def _served_version(server: Server, pid: int) -> str:
    return server.call(pid, CookieJar(), "GET", "/healthz").json()["index"]["version"]


def _wait_served(server: Server, pid: int, version: str, within: float = 2.0) -> float:
    started = time.monotonic()
    while _served_version(server, pid) != version:
        assert time.monotonic() - started < within, f"worker {pid} still serves another version after {within} s"
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.mark.slow
def test_a_refresh_and_a_rollback_on_one_worker_are_served_by_the_other(server: Server) -> None:
    a, b = server.workers
    server.add_user("irina", "operator")
    jar = CookieJar()
    assert _log_in(server, a, jar, "irina").status_code == 303
    token = _csrf_field(server.call(a, jar, "GET", "/operator/index").text)
    before = _served_version(server, b)
    started = server.call(a, jar, "POST", "/api/operator/refresh", headers={"X-CSRF-Token": token})
    assert started.status_code == 202, started.text
    # B knows it runs (the shared status) and will not start a second one.
    seen = server.call(b, jar, "GET", "/api/operator/refresh").json()
    assert (seen["running"], seen["started_by"], seen["previous_id"]) == (True, "irina", before)
    twice = server.call(b, jar, "POST", "/api/operator/refresh", headers={"X-CSRF-Token": token})
    assert twice.status_code == 409
    assert re.match(r"an index refresh is already running \(started .+ by irina, ", twice.json()["detail"])
    deadline = time.monotonic() + STARTUP
    while (status := server.call(b, jar, "GET", "/api/operator/refresh").json())["running"]:
        assert time.monotonic() < deadline, f"the refresh did not finish: {status}"
        time.sleep(0.5)
    assert status["phase"] == "done", status
    new = status["version_id"]
    assert new != before
    _wait_served(server, b, new)
    _wait_served(server, a, new)
    # Roll back on B: A serves the old version again.
    page = server.call(b, jar, "POST", "/operator/index/rollback", data={"csrf_token": token})
    assert page.status_code == 303, page.text
    _wait_served(server, a, before)
    _wait_served(server, b, before)
    hits = server.call(a, CookieJar(), "GET", "/api/search", params={"q": "焊工", "type": "occupation", "k": 3})
    assert hits.status_code == 200 and len(hits.json()["hits"]) == 3
