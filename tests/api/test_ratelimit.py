"""Rate limits: the token buckets (refill, burst, eviction, threads), then 429s on /api/chat, /api/match and
/api/search per client address and per conversation, and the client address behind a trusted proxy."""

from __future__ import annotations

import dataclasses
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.ratelimit import TokenBuckets, per_address
from assistant.config import Settings
from tests.accounts.helpers import cheap_hashing, staff_home


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("per_minute", "burst", "times", "waits"),
    [
        # A burst goes through at once, then one request per refill interval.
        (60, 3, [0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 0, 1]),
        (20, 10, [0] * 11, [0] * 10 + [3]),
        (60, 1, [0, 0.25, 1.0], [0, 0.75, 0]),
        # Idle time refills up to the burst, never beyond it.
        (60, 2, [0, 0, 100, 100, 100], [0, 0, 0, 0, 1]),
        (600, 100, [0] * 100 + [0.05, 0.1], [0] * 100 + [0.05, 0]),
    ],
)
def test_token_buckets(per_minute: int, burst: int, times: list[float], waits: list[float]) -> None:
    clock = FakeClock()
    buckets = TokenBuckets(per_minute, burst, clock=clock)
    got = []
    for t in times:
        clock.now = 1000.0 + t
        got.append(round(buckets.take("10.0.0.1"), 6))
    assert got == waits


def test_keys_have_their_own_buckets() -> None:
    buckets = TokenBuckets(60, 1, clock=FakeClock())
    assert [buckets.take(k) for k in ("a", "b", "a", "b", "c")] == [0, 0, 1, 1, 0]


def test_idle_buckets_are_forgotten_and_memory_is_bounded() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(60, 2, clock=clock, max_keys=100)  # full again after 2 s idle
    buckets.take("a")
    buckets.take("b")
    clock.now += 1.9
    buckets.take("c")
    assert len(buckets) == 3  # a and b are not full yet: forgetting them would hand out tokens
    clock.now += 0.2
    buckets.take("c")
    assert len(buckets) == 1  # a and b are full again, exactly like new ones
    for i in range(1000):  # someone inventing keys
        buckets.take(f"key-{i}")
    assert len(buckets) <= 100


def test_buckets_are_thread_safe() -> None:
    buckets = TokenBuckets(1, 500, clock=FakeClock())  # the clock stands still: exactly 500 tokens to share
    allowed: list[int] = []

    def worker() -> None:
        allowed.append(sum(1 for _ in range(200) if buckets.take("nat") == 0))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(allowed) == 500


@pytest.mark.parametrize(("per_minute", "message"), [(0, "per_minute must be positive, got 0"),
                                                     (-5, "per_minute must be positive, got -5")])
def test_buckets_need_a_rate(per_minute: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TokenBuckets(per_minute, 10)


def test_only_known_endpoints_are_limited() -> None:
    with pytest.raises(ValueError, match="per_address needs one of chat, match, search; got 'login'"):
        per_address("login")


# -- over HTTP -------------------------------------------------------------------------------------------------

def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **limits: int) -> Settings:
    cheap_hashing(monkeypatch)
    return dataclasses.replace(staff_home(tmp_path), **limits)


def _refused(res: httpx.Response, detail: str) -> None:
    """A 429 in the API's error shape; the wait it names is the Retry-After header, about a minute at 1/min."""
    assert res.status_code == 429, res.text
    body = res.json()
    assert body["error"] == "RateLimited"
    found = re.fullmatch(detail.replace("{s}", r"(\d+)"), body["detail"])
    assert found, body["detail"]
    assert res.headers["retry-after"] == found[1] and 50 <= int(found[1]) <= 60


REQUESTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "search": ("GET", "/api/search", {"params": {"q": "焊工"}}),
    "match": ("POST", "/api/match", {"json": {"text": "焊工"}}),
    "chat": ("POST", "/api/chat", {"json": {"session_id": None, "message": "你好"}}),
}


@pytest.mark.parametrize("name", list(REQUESTS))
def test_an_address_over_its_limit_gets_429(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    settings = _settings(tmp_path, monkeypatch, rate_address_per_minute=1, rate_address_burst=3)
    method, path, kwargs = REQUESTS[name]
    with TestClient(create_app(settings)) as client:
        # The answers before the limit may be errors of their own (this home has no index), never a 429.
        statuses = [client.request(method, path, **kwargs).status_code for _ in range(3)]
        assert 429 not in statuses
        _refused(client.request(method, path, **kwargs), "too many requests from your address; try again in {s} s")
        # Each endpoint has its own buckets: the others still answer.
        others = [n for n in REQUESTS if n != name]
        assert all(client.request(*REQUESTS[n][:2], **REQUESTS[n][2]).status_code != 429 for n in others)


def test_a_conversation_over_its_limit_gets_429(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(tmp_path, monkeypatch, rate_conversation_per_minute=1, rate_conversation_burst=2)
    with TestClient(create_app(settings)) as client:
        def turn(session: str | None) -> httpx.Response:
            return client.post("/api/chat", json={"session_id": session, "message": "我会电焊"})

        # Unknown ids answer 404 after the limit is checked, so each still spends a token.
        assert [turn("s1").status_code for _ in range(2)] == [404, 404]
        _refused(turn("s1"), "too many messages in this conversation; wait {s} s before the next one")
        assert turn("s2").status_code == 404  # another conversation from the same address is not held back
        assert all(turn(None).status_code != 429 for _ in range(5))  # new conversations: the address limit only


@pytest.mark.parametrize(
    "limits",
    [{"rate_address_per_minute": 0}, {"rate_address_burst": 0},
     {"rate_conversation_per_minute": 0, "rate_address_per_minute": 0}],
)
def test_zero_turns_a_limit_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limits: dict[str, int]) -> None:
    settings = _settings(tmp_path, monkeypatch, **{"rate_address_burst": 1, "rate_conversation_burst": 1, **limits})
    with TestClient(create_app(settings)) as client:
        assert all(client.get("/api/search", params={"q": "焊工"}).status_code != 429 for _ in range(20))
        if settings.rate_conversation_per_minute == 0:
            assert all(client.post("/api/chat", json={"session_id": "s1", "message": "hi"}).status_code == 404
                       for _ in range(20))


def test_the_defaults_leave_room_for_a_busy_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many job seekers behind one NAT address: 100 searches at once from it all go through."""
    settings = _settings(tmp_path, monkeypatch)
    assert (settings.rate_address_per_minute, settings.rate_address_burst) == (600, 100)
    assert (settings.rate_conversation_per_minute, settings.rate_conversation_burst) == (20, 10)
    with TestClient(create_app(settings)) as client:
        statuses = [client.get("/api/search", params={"q": "焊工"}).status_code for _ in range(100)]
    assert 429 not in statuses  # and 10 more every second after that


# -- the client address behind a proxy -------------------------------------------------------------------------

@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[str]:
    """The app under a real uvicorn, which resolves X-Forwarded-For only from the proxies it is told to trust."""
    import uvicorn

    settings = _settings(tmp_path, monkeypatch, rate_address_per_minute=6, rate_address_burst=2)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(settings), log_level="warning", forwarded_allow_ips=request.param)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("server", "statuses"),
    [
        # The proxy on loopback is trusted (uvicorn's default): each forwarded client has its own bucket.
        ("127.0.0.1", {"10.0.0.1": [200, 200, 429], "10.0.0.2": [200]}),
        # An untrusted peer's X-Forwarded-For is ignored: everybody is the peer, one bucket for all.
        ("192.0.2.1", {"10.0.0.1": [200, 200, 429], "10.0.0.2": [429]}),
    ],
    indirect=["server"],
    ids=["trusted-proxy", "untrusted-peer"],
)
def test_the_address_is_the_forwarded_client_only_behind_a_trusted_proxy(
        server: str, statuses: dict[str, list[int]]) -> None:
    got: dict[str, list[int]] = {}
    with httpx.Client(base_url=server, timeout=30) as client:
        for address, expected in statuses.items():
            # /api/search answers 503 on this home (no index): the limit is what is being looked at.
            got[address] = [client.get("/api/search", params={"q": "焊工"},
                                       headers={"X-Forwarded-For": address}).status_code for _ in expected]
    assert {a: [s if s == 429 else 200 for s in codes] for a, codes in got.items()} == statuses
