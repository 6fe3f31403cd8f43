"""Password hashing with argon2id (argon2-cffi's RFC 9106 defaults) and the password policy."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from assistant.errors import AccountError

MIN_LENGTH = 10
# Long enough for any passphrase; the cap stops a megabyte "password" from costing a hash of it.
MAX_LENGTH = 1024


@cache
def _hasher() -> PasswordHasher:
    # Built on first use, not at import; argon2id is PasswordHasher's default type.
    return PasswordHasher()


def check_policy(password: str) -> None:
    """Refuse passwords that are too short or absurdly long, saying which and by how much."""
    if len(password) < MIN_LENGTH:
        raise AccountError(f"password too short: {len(password)} characters, at least {MIN_LENGTH} are needed")
    if len(password) > MAX_LENGTH:
        raise AccountError(f"password too long: {len(password)} characters, at most {MAX_LENGTH}")


def hash_password(password: str) -> str:
    """The argon2id hash (salt and parameters included) of a password that meets the policy."""
    check_policy(password)
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches; a malformed stored hash is a mismatch, not a crash."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's (it is replaced at the next login)."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash() -> str:
    return _hasher().hash("not a password of anyone")


def waste_verification(password: str) -> None:
    """Spend the time of one verification, so an unknown username answers as slowly as a wrong password."""
    verify_password(_dummy_hash(), password)
