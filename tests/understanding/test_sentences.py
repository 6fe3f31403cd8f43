"""Sentences and questions inside one message, in Chinese, English and mixed text."""

from __future__ import annotations

import pytest

from assistant.understanding.sentences import is_question, sentences, without_unsure


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我做了十年木工，没有任何证书，怎么才能认定技能等级？",
         [("我做了十年木工，没有任何证书", False), ("我做了十年木工，没有任何证书，怎么才能认定技能等级？", True)]),
        ("参加培训有没有补贴？失业的人能领吗？", [("参加培训有没有补贴？", True), ("失业的人能领吗？", True)]),
        ("我45岁了，还能参加企业新型学徒制吗？",
         [("我45岁了", False), ("我45岁了，还能参加企业新型学徒制吗？", True)]),
        ("电工证怎么考", [("电工证怎么考", True)]),
        ("I have worked as a line cook for four years. Can I get paid while I train?",
         [("I have worked as a line cook for four years", False), ("Can I get paid while I train?", True)]),
        ("I am 45, can I still be an apprentice?", [("I am 45", False), ("I am 45, can I still be an apprentice?", True)]),
        ("I did welding in 湖州 for 3.5 years. Is there a subsidy?",
         [("I did welding in 湖州 for 3.5 years", False), ("Is there a subsidy?", True)]),
        ("不知道能干什么，我动手能力还行", [("不知道能干什么，我动手能力还行", False)]),
        ("", []),
    ],
)
def test_sentences(text: str, expected: list[tuple[str, bool]]) -> None:
    assert [(s.text, s.question) for s in sentences(text)] == expected


@pytest.mark.parametrize(
    ("text", "question"),
    [("什么是绿色技能", True), ("学徒期间有补贴吗", True), ("能不能直接考证", True), ("How much is the benefit", True),
     ("Do I need a certificate", True), ("我不知道能干什么", False), ("I have no idea what job to do", False),
     ("我在工厂做了三年电焊", False), ("I drove a taxi", False)],
)
def test_is_question(text: str, question: bool) -> None:
    assert is_question(text) is question


@pytest.mark.parametrize(
    ("text", "kept"),
    [("不知道能干什么，我动手能力还行，喜欢摆弄机器", "我动手能力还行，喜欢摆弄机器"),
     ("I just finished school and I have no idea what job to do", "I just finished school"),
     ("我在超市做过收银员", "我在超市做过收银员")],
)
def test_without_unsure(text: str, kept: str) -> None:
    assert without_unsure(text) == kept
