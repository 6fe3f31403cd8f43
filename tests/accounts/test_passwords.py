"""Password hashing: argon2id, verification, rehash on changed parameters, and the policy's messages."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from assistant.accounts import passwords
from assistant.errors import AccountError


def test_hash_is_argon2id_salted_and_verifies() -> None:
    first, second = passwords.hash_password("correct horse"), passwords.hash_password("correct horse")
    assert first.startswith("$argon2id$") and first != second  # a fresh salt each time
    assert passwords.verify_password(first, "correct horse")
    assert not passwords.verify_password(first, "correct horsE")
    assert not passwords.needs_rehash(first)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "password too short: 0 characters, at least 10 are needed"),
        ("short", "password too short: 5 characters, at least 10 are needed"),
        ("九个汉字的密码短语啊", None),  # ten characters, whatever the script
        ("123456789", "password too short: 9 characters, at least 10 are needed"),
        ("x" * 1025, "password too long: 1025 characters, at most 1024"),
    ],
)
def test_policy(password: str, message: str | None) -> None:
    if message is None:
        assert passwords.verify_password(passwords.hash_password(password), password)
        return
    with pytest.raises(AccountError) as caught:
        passwords.hash_password(password)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("not a hash", False),
        ("$argon2id$v=19$m=65536,t=3,p=4$broken", False),
        ("", False),
    ],
)
def test_malformed_stored_hash_is_a_mismatch_and_needs_rehash(stored: str, expected: bool) -> None:
    assert passwords.verify_password(stored, "correct horse") is expected
    assert passwords.needs_rehash(stored)


def test_weaker_parameters_need_a_rehash() -> None:
    old = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("correct horse")
    assert passwords.verify_password(old, "correct horse")  # still accepted...
    assert passwords.needs_rehash(old)  # ...and replaced at the next login


def test_over_long_input_is_refused_without_hashing_it() -> None:
    stored = passwords.hash_password("correct horse")
    assert not passwords.verify_password(stored, "x" * 10_000)
    passwords.waste_verification("anything")  # the unknown-user path: same cost, no error
