"""CSRF tokens for forms and console JSON calls: signed, bound to a login session or to a visitor cookie.

Logged in: the token is an HMAC of the session's server-side csrf secret, so it changes with every
login and dies with the session. Anonymous (the login form): a random nonce lives in a cookie and the
token is its HMAC ("signed double submit"): a cross-site page can neither read the cookie nor forge the
signature, and a cookie planted by a sibling subdomain is useless without the app's secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["anonymous_token", "matches", "new_nonce", "session_token"]


def _sign(key: str, purpose: str, value: str) -> str:
    mac = hmac.new(key.encode("utf-8"), f"{purpose}:{value}".encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def new_nonce() -> str:
    """A fresh value for the anonymous CSRF cookie."""
    return secrets.token_urlsafe(32)


def session_token(key: str, csrf_secret: str) -> str:
    """The token for a logged-in session; `key` is Settings.resolved_secret()."""
    return _sign(key, "session", csrf_secret)


def anonymous_token(key: str, nonce: str) -> str:
    """The token for a visitor without a login, whose CSRF cookie holds `nonce`."""
    return _sign(key, "anonymous", nonce)


def matches(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing token on either side never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
