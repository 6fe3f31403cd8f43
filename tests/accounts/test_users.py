"""The users repository on SQLite and PostgreSQL: create, look up, list, change password, deactivate."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import passwords, users
from assistant.errors import AccountError
from tests.accounts.helpers import T0, cheap_hashing


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_hashing(monkeypatch)


def _add(session: Session, username: str, role: str = "counsellor", password: str = "long enough pw", **kw: str):
    return users.create_user(session, username=username, role=role, password=password, now=T0, **kw)


def test_create_then_get_by_any_case(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        user = _add(session, "  Li.Lei ", display_name="李雷")
    with factory() as session:
        found = users.get_by_username(session, "LI.LEI")
        assert found is not None and found.id == user.id
        assert (found.username, found.display_name, found.role) == ("li.lei", "李雷", "counsellor") and found.active
        assert found.last_login_at is None and found.password_hash.startswith("$argon2id$")
        assert passwords.verify_password(found.password_hash, "long enough pw")
        assert users.get_by_username(session, "nobody") is None and users.get_by_username(session, "  ") is None


def test_display_name_defaults_to_the_username(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        assert _add(session, "张伟").display_name == "张伟"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "ada"}, "username 'ada' is already taken"),
        ({"username": "ADA"}, "username 'ada' is already taken"),
        ({"username": "bob", "role": "boss"}, "unknown role 'boss': one of admin, counsellor, operator"),
        ({"username": "bob", "password": "short"}, "password too short: 5 characters, at least 10 are needed"),
        ({"username": "bob smith"}, "invalid username 'bob smith': 1 to 64 letters, digits, '.', '_' or '-', "
                                    "starting with a letter or digit"),
        ({"username": ""}, "invalid username '': 1 to 64 letters"),
        ({"username": "-bob"}, "invalid username '-bob'"),
        ({"username": "x" * 65}, "invalid username"),
    ],
)
def test_create_refusals_name_the_problem_and_add_nothing(
    sqlite_factory: sessionmaker[Session], kwargs: dict[str, str], message: str
) -> None:
    # Checks made in Python, so SQLite is enough; the unique constraint itself is tested on both stores.
    with sqlite_factory.begin() as session:
        _add(session, "ada")
    with sqlite_factory() as session:
        with pytest.raises(AccountError) as caught:
            _add(session, **kwargs)
        assert str(caught.value).startswith(message)
        session.rollback()
        assert [u.username for u in users.list_users(session)] == ["ada"]


def test_list_set_password_and_deactivate(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        for name, role in (("olu", "operator"), ("ada", "counsellor"), ("root", "admin")):
            _add(session, name, role)
    with factory.begin() as session:
        ada = users.get_by_username(session, "ada")
        assert ada is not None
        users.set_password(session, ada, "a brand new passphrase")
        assert users.deactivate(session, ada) is True
        assert users.deactivate(session, ada) is False  # already inactive
        with pytest.raises(AccountError, match="password too short: 3 characters"):
            users.set_password(session, ada, "abc")
    with factory() as session:
        assert [(u.username, u.role, u.active) for u in users.list_users(session)] == [
            ("ada", "counsellor", False), ("olu", "operator", True), ("root", "admin", True)]
        assert [u.username for u in users.list_users(session, include_inactive=False)] == ["olu", "root"]
        ada = users.get_by_username(session, "ada")
        assert ada is not None and passwords.verify_password(ada.password_hash, "a brand new passphrase")
