"""`skillpath user add|list|passwd|deactivate`: prompts, stdin, messages and exit codes, and the audit trail."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from assistant.accounts import audit
from assistant.accounts.service import Accounts
from assistant.cli import main
from assistant.store.db import make_engine, make_sessionmaker
from tests.accounts.helpers import cheap_hashing

GOOD, OTHER = "a long passphrase", "another long passphrase"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    cheap_hashing(monkeypatch)
    return {"SKILLPATH_HOME": str(tmp_path / "home"), "SKILLPATH_EMBEDDER": "fake"}


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What getpass answers, in order; the test fills it. Fails if the command asks more than it was given."""
    answers: list[str] = []
    asked: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        asked.append(prompt)
        assert answers, f"unexpected prompt {prompt!r}"
        return answers.pop(0)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    yield answers
    assert not answers, f"answers left over: {answers} (asked {asked})"


def run(argv: list[str], env: dict[str, str], capsys: pytest.CaptureFixture[str], *,
        stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    capsys.readouterr()
    rc = main(argv, environ=env)
    out, err = capsys.readouterr()
    return rc, out.strip(), err.strip()


def accounts(env: dict[str, str]) -> tuple[Accounts, Engine]:
    """The accounts service on the CLI's store, to log in with what the CLI set up."""
    engine = make_engine(f"sqlite:///{Path(env['SKILLPATH_HOME']) / 'skillpath.db'}")
    return Accounts(make_sessionmaker(engine)), engine


def test_first_admin_then_list(env: dict[str, str], prompts: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["user", "list"], env, capsys) == (
        0, "no users yet: create the first admin with `skillpath user add NAME --role admin`", "")
    prompts += [GOOD, GOOD]
    assert run(["user", "add", "Root", "--role", "admin", "--display-name", "王管理员"], env, capsys) == (
        0, "created admin 'root' (王管理员)", "")
    rc, out, _ = run(["user", "list"], env, capsys)
    assert rc == 0 and out.split() == ["root", "admin", "active", "last", "login", "never", "王管理员"]
    rc, out, _ = run(["user", "list", "--json"], env, capsys)
    [row] = json.loads(out)
    assert {k: row[k] for k in ("username", "display_name", "role", "active", "last_login_at")} == {
        "username": "root", "display_name": "王管理员", "role": "admin", "active": True, "last_login_at": None}
    service, engine = accounts(env)
    assert service.login("root", GOOD).account.role == "admin"
    engine.dispose()


def test_password_from_stdin(env: dict[str, str], capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    rc, out, _ = run(["user", "add", "ada", "--role", "counsellor", "--password-stdin"], env, capsys,
                     stdin=GOOD + "\n", monkeypatch=monkeypatch)
    assert (rc, out) == (0, "created counsellor 'ada' (ada)")
    service, engine = accounts(env)
    assert service.login("ada", GOOD).account.username == "ada"  # the newline is not part of it
    engine.dispose()


@pytest.mark.parametrize(
    ("argv", "answers", "stdin", "error"),
    [
        (["user", "add", "ada", "--role", "boss"], [], None,
         "error: unknown role 'boss': one of admin, counsellor, operator"),
        (["user", "add", "olu", "--role", "operator"], [], None, "error: username 'olu' is already taken"),
        (["user", "add", "OLU", "--role", "operator"], [], None, "error: username 'olu' is already taken"),
        (["user", "add", "bad name", "--role", "operator"], [], None,
         "error: invalid username 'bad name': 1 to 64 letters, digits, '.', '_' or '-', "
         "starting with a letter or digit"),
        (["user", "add", "ada", "--role", "counsellor"], ["short"], None,
         "error: password too short: 5 characters, at least 10 are needed"),
        (["user", "add", "ada", "--role", "counsellor"], [GOOD, OTHER], None,
         "error: the two passwords differ; nothing was changed"),
        (["user", "add", "ada", "--role", "counsellor", "--password-stdin"], [], "short\n",
         "error: password too short: 5 characters, at least 10 are needed"),
        (["user", "passwd", "nobody"], [], None, "error: no user named 'nobody'"),
        (["user", "passwd", "olu"], ["too short"], None,
         "error: password too short: 9 characters, at least 10 are needed"),
        (["user", "deactivate", "nobody"], [], None, "error: no user named 'nobody'"),
    ],
)
def test_errors_say_what_is_wrong_and_change_nothing(
    env: dict[str, str], prompts: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    argv: list[str], answers: list[str], stdin: str | None, error: str,
) -> None:
    prompts += [GOOD, GOOD]
    assert run(["user", "add", "olu", "--role", "operator"], env, capsys)[0] == 0
    prompts += answers
    assert run(argv, env, capsys, stdin=stdin, monkeypatch=monkeypatch) == (2, "", error)
    service, engine = accounts(env)
    assert [(a.username, a.active) for a in service.list_users()] == [("olu", True)]
    assert service.login("olu", GOOD).account.username == "olu"  # password unchanged
    engine.dispose()


def test_passwd_and_deactivate_end_sessions_and_are_audited(
    env: dict[str, str], prompts: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    prompts += [GOOD, GOOD]
    run(["user", "add", "ada", "--role", "counsellor"], env, capsys)
    service, engine = accounts(env)
    token = service.login("ada", GOOD).token
    prompts += [OTHER, OTHER]
    assert run(["user", "passwd", "ADA"], env, capsys) == (0, "password changed for 'ada'; 1 session(s) ended", "")
    assert service.resolve(token) is None
    token = service.login("ada", OTHER).token
    assert run(["user", "deactivate", "ada"], env, capsys) == (0, "deactivated 'ada'; their sessions are ended", "")
    assert run(["user", "deactivate", "ada"], env, capsys) == (0, "'ada' was already inactive", "")
    assert service.resolve(token) is None
    rc, out, _ = run(["user", "list"], env, capsys)
    assert out.split()[:3] == ["ada", "counsellor", "inactive"]
    with make_sessionmaker(engine)() as session:
        events = list(reversed(audit.list_events(session)))
    engine.dispose()
    trail = [(e.actor, e.action, e.target, e.detail.get("via")) for e in events]
    assert trail == [
        (None, "user.create", "ada", "cli"), ("ada", "login", "ada", None),
        (None, "user.password", "ada", "cli"), ("ada", "login", "ada", None),
        (None, "user.deactivate", "ada", "cli"),
    ]
    details = repr([e.detail for e in events])
    assert GOOD not in details and OTHER not in details
