"""Offer value parsers."""

from __future__ import annotations

import pytest

from assistant.ingest.offer_fields import parse_duration


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("12个月", 12.0), ("6-12个月", 9.0), ("1年", 12.0), ("2 years", 24.0), ("3 - 6 Months", 4.5),
        ("1 - 4 Weeks", 0.58), ("4 meses", 4.0), ("30天", 0.99), ("Less Than 2 Hours", None),
        ("1.5 hours", None), ("120课时", None), ("flexible", None), ("", None),
    ],
)
def test_parse_duration(text: str, months: float | None) -> None:
    assert parse_duration(text) == months
