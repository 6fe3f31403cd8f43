"""Tokeniser: jieba search-mode words for Chinese, stop words out, Snowball stems with agent nouns, codes whole."""

from __future__ import annotations

import pytest

from assistant.index.tokenize import (
    CHINESE_STOP_WORDS,
    ENGLISH_STOP_WORDS,
    query_tokens,
    stem_english,
    tokenize,
    tokenize_many,
    tokenizer_signature,
)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("电焊工", ["电焊", "焊工", "电焊工"]),  # search mode: the parts and the whole
        ("焊接工程技术人员", ["焊接", "工程", "技术", "人员", "技术人员", "接工", "程技", "术人"]),  # + unseen bigrams
        ("抖音快手运营", ["抖音", "快手", "运营", "音快", "手运"]),
        ("网约配送员", ["网约", "配送", "员", "约配", "送员"]),  # a meaningful single character stays
        ("人工智能训练师", ["人工", "智能", "人工智能", "训练", "师", "工智", "能训", "练师"]),
        ("从事焊接工作的人员，对金属工件进行焊接。", ["焊接", "工作", "人员", "事焊", "接工", "金属", "工件", "焊接", "属工", "件进", "行焊"]),
        ("Welders and welding helpers", ["weld", "weld", "help"]),
        ("Python开发工程师", ["python", "开发", "工程", "工程师", "发工", "程师"]),
        ("ＰＹＴＨＯＮ３ developers", ["python3", "develop"]),  # full width folded by NFKC
        ("2-02-07-04 焊接工程技术人员", ["2-02-07-04", "焊接", "工程", "技术", "人员", "技术人员", "接工", "程技", "术人"]),
        ("ISCO 7212.1, 2022年", ["isco", "7212.1", "2022", "年"]),
        ("IT support for e-commerce", ["it", "support", "e", "commerc"]),  # "it" is kept: IT
        ("The teachers of the school", ["teach", "school"]),
        ("", []),
        ("，。！ ... ---", []),
        ("的 了 and the of", []),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens
    assert query_tokens(text) == tuple(tokens)  # the remembered form a search uses: the same, and immutable


@pytest.mark.parametrize(
    ("words", "stem"),
    [
        (["welder", "welders", "welding", "weld"], "weld"),
        (["teacher", "teachers", "teaching"], "teach"),
        (["programmer", "programmers", "programming"], "program"),
        (["driver", "driving", "drives"], "drive"),
        (["instructor", "instructors", "instructing"], "instruct"),
        (["engineer", "engineers", "engineering"], "engin"),
        (["mentor", "mentoring"], "ment"),
        (["career", "careers"], "career"),  # not "care": the exceptions keep unrelated words apart
        (["minor"], "minor"),
        (["offer", "offers", "offering"], "offer"),
        (["user", "users"], "user"),  # too short to be an agent noun
    ],
)
def test_stem_english_meets_agent_nouns_and_verbs(words: list[str], stem: str) -> None:
    assert {stem_english(w) for w in words} == {stem}


def test_tokenize_many_and_signature() -> None:
    assert tokenize_many(["电焊工", "", "welders"]) == [["电焊", "焊工", "电焊工"], [], ["weld"]]
    assert tokenize_many([]) == []
    assert tokenizer_signature().startswith("2+jieba-")


def test_stop_lists_stay_short() -> None:
    # The lists are for function words only; content words are left to BM25's idf.
    assert len(CHINESE_STOP_WORDS) < 40 and len(ENGLISH_STOP_WORDS) < 160
    assert {"工", "师", "员", "人员"}.isdisjoint(CHINESE_STOP_WORDS) and "it" not in ENGLISH_STOP_WORDS
