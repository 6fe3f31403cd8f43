"""Table-driven tests for the Chinese-aware text utilities."""

from __future__ import annotations

import pytest

from assistant.ingest.textsplit import (
    chunk_sentences,
    heading_rank,
    normalize_lines,
    outline_blocks,
    pack_sections,
    split_sentences,
)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("第一句。第二句！第三句？", "zh", ["第一句。", "第二句！", "第三句？"]),
        ("他说：“好的。”然后走了。", "zh", ["他说：“好的。”", "然后走了。"]),
        ("见附件（详见第三条。）后文", "zh", ["见附件（详见第三条。）", "后文"]),
        ("「引用！」下一句", "zh", ["「引用！」", "下一句"]),
        ("内容一；内容二", "zh", ["内容一；", "内容二"]),
        ("真的吗？！是的", "zh", ["真的吗？！", "是的"]),
        ("等等……接着说", "zh", ["等等……", "接着说"]),
        ("第一行\n第二行", "zh", ["第一行", "第二行"]),
        ("目标 4.7 不拆开。", "zh", ["目标 4.7 不拆开。"]),
        ("中文句子。Then English. Done", "zh", ["中文句子。", "Then English.", "Done"]),
        ("First one. Second one! Third? Yes", "en", ["First one.", "Second one!", "Third?", "Yes"]),
        ("Use tools, e.g. Python. Next", "en", ["Use tools, e.g. Python.", "Next"]),
        ("That is, i.e. The rest. End", "en", ["That is, i.e. The rest.", "End"]),
        ("See Art. 5 and No. 12 here. Then more", "en", ["See Art. 5 and No. 12 here.", "Then more"]),
        ("Dr. Smith arrived. He left.", "en", ["Dr. Smith arrived.", "He left."]),
        ("J. Smith wrote it. Fine.", "en", ["J. Smith wrote it.", "Fine."]),
        ("Version 2.0 is out. 3 people came.", "en", ["Version 2.0 is out.", "3 people came."]),
        ('He said "Stop." Then he left.', "en", ['He said "Stop."', "Then he left."]),
        ("no capital. after the period", "en", ["no capital. after the period"]),
        ("   ", "en", []),
    ],
)
def test_split_sentences(text: str, language: str, expected: list[str]) -> None:
    assert split_sentences(text, language) == expected


@pytest.mark.parametrize(
    ("sentences", "max_chars", "overlap", "expected"),
    [
        (["甲乙。", "丙丁。", "戊己。"], 6, 0, ["甲乙。丙丁。", "戊己。"]),
        (["One.", "Two.", "Three."], 9, 0, ["One. Two.", "Three."]),
        (["a1.", "b2.", "c3.", "d4."], 7, 1, ["a1. b2.", "b2. c3.", "c3. d4."]),
        (["aaaa.", "bbbb.", "cccc."], 11, 1, ["aaaa. bbbb.", "bbbb. cccc."]),
        (["一二三四五六七八九十"], 4, 0, ["一二三四", "五六七八", "九十"]),
        (["甲乙丙，丁戊己庚"], 6, 0, ["甲乙丙，", "丁戊己庚"]),
        (["alpha beta gamma"], 11, 0, ["alpha beta", "gamma"]),
        (["short。", "一二三四五六七八九十"], 6, 0, ["short。", "一二三四五六", "七八九十"]),
        ([], 10, 0, []),
        (["  "], 10, 0, []),
    ],
)
def test_chunk_sentences(sentences: list[str], max_chars: int, overlap: int, expected: list[str]) -> None:
    chunks = chunk_sentences(sentences, max_chars, overlap_sentences=overlap)
    assert chunks == expected
    assert all(len(chunk) <= max_chars for chunk in chunks)


def test_chunk_sentences_rejects_a_non_positive_limit() -> None:
    with pytest.raises(ValueError, match="max_chars must be positive"):
        chunk_sentences(["a."], 0)


def test_chunk_sentences_keeps_every_sentence_of_a_long_chinese_text() -> None:
    sentences = [f"第{n}句话讲的是学徒制培训的一个方面。" for n in range(100)]
    chunks = chunk_sentences(sentences, 300)
    assert all(len(chunk) <= 300 for chunk in chunks)
    assert "".join(chunks) == "".join(sentences)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("一、总则", (20, "一、总则")),
        ("（一）工作目标", (30, "（一）工作目标")),
        ("(二) 基本原则", (30, "(二) 基本原则")),
        ("第一章 总则", (10, "第一章 总则")),
        ("第一节 培训", (15, "第一节 培训")),
        ("第三条 适用范围", (35, "第三条 适用范围")),
        ("1. 范围", (40, "1. 范围")),
        ("1.1 定义", (50, "1.1 定义")),
        ("（1）细则", (60, "（1）细则")),
        ("IV. 对未来行动的建议", (10, "IV. 对未来行动的建议")),
        ("## 成功举办", (2, "成功举办")),
        ("# Title #", (1, "Title")),
        ("1. 通过了以下若干结论；", None),
        ("一、总则。", None),
        ("（一）包括以下内容：", None),
        ("第一条 " + "很长的条文内容" * 6, None),
        ("2023年5月22日", None),
        ("普通的一行文字", None),
        ("#hashtag", None),
        ("", None),
    ],
)
def test_heading_rank(line: str, expected: tuple[int, str] | None) -> None:
    assert heading_rank(line) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["This is a", "wrapped  line."], "This is a wrapped line."),
        (["中文段落被", "硬换行了。"], "中文段落被硬换行了。"),
        (["  spaces\tand   tabs "], "spaces and tabs"),
        (["JULIEN MAGNAT", "介绍了战略。"], "JULIEN MAGNAT介绍了战略。"),
    ],
)
def test_normalize_lines(lines: list[str], expected: str) -> None:
    assert normalize_lines(lines) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["第一章 总则", "第一条 目的", "为了规范", "管理。", "", "第二条 范围", "本办法适用。", "第二章 附则", "一、其他", "正文。"],
            [
                (("第一章 总则", "第一条 目的"), "为了规范管理。"),
                (("第一章 总则", "第二条 范围"), "本办法适用。"),
                (("第二章 附则", "一、其他"), "正文。"),
            ],
        ),
        (
            ["一、目标", "（一）总体", "内容甲。", "1. 细项", "内容乙。", "（二）具体", "内容丙。", "二、措施", "内容丁。"],
            [
                (("一、目标", "（一）总体"), "内容甲。"),
                (("一、目标", "（一）总体", "1. 细项"), "内容乙。"),
                (("一、目标", "（二）具体"), "内容丙。"),
                (("二、措施",), "内容丁。"),
            ],
        ),
        (
            # A short numbered line inside a sentence is a wrapped line, not a heading.
            ["本规定适用于下列", "1. 范围", "之内的人员。"],
            [((), "本规定适用于下列1. 范围之内的人员。")],
        ),
        (
            ["第一项内容；", "2. 第二项内容；", "- 要点甲", "- 要点乙"],
            [((), "第一项内容；\n2. 第二项内容；\n要点甲\n要点乙")],
        ),
        (
            ["## 会议", "前言。", "# 新部分", "### 小节", "正文。"],
            [(("会议",), "前言。"), (("新部分", "小节"), "正文。")],
        ),
    ],
)
def test_outline_and_sections(lines: list[str], expected: list[tuple[tuple[str, ...], str]]) -> None:
    assert pack_sections(outline_blocks(lines, heading_rank), 300) == expected


def test_pack_sections_keeps_paragraph_boundaries_and_limit() -> None:
    blocks: list[tuple[int | None, str]] = [
        (None, "甲" * 100 + "。"),
        (None, "乙" * 150 + "。"),
        (None, "丙" * 100 + "。"),
        (None, "丁" * 100 + "。" + "戊" * 250 + "。"),
    ]
    chunks = pack_sections(blocks, 300)
    # Short paragraphs share a passage; a long one starts its own and is cut between sentences.
    assert [text for _, text in chunks] == [
        "甲" * 100 + "。\n" + "乙" * 150 + "。",
        "丙" * 100 + "。",
        "丁" * 100 + "。",
        "戊" * 250 + "。",
    ]


def _hard_split_before(sentence: str, max_chars: int) -> list[str]:
    """The splitter as it was before it was made linear (it copied the rest of the sentence after every cut)."""
    pieces = []
    while len(sentence) > max_chars:
        window = sentence[:max_chars]
        cut = max(window.rfind(mark) for mark in "，、：,: ") + 1
        if cut <= max_chars // 2:
            cut = max_chars
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    return pieces + ([sentence] if sentence else [])


@pytest.mark.parametrize(
    ("sentence", "max_chars"),
    [
        ("这是一段很长的文字，没有句号" * 40, 300),
        ("word " * 500, 80),
        ("a" * 1000, 100),
        ("前半段，" + "长" * 500 + "，后半段：" + "x " * 300, 60),
        ("  leading and trailing spaces, " * 30 + "   ", 50),
        ("短句", 300),
    ],
)
def test_linear_hard_split_cuts_where_the_old_one_did(sentence: str, max_chars: int) -> None:
    assert chunk_sentences([sentence], max_chars) == chunk_sentences([sentence], max_chars)  # deterministic
    from assistant.ingest.textsplit import _hard_split

    assert _hard_split(sentence.strip(), max_chars) == _hard_split_before(sentence.strip(), max_chars)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("这是一段测试文字，用来检验切分" * 250_000, "zh"),  # 4 MB on one line, no sentence end: the hard split
        ("Mr. Smith went to the market. He bought a welding torch, e.g. a big one. " * 50_000, "en"),
    ],
)
def test_one_huge_line_splits_in_linear_time(text: str, language: str) -> None:
    import time

    started = time.perf_counter()
    chunks = chunk_sentences(split_sentences(text, language), 300)
    elapsed = time.perf_counter() - started
    # Quadratic, these took minutes (every cut copied the megabytes after it; every full stop re-split the line).
    assert elapsed < 20, f"{elapsed:.1f} s for {len(text):,} characters"
    assert all(len(c) <= 300 for c in chunks) and sum(map(len, chunks)) >= len(text.replace(" ", "")) * 0.9


def test_normalize_lines_joins_many_lines_like_join_text() -> None:
    from assistant.ingest.textsplit import join_text

    lines = ["第一行", "second line", "第三行", "", "  fourth\tline  ", "五"] * 2000
    expected = ""
    for line in lines:
        expected = join_text(expected, " ".join(line.split()))
    assert normalize_lines(lines) == expected
