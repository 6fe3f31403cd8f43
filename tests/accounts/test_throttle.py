"""Failed logins per client address: many usernames tried from one address lock it; the lock always ends; other
addresses, and the per-username throttle, go on as before; the login page says which lock it was."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts.service import Accounts
from assistant.accounts.throttle import AddressThrottle
from assistant.api.app import create_app
from assistant.api.templating import LANG_COOKIE
from assistant.errors import AddressLocked, LoginFailed
from tests.accounts.helpers import PASSWORDS, T0, Clock, cheap_hashing, staff_home
from tests.api.test_auth import login

ADDRESS_LOCKED = "too many failed logins from your address: try again in {m} minute(s)"


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_hashing(monkeypatch)


# -- the counter on its own ----------------------------------------------------------------------------------------

def test_the_limit_locks_and_the_lock_ends() -> None:
    throttle = AddressThrottle(max_failures=3, window=timedelta(minutes=10), lockout=timedelta(minutes=15))
    now = T0
    assert [throttle.failed("a", now + timedelta(minutes=i)) for i in range(2)] == [None, None]
    until = throttle.failed("a", now + timedelta(minutes=2))
    assert until == now + timedelta(minutes=17)
    assert throttle.locked_until("a", now + timedelta(minutes=3)) == until
    assert throttle.locked_until("b", now + timedelta(minutes=3)) is None  # per address
    # Tries while locked neither count nor extend it.
    assert throttle.failed("a", now + timedelta(minutes=16)) == until
    assert throttle.locked_until("a", until) is None  # served: a fresh start
    assert throttle.failed("a", until) is None


@pytest.mark.parametrize(("spacing_minutes", "locked"), [(4, True), (6, False)])
def test_only_failures_within_the_window_count(spacing_minutes: int, locked: bool) -> None:
    throttle = AddressThrottle(max_failures=3, window=timedelta(minutes=10), lockout=timedelta(minutes=15))
    results = [throttle.failed("a", T0 + timedelta(minutes=spacing_minutes * i)) for i in range(3)]
    assert (results[-1] is not None) is locked


def test_memory_is_bounded() -> None:
    throttle = AddressThrottle(max_failures=5, max_addresses=100)
    for i in range(1000):
        throttle.failed(f"198.51.100.{i}", T0)
    assert len(throttle) == 100


@pytest.mark.parametrize("bad", [0, -1])
def test_a_limit_below_one_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match=f"max_failures must be at least 1, got {bad}"):
        AddressThrottle(max_failures=bad)


# -- in the accounts service ---------------------------------------------------------------------------------------

def _accounts(factory: sessionmaker[Session], clock: Clock) -> Accounts:
    throttle = AddressThrottle(max_failures=4, window=timedelta(minutes=15), lockout=timedelta(minutes=10))
    accounts = Accounts(factory, clock=clock, addresses=throttle)
    accounts.add_user("ada", "counsellor", PASSWORDS["ada"], via="cli")
    return accounts


def test_many_names_from_one_address_lock_it_and_the_lock_expires(
    factory: sessionmaker[Session], clock: Clock
) -> None:
    accounts = _accounts(factory, clock)
    for name in ("amy", "ben", "cai"):  # three names: no name reaches its own limit of five
        with pytest.raises(LoginFailed, match="^wrong username or password$"):
            accounts.login(name, "Spring2026!", address="198.51.100.7")
        clock.advance(seconds=20)
    with pytest.raises(AddressLocked) as caught:
        accounts.login("dan", "Spring2026!", address="198.51.100.7")
    assert (str(caught.value), caught.value.retry_after) == (ADDRESS_LOCKED.format(m=10), 600)
    clock.advance(minutes=9)
    with pytest.raises(AddressLocked) as caught:  # even the right password, while locked
        accounts.login("ada", PASSWORDS["ada"], address="198.51.100.7")
    assert caught.value.retry_after == 60
    # Another address is not held back, and the per-username throttle did not count the address's refusals.
    assert accounts.login("ada", PASSWORDS["ada"], address="198.51.100.8").account.username == "ada"
    clock.advance(minutes=1)  # the lock is over: a real user cannot be kept out for ever
    assert accounts.login("ada", PASSWORDS["ada"], address="198.51.100.7").account.username == "ada"


def test_without_an_address_only_the_username_counts(factory: sessionmaker[Session], clock: Clock) -> None:
    accounts = _accounts(factory, clock)
    for name in ("amy", "ben", "cai", "dan", "eve", "fay"):
        with pytest.raises(LoginFailed, match="^wrong username or password$"):
            accounts.login(name, "Spring2026!")  # the CLI and tests: no address, no address lock


# -- on the login page ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "shown"), [("zh", "这台设备所在的网络登录失败次数过多"),
                                             ("en", "Too many failed logins from your network")])
def test_the_login_page_says_the_address_is_locked(tmp_path: Path, lang: str, shown: str) -> None:
    settings = staff_home(tmp_path)
    with TestClient(create_app(settings), client=("198.51.100.7", 40000)) as client:
        client.cookies.set(LANG_COOKIE, lang)
        statuses = [login(client, f"name{i}", "Spring2026!").status_code for i in range(25)]
        assert statuses[0] == 401 and statuses[-1] == 429
        res = login(client, "ada")
        assert res.status_code == 429 and shown in res.text and int(res.headers["retry-after"]) > 0
    with TestClient(create_app(settings), client=("198.51.100.8", 40000)) as other:  # a new process, another address
        assert login(other, "ada").status_code in (200, 303)
