"""Settings come from the environment mapping passed in, each parsed by its declared type, bad values named."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from assistant.config import KNOWLEDGE_DIR, WEB_DIR, Settings
from assistant.errors import SettingsError, SkillPathError

# What from_env({}) gave before settings were declared with their variables: a change here is a change of behaviour.
TODAYS_DEFAULTS = dict(
    knowledge_dir=KNOWLEDGE_DIR, host="127.0.0.1", port=8000, workers=1, embedder="e5-small", index_keep=3,
    approximate_above=50_000, llm_base_url="", llm_model="", llm_api_key="", llm_timeout=10.0, max_message_chars=2000,
    web_dir=WEB_DIR, secret_key="", cookie_secure=True, session_hours=8.0, warm_queries=True, threads=16,
    rate_address_per_minute=600, rate_address_burst=100, rate_conversation_per_minute=20, rate_conversation_burst=10,
    retention_days_conversations=90, retention_days_casework=365, retention_days_uploads=90, retention_days_audit=365,
    purge_every_hours=24.0,
)


def test_no_variables_give_todays_defaults() -> None:
    home = Path("var").resolve()
    expected = Settings(home=home, database_url=f"sqlite:///{home / 'skillpath.db'}", **TODAYS_DEFAULTS)
    assert Settings.from_env({}) == expected


@pytest.mark.parametrize(
    ("env", "home", "url"),
    [
        ({}, Path("var").resolve(), f"sqlite:///{Path('var').resolve() / 'skillpath.db'}"),
        ({"SKILLPATH_HOME": "/srv/sp"}, Path("/srv/sp"), "sqlite:////srv/sp/skillpath.db"),
        ({"SKILLPATH_HOME": "/srv/sp", "SKILLPATH_DATABASE_URL": "postgresql+psycopg://u@db/sp"},
         Path("/srv/sp"), "postgresql+psycopg://u@db/sp"),
    ],
)
def test_from_env(env: dict[str, str], home: Path, url: str) -> None:
    s = Settings.from_env(env)
    assert (s.home, s.database_url, s.knowledge_dir) == (home, url, KNOWLEDGE_DIR)
    assert s.index_dir == home / "index" and s.cache_dir == home / "cache"


def test_port_from_env() -> None:
    assert Settings.from_env({"SKILLPATH_PORT": "9001"}).port == 9001


def test_os_environ_when_no_mapping_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLPATH_THREADS", "3")
    assert Settings.from_env().threads == 3


# -- each type ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("variable", "value", "name", "expected"),
    [
        # int
        ("SKILLPATH_PORT", "9001", "port", 9001),
        ("SKILLPATH_THREADS", " 4 ", "threads", 4),
        ("SKILLPATH_APPROXIMATE_ABOVE", "1_000", "approximate_above", 1000),
        ("SKILLPATH_RATE_ADDRESS_PER_MINUTE", "0", "rate_address_per_minute", 0),  # 0 turns a limit off
        ("SKILLPATH_RETENTION_DAYS_AUDIT", "0", "retention_days_audit", 0),  # 0 keeps forever
        # float
        ("SKILLPATH_LLM_TIMEOUT", "2.5", "llm_timeout", 2.5),
        ("SKILLPATH_SESSION_HOURS", "1", "session_hours", 1.0),
        ("SKILLPATH_PURGE_EVERY_HOURS", "0", "purge_every_hours", 0.0),  # 0: only `skillpath purge`
        ("SKILLPATH_PURGE_EVERY_HOURS", "1e-3", "purge_every_hours", 0.001),
        # bool, either case, around whitespace
        ("SKILLPATH_COOKIE_SECURE", "0", "cookie_secure", False),
        ("SKILLPATH_COOKIE_SECURE", "false", "cookie_secure", False),
        ("SKILLPATH_COOKIE_SECURE", "No", "cookie_secure", False),
        ("SKILLPATH_COOKIE_SECURE", " OFF ", "cookie_secure", False),
        ("SKILLPATH_WARM_QUERIES", "1", "warm_queries", True),
        ("SKILLPATH_WARM_QUERIES", "TRUE", "warm_queries", True),
        ("SKILLPATH_WARM_QUERIES", "yes", "warm_queries", True),
        ("SKILLPATH_WARM_QUERIES", "on", "warm_queries", True),
        # str; the LLM's and the key's whitespace is dropped (pasted values often carry a newline)
        ("SKILLPATH_HOST", "0.0.0.0", "host", "0.0.0.0"),
        ("SKILLPATH_EMBEDDER", "minilm", "embedder", "minilm"),
        ("SKILLPATH_LLM_BASE_URL", "  http://llm.local/v1\n", "llm_base_url", "http://llm.local/v1"),
        ("SKILLPATH_LLM_MODEL", " qwen ", "llm_model", "qwen"),
        ("SKILLPATH_LLM_API_KEY", "sk-1 ", "llm_api_key", "sk-1"),
        ("SKILLPATH_SECRET_KEY", "\tkey\n", "secret_key", "key"),
        # Path, resolved
        ("SKILLPATH_WEB_DIR", "elsewhere/web", "web_dir", Path("elsewhere/web").resolve()),
        ("SKILLPATH_KNOWLEDGE_DIR", "~/kb", "knowledge_dir", Path("~/kb").expanduser().resolve()),
        # empty or blank: the default, as if unset
        ("SKILLPATH_PORT", "", "port", 8000),
        ("SKILLPATH_LLM_TIMEOUT", " ", "llm_timeout", 10.0),
        ("SKILLPATH_COOKIE_SECURE", "", "cookie_secure", True),
        ("SKILLPATH_HOST", "", "host", "127.0.0.1"),
        ("SKILLPATH_HOME", "", "home", Path("var").resolve()),
    ],
)
def test_each_type_is_parsed(variable: str, value: str, name: str, expected: Any) -> None:
    got = getattr(Settings.from_env({variable: value}), name)
    assert got == expected and type(got) is type(expected)


def test_the_database_follows_the_home(tmp_path: Path) -> None:
    s = Settings.from_env({"SKILLPATH_HOME": str(tmp_path / "sp")})
    assert s.database_url == f"sqlite:///{tmp_path / 'sp' / 'skillpath.db'}"


@pytest.mark.parametrize(
    ("env", "rows"),
    [
        ({}, 50_000),
        ({"SKILLPATH_APPROXIMATE_ABOVE": "1000"}, 1000),
        ({"SKILLPATH_HNSW_ABOVE": "2000"}, 2000),  # the name before IVF replaced HNSW
        ({"SKILLPATH_APPROXIMATE_ABOVE": "1000", "SKILLPATH_HNSW_ABOVE": "2000"}, 1000),  # the new name wins
        ({"SKILLPATH_APPROXIMATE_ABOVE": "", "SKILLPATH_HNSW_ABOVE": "2000"}, 2000),  # blank is unset
    ],
)
def test_approximate_above_from_env(env: dict[str, str], rows: int) -> None:
    assert Settings.from_env(env).approximate_above == rows


# -- bad values: a SettingsError that names the variable --------------------------------------------------------------

@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SKILLPATH_RATE_ADDRESS_PER_MINUTE": "ten"},
         "SKILLPATH_RATE_ADDRESS_PER_MINUTE: 'ten' is not a whole number"),
        ({"SKILLPATH_PORT": "80.5"}, "SKILLPATH_PORT: '80.5' is not a whole number"),
        ({"SKILLPATH_MAX_MESSAGE_CHARS": "2k"}, "SKILLPATH_MAX_MESSAGE_CHARS: '2k' is not a whole number"),
        ({"SKILLPATH_HNSW_ABOVE": "many"}, "SKILLPATH_HNSW_ABOVE: 'many' is not a whole number"),  # the name read
        ({"SKILLPATH_LLM_TIMEOUT": "x"}, "SKILLPATH_LLM_TIMEOUT: 'x' is not a number"),
        ({"SKILLPATH_SESSION_HOURS": "nan"}, "SKILLPATH_SESSION_HOURS: 'nan' is not a number"),
        ({"SKILLPATH_PURGE_EVERY_HOURS": "inf"}, "SKILLPATH_PURGE_EVERY_HOURS: 'inf' is not a number"),
        ({"SKILLPATH_COOKIE_SECURE": "maybe"},
         "SKILLPATH_COOKIE_SECURE: 'maybe' is not one of 1, 0, true, false, yes, no, on, off"),
        ({"SKILLPATH_WARM_QUERIES": "2"},
         "SKILLPATH_WARM_QUERIES: '2' is not one of 1, 0, true, false, yes, no, on, off"),
        ({"SKILLPATH_SKILL_VIEWS": "bert"},
         "SKILLPATH_SKILL_VIEWS: 'bert' is not one of auto, minilm, fake, off"),
        ({"SKILLPATH_PORT": "-1"}, "SKILLPATH_PORT: -1 is out of range 1..65535"),
        ({"SKILLPATH_PORT": "70000"}, "SKILLPATH_PORT: 70000 is out of range 1..65535"),
        ({"SKILLPATH_MAX_MESSAGE_CHARS": "0"}, "SKILLPATH_MAX_MESSAGE_CHARS: 0 is too small: at least 1"),
        ({"SKILLPATH_THREADS": "-4"}, "SKILLPATH_THREADS: -4 is too small: at least 1"),
        ({"SKILLPATH_INDEX_KEEP": "1"}, "SKILLPATH_INDEX_KEEP: 1 is too small: at least 2"),  # rollback needs two
        ({"SKILLPATH_RATE_CONVERSATION_BURST": "-1"}, "SKILLPATH_RATE_CONVERSATION_BURST: -1 is too small: at least 0"),
        ({"SKILLPATH_RETENTION_DAYS_UPLOADS": "-30"}, "SKILLPATH_RETENTION_DAYS_UPLOADS: -30 is too small: at least 0"),
        ({"SKILLPATH_PURGE_EVERY_HOURS": "-0.5"}, "SKILLPATH_PURGE_EVERY_HOURS: -0.5 is too small: at least 0"),
    ],
)
def test_a_bad_value_names_its_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    assert str(caught.value) == message
    assert isinstance(caught.value, SkillPathError)  # the CLI prints it as `error: ...` and exits 2


# -- one declaration: every field has its variable and its doc ------------------------------------------------------

def test_every_setting_has_a_variable_and_a_doc() -> None:
    described = Settings.describe()
    assert [d.name for d in described] == [f.name for f in dataclasses.fields(Settings)]
    for d in described:
        assert d.env.startswith("SKILLPATH_") and d.doc.strip(), d
        assert d.type in ("int", "float", "bool", "str", "Path"), d
    names = [d.env for d in described] + [old for d in described for old in d.old_names]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("env", "type_", "default"),
    [
        ("SKILLPATH_HOME", "Path", "var"),
        ("SKILLPATH_DATABASE_URL", "str", "sqlite:///<home>/skillpath.db"),
        ("SKILLPATH_PORT", "int", "8000"),
        ("SKILLPATH_LLM_TIMEOUT", "float", "10"),
        ("SKILLPATH_COOKIE_SECURE", "bool", "1"),
        ("SKILLPATH_APPROXIMATE_ABOVE", "int", "50000"),
        ("SKILLPATH_WEB_DIR", "Path", "web/ of the checkout"),  # not this machine's path
    ],
)
def test_describe_shows_defaults_as_written_in_the_environment(env: str, type_: str, default: str) -> None:
    [info] = [d for d in Settings.describe() if d.env == env]
    assert (info.type, info.default) == (type_, default)


def test_every_described_default_is_what_from_env_gives() -> None:
    defaults = Settings.from_env({})
    for d in Settings.describe():
        if d.type in ("int", "float", "bool"):
            assert getattr(Settings.from_env({d.env: d.default}), d.name) == getattr(defaults, d.name), d


def test_secrets_stay_out_of_repr() -> None:
    s = Settings.from_env({"SKILLPATH_LLM_API_KEY": "sk-very-secret", "SKILLPATH_SECRET_KEY": "sign-me"})
    assert "sk-very-secret" not in repr(s) and "sign-me" not in repr(s)


def test_the_settings_table_in_the_docs_is_generated_from_the_declaration() -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "scripts/settings_table.py", "--check"], cwd=root, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
