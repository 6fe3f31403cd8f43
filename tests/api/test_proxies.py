"""Forwarded headers count only from configured proxies: a client's own X-Forwarded-For is ignored (so it cannot pick
the address its rate limit is kept under), a configured proxy's is honoured, and a bad setting is refused by name."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.ratelimit import trusted_proxies
from assistant.errors import SettingsError
from tests.accounts.helpers import cheap_hashing, staff_home

PROXY = "10.0.0.5"
SEARCH = ("/api/search", {"q": "焊工"})


def _statuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, trusted: str, connecting_from: str) -> list[int]:
    """Three searches, each claiming another client in X-Forwarded-For, with a burst of one per address."""
    cheap_hashing(monkeypatch)
    settings = dataclasses.replace(staff_home(tmp_path), trusted_proxies=trusted, rate_address_per_minute=1,
                                   rate_address_burst=1)
    with TestClient(create_app(settings), client=(connecting_from, 40000)) as client:
        return [client.get(SEARCH[0], params=SEARCH[1], headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                for i in range(3)]


@pytest.mark.parametrize(
    ("trusted", "connecting_from", "limited"),
    [
        ("", "127.0.0.1", True),  # the default: nobody's header, loopback's neither
        ("", PROXY, True),
        (PROXY, "10.0.0.9", True),  # a client that is not the proxy: its header is its own invention
        (PROXY, PROXY, False),  # the proxy: each job seeker counted as themselves
        ("10.0.0.0/24, 192.0.2.1", PROXY, False),  # a network holds it
    ],
)
def test_forwarded_addresses_count_only_from_configured_proxies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trusted: str, connecting_from: str, limited: bool
) -> None:
    statuses = _statuses(tmp_path, monkeypatch, trusted=trusted, connecting_from=connecting_from)
    assert 429 not in statuses[:1]
    assert (429 in statuses) is limited, statuses


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", []), (" 10.0.0.5 ", ["10.0.0.5"]), ("10.0.0.5,10.0.1.0/24", ["10.0.0.5", "10.0.1.0/24"]),
     ("::1, fd00::/8", ["::1", "fd00::/8"])],
)
def test_the_setting_is_read_as_addresses_and_networks(value: str, expected: list[str]) -> None:
    assert trusted_proxies(value) == expected


@pytest.mark.parametrize("bad", ["*", "proxy.example", "10.0.0.300", "10.0.0.5, nonsense"])
def test_a_bad_setting_is_refused_by_name(bad: str) -> None:
    with pytest.raises(SettingsError, match=r"SKILLPATH_TRUSTED_PROXIES: '.+' is not an IP address or network"):
        trusted_proxies(bad)


def test_the_default_trusts_no_proxy(tmp_path: Path) -> None:
    assert staff_home(tmp_path).trusted_proxies == ""
