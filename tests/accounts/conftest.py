"""Fixtures the account tests share."""

from __future__ import annotations

import pytest

from tests.accounts.helpers import Clock


@pytest.fixture
def clock() -> Clock:
    """A clock that stands still until the test moves it."""
    return Clock()
