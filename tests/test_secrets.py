"""No secrets in the repository: every file git tracks (or would add) is scanned for private keys, API keys and
tokens, credentials in URLs and passwords in configuration; no .env, key or runtime secret file is tracked, and
.gitignore keeps the data home, the index and secret files out."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Written so that this file does not match its own patterns.
PATTERNS = {
    "private key": re.compile("-----BEGIN " + r"(?:[A-Z0-9]+ )*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)" + r"[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_" + r"[A-Za-z0-9_]{40,})"),
    "OpenAI-style API key": re.compile(r"\bsk-(?:proj-|live-|test-)?" + r"[A-Za-z0-9_-]{32,}"),
    "Slack token": re.compile(r"\bxox[abposr]-" + r"[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza" + r"[0-9A-Za-z_-]{35}"),
    "JSON web token": re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ" + r"[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    "password in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@'\"]+:" + r"[^\s/@'\"{}$<>]+@"),
}
# In configuration files, a secret-looking key with a literal value (placeholders and variables are fine).
CONFIG_SUFFIXES = {".env", ".ini", ".cfg", ".conf", ".toml", ".yaml", ".yml", ".json", ".properties"}
# A secret-looking key (SKILLPATH_SECRET_KEY, db_password, "api_key") set to a literal that looks like a secret:
# ASCII, 8 characters or more, letters and digits both (a UI label such as "Password" is not one).
CONFIG_SECRET = re.compile(r"""(?ix)["']?[\w.-]*(?:password|passwd|pwd|secret|secret_key|api_key|apikey|access_key|
                               token|private_key)["']?\s*[:=]\s*["']?(?P<value>[!#-&(-+\--~]{8,})""")
PLACEHOLDER = re.compile(r"^(?:\$\{?\w+\}?.*|<[^>]+>|\{\{.*\}\}|changeme|change-me|example\S*|\w+_here)$", re.I)
# Files that must never be tracked, whatever they hold.
FORBIDDEN_FILES = re.compile(r"(?:^|/)(?:\.env(?:\.(?!example$)[^/]+)?|secret_key|id_(?:rsa|dsa|ecdsa|ed25519)|"
                             r"[^/]+\.(?:pem|key|p12|pfx|keystore|jks))$")
# Paths .gitignore must cover: the default data home (database, generated secret key, uploads), built indexes,
# environment files and keys.
MUST_BE_IGNORED = ["var/secret_key", "var/skillpath.db", "var/uploads/x/files/offers.csv", "index/v1/dense.faiss",
                   ".env", ".env.production", "deploy/server.pem", "deploy/server.key", "secret_key",
                   "test-artifacts/screenshots/chat.png"]


def findings(path: str, text: str) -> list[str]:
    """What in one file looks like a secret, as 'path:line: kind'."""
    found = []
    config = Path(path).suffix in CONFIG_SUFFIXES or Path(path).name.startswith(".env")
    for number, line in enumerate(text.splitlines(), 1):
        for kind, pattern in PATTERNS.items():
            if pattern.search(line):
                found.append(f"{path}:{number}: {kind}")
        if config:
            for match in CONFIG_SECRET.finditer(line):
                value = match["value"]
                looks_secret = re.search(r"[A-Za-z]", value) and re.search(r"\d", value)
                if looks_secret and not PLACEHOLDER.match(value):
                    found.append(f"{path}:{number}: secret in configuration")
    return found


def _git(*args: str) -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [line for line in out.split("\0" if "-z" in args else "\n") if line]


def _files() -> list[str]:
    """Tracked files and new ones git would add (not ignored), so a secret is caught before its first commit."""
    return sorted(set(_git("ls-files", "-z", "--cached", "--others", "--exclude-standard")))


def test_no_file_holds_a_secret() -> None:
    found = []
    for path in _files():
        full = ROOT / path
        if not full.is_file():
            continue  # deleted in the working tree
        data = full.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        found += findings(path, data.decode("utf-8", errors="replace"))
    assert found == [], "secrets must come from the environment (SKILLPATH_*), never from the repository"


def test_no_secret_file_is_tracked() -> None:
    assert [p for p in _files() if FORBIDDEN_FILES.search(p)] == []


def test_gitignore_keeps_data_and_secrets_out() -> None:
    ignored = set(_git("check-ignore", "--no-index", *MUST_BE_IGNORED))
    assert sorted(set(MUST_BE_IGNORED) - ignored) == []


def _sample(*parts: str) -> str:
    return "".join(parts)  # assembled here so that this file never holds one whole


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("deploy/key.txt", _sample("-----BEGIN ", "RSA PRIVATE KEY-----\nMIIE..."), "private key"),
        ("deploy/key.txt", _sample("-----BEGIN ", "OPENSSH PRIVATE KEY-----"), "private key"),
        ("notes.md", _sample("aws_key = AKIA", "IOSFODNN7EXAMPLE"), "AWS access key"),
        ("ci.sh", _sample("TOKEN=ghp_", "a" * 36), "GitHub token"),
        ("assistant/llm.py", _sample('API_KEY = "sk-', "proj-", "A1b2" * 10, '"'), "OpenAI-style API key"),
        ("hook.py", _sample("xoxb-", "1234567890-abcdef"), "Slack token"),
        ("maps.js", _sample("key: AIza", "S" * 35), "Google API key"),
        ("tests/x.py", _sample("eyJhbGciOiJIUzI1NiJ9", ".eyJzdWIiOiIxMjM0NTY3ODkwIn0", ".dozjgNryP4J3jVmNHl0w5N"),
         "JSON web token"),
        ("README.md", _sample("postgresql://skillpath:", "hunter2secret@db.example/sp"), "password in a URL"),
        ("deploy/app.env", "SKILLPATH_SECRET_KEY=9f8e7d6c5b4a3f2e1d0c", "secret in configuration"),
        ("deploy/settings.yaml", "database:\n  password: \"Tr0ub4dor&3\"", "secret in configuration"),
        ("config.json", '{"api_key": "abcd1234efgh5678"}', "secret in configuration"),
    ],
)
def test_the_scan_finds_secrets(path: str, text: str, kind: str) -> None:
    """The scan is only worth something if it finds what it is there to find."""
    assert any(f.endswith(f": {kind}") for f in findings(path, text)), findings(path, text)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("README.md", "SKILLPATH_DATABASE_URL=postgresql+psycopg://u@db/sp"),  # a user, no password
        ("scripts/x.sh", "postgresql+psycopg://postgres@127.0.0.1:54329/postgres"),
        ("deploy/app.env", "SKILLPATH_SECRET_KEY=${SKILLPATH_SECRET_KEY}"),
        ("settings.yaml", "password: <your password>"),
        ("web/i18n/auth.json", '"login_password": "密码"'),  # a label, not a secret
        ("assistant/config.py", 'secret_key: str = field(default="", repr=False)'),  # code reads it from the env
        ("tests/x.py", "sk-short"),
    ],
)
def test_the_scan_leaves_ordinary_text_alone(path: str, text: str) -> None:
    assert findings(path, text) == []


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [(".env", True), ("deploy/.env.production", True), (".env.example", False), ("var/secret_key", True),
     ("certs/server.pem", True), ("certs/server.key", True), ("home/.ssh/id_ed25519", True),
     ("assistant/accounts/csrf.py", False), ("docs/keys.md", False)],
)
def test_forbidden_file_names(path: str, forbidden: bool) -> None:
    assert bool(FORBIDDEN_FILES.search(path)) is forbidden
