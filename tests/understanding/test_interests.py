"""The interest path: quiz answers read in both languages, likes said in passing (spans, negation, unseen phrasings),
the profile's code and its JSON round trip, and a quiz that ends within 6 to 10 questions."""

from __future__ import annotations

import json

import pytest

from assistant.understanding.interests import (FIRST_ROUND, ITEMS, QUIZ, SECOND_ROUND, InterestProfile, Riasec,
                                               likes_in, next_item, read_answer)

R, I, A, S, E, C = Riasec  # noqa: E741


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("喜欢", "zh", 3), ("很喜欢！", "zh", 3), ("是", "zh", 3), ("是的", "zh", 3), ("对", "zh", 3), ("嗯", "zh", 3),
        ("嗯嗯", "zh", 3), ("挺喜欢的", "zh", 3), ("好的", "zh", 3),
        ("还行", "zh", 2), ("一般", "zh", 2), ("一般般吧", "zh", 2), ("有点", "zh", 2), ("嗯，还行", "zh", 2),
        ("不喜欢", "zh", 1), ("不太喜欢", "zh", 1), ("不是", "zh", 1), ("不", "zh", 1), ("一点也不喜欢", "zh", 1),
        ("3", "zh", 3), ("２", "zh", 2), ("1。", "zh", 1), ("选3", "zh", 3),
        ("喜欢，我小时候修过自行车", "zh", 3),  # an answer, then a story: the answer counts
        ("yes", "en", 3), ("Yeah, I do", "en", 3), ("love it", "en", 3), ("Definitely!", "en", 3),
        ("sort of", "en", 2), ("kind of", "en", 2), ("maybe", "en", 2), ("it's ok", "en", 2),
        ("no", "en", 1), ("not really", "en", 1), ("Nope.", "en", 1), ("I don't", "en", 1),
        ("3", "en", 3), ("1", "en", 1), ("I think so", "en", 3), ("I don't think so", "en", 1),
        ("我觉得还行", "zh", 2), ("我不知道", "zh", 2), ("嗯，我觉得挺喜欢的", "zh", 3),
        # Anything else leaves the quiz.
        ("我想找焊工培训", "zh", None), ("学徒有补贴吗？", "zh", None), ("我在湖州", "zh", None), ("4", "zh", None),
        ("What's an apprenticeship?", "en", None), ("I live in Huzhou", "en", None), ("", "en", None),
    ],
)
def test_read_answer(text: str, lang: str, expected: int | None) -> None:
    assert read_answer(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("我很喜欢修东西", "zh", 3),  # echoes the question
        ("不太喜欢摆弄机器", "zh", 1),
        ("I really like fixing things", "en", 3),
        ("I hate working with machines", "en", 1),
        ("我喜欢画画", "zh", None),  # about another kind of work: not an answer to this item
    ],
)
def test_read_answer_echo_of_the_question(text: str, lang: str, expected: int | None) -> None:
    assert read_answer(text, lang, ITEMS["r1"]) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The examples the team wrote the cues for …
        ("我喜欢跟人打交道", [("跟人打交道", 1, S)]),
        ("平时就喜欢摆弄机器", [("摆弄机器", 1, R)]),
        ("我动手能力还行", [("动手", 1, R)]),
        ("不喜欢坐办公室", [("坐办公室", -1, C)]),
        ("I like drawing and making things with my hands", [("drawing", 1, A), ("making things with my hands", 1, R)]),
        ("I enjoy helping people", [("helping people", 1, S)]),
        # … and phrasings of none of the examples: they share words with them, not sentences.
        ("我喜欢和人聊天", [("和人聊天", 1, S)]),
        ("从小就爱画画", [("画画", 1, A)]),
        ("我喜欢整理东西", [("整理东西", 1, C)]),
        ("我擅长算账", [("算账", 1, C)]),
        ("我对做衣服很感兴趣", [("做衣服", 1, A)]),
        ("喜欢修手机", [("修手机", 1, R)]),
        ("我喜欢照顾家里人", [("照顾家里人", 1, S)]),
        ("I love being outdoors", [("outdoors", 1, R)]),
        ("I'm good with numbers", [("numbers", 1, C)]),
        ("I'm into fashion", [("fashion", 1, A)]),
        ("I like to sell stuff", [("sell stuff", 1, E)]),
        # Negation, and two statements in one message.
        ("我不太喜欢跟人打交道，但是喜欢修车", [("跟人打交道", -1, S), ("修车", 1, R)]),
        ("我讨厌卖东西", [("卖东西", -1, E)]),
        ("I don't really like office work", [("office work", -1, C)]),
        ("I hate selling things", [("selling things", -1, E)]),
        ("我喜欢画画和做手工", [("画画", 1, A), ("做手工", 1, A)]),
        ("我的爱好是唱歌", [("唱歌", 1, A)]),
        ("我不想再干体力活了", [("干体力活", -1, R)]),
        # Nothing about interests: nothing found.
        ("我在湖州，想找工作", []), ("我喜欢这个工作", []), ("我爱人在湖州上班", []), ("喜欢", []), ("麻烦你帮我看看", []),
        ("I live in Huzhou and want an apprenticeship", []), ("I'd like to become a welder", []), ("I like it", []),
    ],
)
def test_likes_in(text: str, expected: list[tuple[str, int, Riasec]]) -> None:
    found = likes_in(text, "zh")
    assert [(f.text, f.polarity, f.weights[0][0]) for f in found] == expected
    for f in found:
        assert text[f.span[0]:f.span[1]] == f.text
        assert abs(sum(w for _, w in f.weights) - 1.0) < 0.01


def test_the_quiz() -> None:
    assert 8 <= len(QUIZ) <= 10 and len(ITEMS) == len(QUIZ)
    assert {item.kind for item in FIRST_ROUND} == set(Riasec) and len(FIRST_ROUND) == 6
    for item in QUIZ:
        assert item.zh.endswith("？") and item.en.endswith("?") and item.topic("zh") and item.topic("en")
        assert len(item.zh) <= 30  # short, plain questions


@pytest.mark.parametrize(
    ("likes", "asked", "top", "clear"),
    [
        ({R: 3, S: 1, A: 1, C: 2, I: 2, E: 1}, 6, "R", True),  # one clear favourite: six questions
        ({S: 3, A: 3}, 6, "AS", True),  # two stand apart together
        ({S: 3, A: 3, C: 3}, 9, "ASC", False),  # three tied: their second items, then stop
        ({}, 10, "RAS", False),  # 还行 to everything: every second item, then stop
        ({k: 1 for k in Riasec}, 6, "", False),  # nothing appeals: more of the same will not help
        ({R: 3, I: 3, A: 3, S: 3, E: 3, C: 3}, 10, "RAS", False),
    ],
)
def test_quiz_ends_within_six_to_ten_items(likes: dict[Riasec, int], asked: int, top: str, clear: bool) -> None:
    answered: dict[str, int] = {}
    while (item := next_item(answered)) is not None:
        assert item.id not in answered
        answered[item.id] = likes.get(item.kind, 2)
    profile = InterestProfile.from_answers(answered)
    assert (len(answered), profile.top(), profile.is_clear()) == (asked, top, clear)


def test_likes_said_in_passing_can_make_the_quiz_shorter() -> None:
    profile = InterestProfile()
    profile.add_likes(likes_in("我喜欢跟人打交道，平时照顾老人，也爱带孩子", "zh"))
    for item in FIRST_ROUND:
        profile.add_answer(item, 2)
    assert profile.top() == "S" and profile.is_clear()
    assert next_item(profile.answers, profile) is None
    assert next_item(profile.answers) in SECOND_ROUND  # the answers alone are all 还行


def test_profile_scores_top_and_dislikes() -> None:
    profile = InterestProfile()
    profile.add_answer(ITEMS["r1"], 3)
    profile.add_answer(ITEMS["r1"], 1)  # changed their mind: the later answer replaces the earlier one
    assert profile.answers == {"r1": 1} and profile.scores()[R] < 0 and profile.disliked() == {R}
    assert profile.add_likes(likes_in("I enjoy helping people. I'm good with numbers", "en")) == 2
    assert profile.add_likes(likes_in("I enjoy helping people", "en")) == 0  # said again: counted once
    assert profile.top() == "SC" and profile.top(1) == "S"
    assert profile.said(S, "en") == ["helping people"] and profile.said(R, "zh") == []
    profile.add_answer(ITEMS["c1"], 3)
    assert profile.said(C, "zh") == ["numbers", "整理东西、按规矩做事"]


def test_profile_json_round_trip() -> None:
    profile = InterestProfile()
    for item_id, answer in {"r1": 3, "s1": 1, "a1": 2, "c1": 2, "i1": 3, "e1": 1}.items():
        profile.add_answer(ITEMS[item_id], answer)
    profile.add_likes(likes_in("不喜欢坐办公室，喜欢在户外干活", "zh"))
    back = InterestProfile.from_dict(json.loads(json.dumps(profile.to_dict(), ensure_ascii=False)))
    assert back == profile and back.scores() == profile.scores() and back.top() == "RI"
    assert InterestProfile.from_dict(None) == InterestProfile()
    # Stored by another version: unknown items, types and answers are left out, not an error.
    assert InterestProfile.from_dict({"answers": {"x9": 3, "r1": 7, "s1": 3},
                                      "evidence": [{"kind": "Z", "value": 1}]}).answers == {"s1": 3}
