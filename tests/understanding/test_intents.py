"""What a message mainly does, read from short replies and from the team's example sentences."""

from __future__ import annotations

import pytest

from assistant.understanding.intents import EXAMPLES, Intent, _examples, detect, nearest_example


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("同意", Intent.YES), ("对", Intent.YES), ("I agree", Intent.YES), ("不同意", Intent.NO), ("no", Intent.NO),
        ("你好", Intent.GREETING), ("Hello", Intent.GREETING),
        ("用英文", Intent.SWITCH_LANGUAGE), ("in English please", Intent.SWITCH_LANGUAGE),
        ("重新开始", Intent.RESTART), ("我不会电焊", Intent.REMOVE_SKILL), ("I can't weld", Intent.REMOVE_SKILL),
        ("不知道自己适合做什么", Intent.UNSURE), ("我也不知道自己能干啥", Intent.UNSURE),
        ("不知道能干什么，我动手能力还行，喜欢摆弄机器", Intent.UNSURE),
        ("I just finished secondary school and I have no idea what job to do", Intent.UNSURE),
        ("I'm not sure what I want to do", Intent.UNSURE),
        ("推荐", Intent.RECOMMEND), ("recommend", Intent.RECOMMEND), ("你能给我推荐一些工作吗？", Intent.RECOMMEND),
        ("给我学习路径", Intent.PATHWAY), ("yes please, show me a learning pathway", Intent.PATHWAY),
        ("什么是绿色技能？", Intent.QUESTION), ("电工证怎么考？", Intent.QUESTION),
        ("Do I need a certificate to work as a care worker?", Intent.QUESTION),
        ("我做了十年木工，没有任何证书，怎么才能认定技能等级？", Intent.STATEMENT),  # a story and a question
        ("我在工厂做了三年电焊，会看图纸", Intent.STATEMENT), ("I drove a taxi in Chongqing for seven years", Intent.STATEMENT),
        ("I want to plan my career in logistics and I worked in a warehouse", Intent.STATEMENT),
        ("Привет, я ищу работу", Intent.OTHER_LANGUAGE), ("👍👍", Intent.STATEMENT),
    ],
)
def test_detect(text: str, intent: Intent) -> None:
    assert detect(text).main is intent


def test_a_story_that_asks_still_flags_the_question() -> None:
    found = detect("我做了十年木工，没有任何证书，怎么才能认定技能等级？")
    assert found.question and found.main is Intent.STATEMENT


@pytest.mark.parametrize("text", ["我会做饭", "I can drive a forklift", "湖州"])
def test_no_example_is_close_to_plain_facts(text: str) -> None:
    assert nearest_example(text) is None


def test_every_example_names_a_known_intent() -> None:
    assert _examples() and {intent for intent, _ in _examples()} >= {Intent.UNSURE, Intent.RECOMMEND, Intent.PATHWAY}
    lines = [line for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    assert all("\t" in line for line in lines)
