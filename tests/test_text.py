"""The one language module: detection on Chinese, English, mixed and unreadable text."""

from __future__ import annotations

import pytest

from assistant.text import detect, has_han, is_mixed, language_of, letters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我想学电工", "zh"),
        ("焊工", "zh"),
        ("技能开发和终身学习", "zh"),
        ("我会 Python", "zh"),
        ("Python开发", "zh"),
        ("我会用Excel和Python做报表", "zh"),
        ("负责AWS和Azure云平台", "zh"),
        ("JULIEN MAGNAT 介绍了国际劳工组织的全球技能战略。", "zh"),
        ("I want to learn welding", "en"),
        ("welder", "en"),
        ("Skills and lifelong learning.", "en"),
        ("I did welding in 湖州", "en"),  # a place name in Han does not make an English sentence Chinese
        ("I did welding in 湖州市", "en"),
        ("Worked at 华为 for 3 years as an engineer", "en"),
        ("The ILO office in 北京 opened a new programme for apprentices.", "en"),
        ("我想 learn welding skills quickly now", "en"),
        ("123 ...", "und"),
        ("", "und"),
        ("👍👍", "und"),
        ("こんにちは", "und"),
        ("Привет, я ищу работу", "und"),
        ("2023/05", "und"),
    ],
)
def test_detect(text: str, expected: str) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize(("text", "default", "expected"), [("", "en", "en"), ("2023/05", "zh", "zh"),
                                                           ("焊工", "en", "zh"), ("welder", "zh", "en")])
def test_language_of_falls_back_only_when_undecided(text: str, default: str, expected: str) -> None:
    assert language_of(text, default) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "mixed"),
    [("I did welding in 湖州 for three years", False), ("我在湖州做电焊", False),
     ("我会 welding 和 wiring", True), ("I can 看图纸 and 电焊", True), ("", False)],
)
def test_is_mixed(text: str, mixed: bool) -> None:
    assert is_mixed(text) is mixed


@pytest.mark.parametrize(("text", "n"), [("对", 1), ("ok", 2), ("👍", 0), ("3", 0), ("电焊工", 3)])
def test_letters(text: str, n: int) -> None:
    assert letters(text) == n


def test_has_han() -> None:
    assert has_han("I did welding in 湖州") and not has_han("welding")
