"""CSRF tokens: which token matches which secret, and that anything else is refused."""

from __future__ import annotations

import pytest

from assistant.accounts import csrf

KEY, OTHER_KEY = "app-secret-key", "another-app-secret"
SECRET, NONCE = "session-csrf-secret", "visitor-nonce-0123456789"


@pytest.mark.parametrize(
    ("expected", "given", "ok"),
    [
        (csrf.session_token(KEY, SECRET), csrf.session_token(KEY, SECRET), True),
        (csrf.anonymous_token(KEY, NONCE), csrf.anonymous_token(KEY, NONCE), True),
        # another session's secret, another app's key, another visitor's cookie
        (csrf.session_token(KEY, SECRET), csrf.session_token(KEY, "other-secret"), False),
        (csrf.session_token(KEY, SECRET), csrf.session_token(OTHER_KEY, SECRET), False),
        (csrf.anonymous_token(KEY, NONCE), csrf.anonymous_token(KEY, "other-nonce-0123456789"), False),
        # a session's token is not a visitor's token for the same value, nor the raw value itself
        (csrf.session_token(KEY, SECRET), csrf.anonymous_token(KEY, SECRET), False),
        (csrf.session_token(KEY, SECRET), SECRET, False),
        (csrf.anonymous_token(KEY, NONCE), NONCE, False),
        # missing or truncated
        (csrf.session_token(KEY, SECRET), None, False),
        (csrf.session_token(KEY, SECRET), "", False),
        (csrf.session_token(KEY, SECRET), csrf.session_token(KEY, SECRET)[:-1], False),
        ("", "", False),
        (None, None, False),
        (csrf.session_token(KEY, SECRET), "非ASCII", False),
    ],
)
def test_matches(expected: str | None, given: str | None, ok: bool) -> None:
    assert csrf.matches(expected, given) is ok


def test_tokens_are_url_safe_and_stable() -> None:
    token = csrf.session_token(KEY, SECRET)
    assert token == csrf.session_token(KEY, SECRET) and len(token) == 43
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert csrf.new_nonce() != csrf.new_nonce() and len(csrf.new_nonce()) >= 40
