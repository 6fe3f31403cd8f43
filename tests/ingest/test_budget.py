"""The document budget: a file past the size limit is never read, reading past the time limit stops, both clearly."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from assistant.ingest.budget import MIB, BudgetExceededError, DocumentBudget
from assistant.ingest.documents import parse_documents


@pytest.mark.parametrize(
    ("max_mib", "seconds", "expected"),
    [(16.0, 20.0, DocumentBudget(16 * MIB, 20.0)), (0, 0, DocumentBudget()), (0.5, 0, DocumentBudget(MIB // 2, None))],
)
def test_budget_from_settings(max_mib: float, seconds: float, expected: DocumentBudget) -> None:
    assert DocumentBudget.of(max_mib, seconds) == expected


def test_a_file_past_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    (tmp_path / "big.md").write_text("# Title\n\n" + "text. " * 400_000)  # 2.3 MiB
    with pytest.raises(BudgetExceededError) as refused:
        parse_documents(tmp_path, budget=DocumentBudget(max_bytes=2 * MIB))
    exc = refused.value
    assert (exc.code, exc.params) == ("doc_too_large", {"size": "2.3", "limit": "2.0"})
    assert exc.file == str(tmp_path / "big.md")
    assert str(exc).endswith("document is 2.3 MiB; the limit is 2.0 MiB")


def test_reading_past_the_time_limit_stops_with_a_clear_reason(tmp_path: Path) -> None:
    # Many paragraphs: the budget is checked every few thousand lines. A clock that moves 1 s each time it is read.
    (tmp_path / "long.md").write_text("# Title\n\n" + "一段文字。\n\n" * 20_000)
    ticks = itertools.count()
    with pytest.raises(BudgetExceededError) as refused:
        parse_documents(tmp_path, budget=DocumentBudget(seconds=5, clock=lambda: float(next(ticks))))
    assert (refused.value.code, refused.value.params) == ("doc_too_slow", {"limit": "5"})
    assert "reading the documents took longer than 5 s (the limit)" in str(refused.value)


def test_within_budget_documents_parse_as_without_one(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# 学徒补贴\n\n企业新招用学徒，按规定给予补贴。\n")
    assert parse_documents(tmp_path, budget=DocumentBudget(MIB, 30)) == parse_documents(tmp_path)
