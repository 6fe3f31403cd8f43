"""Clause splitting, parallel items and clause tagging (experience / skill / goal / other) with exact spans."""

from __future__ import annotations

import pytest

from assistant.understanding.clauses import Clause, classify, items, parse, split_clauses

ZH = "我在工厂做了三年电焊，会看图纸，想在湖州找个能拿工资的学徒岗位"
EN = "I worked as a welder in a factory for three years, I can read drawings, I want a paid apprenticeship in Huzhou"
PAD = "前文……"  # classify() is given a start offset: spans must index the whole message, not the clause


def _check_spans(text: str, clause: Clause) -> None:
    assert text[clause.span[0]:clause.span[1]] == clause.text
    if clause.what:
        assert text[clause.what_span[0]:clause.what_span[1]] == clause.what


def _classify(clause: str) -> Clause:
    text = PAD + clause
    out = classify(clause, len(PAD))
    _check_spans(text, out)
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(ZH, [("experience", "我在工厂做了三年电焊", "电焊", "工厂", "三年"),
                          ("skill", "会看图纸", "看图纸", None, None),
                          ("goal", "想在湖州找个能拿工资的学徒岗位", "", None, None)], id="zh"),
        pytest.param(EN, [("experience", "I worked as a welder in a factory for three years", "welder", "factory",
                           "three years"),
                          ("skill", "I can read drawings", "read drawings", None, None),
                          ("goal", "I want a paid apprenticeship in Huzhou", "", None, None)], id="en"),
    ],
)
def test_acceptance_messages(text: str, expected: list[tuple[str, str, str, str | None, str | None]]) -> None:
    clauses = parse(text)
    assert [(c.kind, c.text, c.what, c.where, c.duration) for c in clauses] == expected
    for c in clauses:
        _check_spans(text, c)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("会焊接，会看图纸。能吃苦；肯学！好吗？行\n第二行", ["会焊接", "会看图纸", "能吃苦", "肯学", "好吗", "行", "第二行"],
                     id="zh-punctuation"),
        pytest.param("welding, drawings. forklift; yes! ok? next\r\nline",
                     ["welding", "drawings", "forklift", "yes", "ok", "next", "line"], id="en-punctuation"),
        pytest.param("岗位职责：1.负责焊接；2.看图纸", ["岗位职责", "负责焊接", "看图纸"], id="colon-and-numbers"),
        pytest.param("要求：如：目标检测", ["要求", "如", "目标检测"], id="nested-colons"),
        pytest.param("skills: welding", ["skills", "welding"], id="latin-colon"),
        pytest.param("会议时间12:30开始", ["会议时间12:30开始"], id="clock-time-kept"),
        pytest.param("版本v1.5已发布", ["版本v1.5已发布"], id="decimal-kept"),
        pytest.param("welding - cutting", ["welding", "cutting"], id="spaced-dash"),
        pytest.param("well-paid", ["well-paid"], id="hyphen-kept"),
        pytest.param("I was a courier for 9 years and I can drive a van", ["I was a courier for 9 years",
                                                                            "I can drive a van"], id="and-i"),
        pytest.param("I worked as a welder but i'm good at drawing", ["I worked as a welder", "i'm good at drawing"],
                     id="but-i-lowercase"),
        pytest.param("reading and inspection and Italian", ["reading and inspection and Italian"], id="and-kept"),
        pytest.param("（1）熟悉电焊\n（2）会看图纸\n1. 能吃苦\n1、学习能力强\n• 会开叉车\n- 会开车\n(3)肯学",
                     ["熟悉电焊", "会看图纸", "能吃苦", "学习能力强", "会开叉车", "会开车", "肯学"], id="bullets"),
        pytest.param("一、熟悉电焊\n二、会看图纸", ["熟悉电焊", "会看图纸"], id="chinese-numeral-bullets"),
        pytest.param("熟悉焊接&lt;br&gt;会看图纸<p>能吃苦</p>好", ["熟悉焊接", "会看图纸", "能吃苦", "好"], id="markup"),
        pytest.param("熟悉焊接&lt;/p&gt;会看图纸&nbsp;能吃苦<br/>肯学", ["熟悉焊接", "会看图纸", "能吃苦", "肯学"],
                     id="markup-closing-nbsp-selfclosing"),
        pytest.param("<p>（1）熟悉焊接</p><p>（2）会看图纸</p>", ["熟悉焊接", "会看图纸"], id="markup-then-bullet"),
        pytest.param("  ，。\n  ", [], id="only-boundaries"),
        pytest.param("", [], id="empty"),
    ],
)
def test_split_clauses(text: str, expected: list[str]) -> None:
    out = split_clauses(text)
    assert [c for c, _ in out] == expected
    for clause, at in out:
        assert text[at:at + len(clause)] == clause


def test_split_clauses_offsets_after_markup() -> None:
    text = "熟悉焊接&lt;br&gt;会看图纸<p>能吃苦"
    assert split_clauses(text) == [("熟悉焊接", 0), ("会看图纸", 14), ("能吃苦", 21)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("熟悉焊接&lt;br/&gt;会看图纸", id="escaped-self-closing"),
        pytest.param("熟悉焊接&lt;br /&gt;会看图纸", id="escaped-self-closing-space"),
        pytest.param("熟悉焊接<div class='x'>会看图纸", id="tag-with-attributes"),
    ],
)
def test_split_clauses_more_markup(text: str) -> None:
    assert [c for c, _ in split_clauses(text)] == ["熟悉焊接", "会看图纸"]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        pytest.param("识图、焊接和质检", [("识图", 10), ("焊接", 13), ("质检", 16)], id="dunhao-he"),
        pytest.param("焊接及质检", [("焊接", 10), ("质检", 13)], id="ji"),
        pytest.param("焊接以及质检", [("焊接", 10), ("质检", 14)], id="yiji"),
        pytest.param("焊接与质检", [("焊接", 10), ("质检", 13)], id="yu"),
        pytest.param("焊接或质检", [("焊接", 10), ("质检", 13)], id="huo"),
        pytest.param("焊接或者质检", [("焊接", 10), ("质检", 14)], id="huozhe"),
        pytest.param("CAD/CAM", [("CAD", 10), ("CAM", 14)], id="slash"),
        pytest.param("CAD／CAM", [("CAD", 10), ("CAM", 14)], id="fullwidth-slash"),
        pytest.param("welding and cutting", [("welding", 10), ("cutting", 22)], id="and"),
        pytest.param("welding or cutting", [("welding", 10), ("cutting", 21)], id="or"),
        pytest.param("welding & cutting", [("welding", 10), ("cutting", 20)], id="ampersand"),
        pytest.param("android", [("android", 10)], id="and-inside-word"),
        pytest.param(" 焊接 和 质检 ", [("焊接", 11), ("质检", 16)], id="spaces-trimmed"),
        pytest.param("电焊", [("电焊", 10)], id="single"),
        pytest.param("和", [], id="only-separator"),
    ],
)
def test_items(phrase: str, expected: list[tuple[str, int]]) -> None:
    out = items(phrase, 10)
    assert out == expected
    text = " " * 10 + phrase
    for item, at in out:
        assert text[at:at + len(item)] == item


def test_items_keep_abbreviation_with_ampersand() -> None:
    assert items("R&D", 0) == [("R&D", 0)]


@pytest.mark.parametrize(
    ("clause", "kind", "what", "where", "duration"),
    [
        # experience
        pytest.param("我在工厂做了三年电焊", "experience", "电焊", "工厂", "三年", id="zh-exp-where-duration"),
        pytest.param("我当了两年保安", "experience", "保安", None, "两年", id="zh-exp-duration"),
        pytest.param("在饭店干过服务员", "experience", "服务员", "饭店", None, id="zh-exp-where"),
        pytest.param("做了半年快递", "experience", "快递", None, "半年", id="zh-exp-half-year"),
        pytest.param("我在深圳做了3年的电子装配工作", "experience", "电子装配", "深圳", "3年", id="zh-exp-trim-work"),
        pytest.param("我是电工", "experience", "电工", None, None, id="zh-i-am"),
        pytest.param("我以前是一名厨师", "experience", "厨师", None, None, id="zh-i-was"),
        # skill, with frame words trimmed
        pytest.param("会看图纸", "skill", "看图纸", None, None, id="zh-skill-hui"),
        pytest.param("熟练掌握日语", "skill", "日语", None, None, id="zh-shulian-zhangwo"),
        pytest.param("熟练掌握日语等", "skill", "日语", None, None, id="zh-trailing-deng"),
        pytest.param("具有良好的职业道德", "skill", "职业道德", None, None, id="zh-good-ethics"),
        pytest.param("具备学习能力强的求职者优先", "skill", "学习能力", None, None, id="zh-preferred"),
        pytest.param("有学习能力强者优先", "skill", "学习能力", None, None, id="zh-zhe-preferred"),
        pytest.param("具备较强的沟通能力", "skill", "沟通能力", None, None, id="zh-strong"),
        pytest.param("有丰富的销售经验", "skill", "销售", None, None, id="zh-experience-suffix"),
        pytest.param("有一定的英语基础", "skill", "英语基础", None, None, id="zh-some"),
        pytest.param("熟悉Office等办公软件", "skill", "Office", None, None, id="zh-deng-tail"),
        pytest.param("熟练使用Excel、Word等办公软件", "skill", "Excel、Word", None, None, id="zh-list-kept-for-items"),
        pytest.param("熟悉焊接技术", "skill", "焊接", None, None, id="zh-technique"),
        pytest.param("负责设备的维护工作", "skill", "设备的维护", None, None, id="zh-responsible-for"),
        pytest.param("熟悉中等职业教育", "skill", "中等职业教育", None, None, id="zh-zhongdeng-not-deng"),
        pytest.param("我会一点电脑", "skill", "电脑", None, None, id="zh-a-little"),
        pytest.param("我会用CAD", "skill", "CAD", None, None, id="zh-use"),
        pytest.param("能熟练操作数控机床", "skill", "数控机床", None, None, id="zh-operate"),
        pytest.param("有电工证", "skill", "电工证", None, None, id="zh-certificate"),
        pytest.param("懂电工和焊接", "skill", "电工和焊接", None, None, id="zh-items-later"),
        # goal
        pytest.param("想当电工", "goal", "电工", None, None, id="zh-goal"),
        pytest.param("我要当电工", "goal", "电工", None, None, id="zh-goal-yao"),
        pytest.param("希望成为一名数控车工", "goal", "数控车工", None, None, id="zh-goal-become"),
        pytest.param("打算转行做美容师", "goal", "美容师", None, None, id="zh-goal-switch"),
        pytest.param("想找个工作", "goal", "", None, None, id="zh-goal-any-job"),
        pytest.param("想找一份培训课程", "goal", "", None, None, id="zh-goal-course"),
        # not cues: 能力, 会议, 会计, 有限, 有关 are words
        pytest.param("能力", "other", "能力", None, None, id="zh-nengli"),
        pytest.param("会议", "other", "会议", None, None, id="zh-huiyi"),
        pytest.param("会计", "other", "会计", None, None, id="zh-kuaiji"),
        pytest.param("有限公司", "other", "有限公司", None, None, id="zh-youxian"),
        pytest.param("有关部门", "other", "有关部门", None, None, id="zh-youguan"),
        pytest.param("对工作认真负责", "other", "工作认真负责", None, None, id="zh-fuze-at-end"),
        pytest.param("今天天气很好", "other", "今天天气很好", None, None, id="zh-other"),
    ],
)
def test_classify_zh(clause: str, kind: str, what: str, where: str | None, duration: str | None) -> None:
    out = _classify(clause)
    assert (out.kind, out.what, out.where, out.duration) == (kind, what, where, duration)
    assert out.span == (len(PAD), len(PAD) + len(clause))
    if not what:
        assert out.what_span == (0, 0)


@pytest.mark.parametrize(
    ("clause", "kind", "what", "where", "duration"),
    [
        pytest.param("I worked as a welder in a factory for three years", "experience", "welder", "factory",
                     "three years", id="en-worked-as"),
        pytest.param("I did welding in a factory for three years", "experience", "welding", "factory", "three years",
                     id="en-did"),
        pytest.param("I was a cook at a restaurant", "experience", "cook", "restaurant", None, id="en-was"),
        pytest.param("I am a welder", "experience", "welder", None, None, id="en-am"),
        pytest.param("I have been a driver for ten years", "experience", "driver", None, "ten years",
                     id="en-have-been"),
        pytest.param("I served as a soldier for 2 years", "experience", "soldier", None, "2 years", id="en-served"),
        pytest.param("5 years of experience as a nurse", "experience", "nurse", None, "5", id="en-years-of"),
        pytest.param("three years in construction", "experience", "construction", None, "three", id="en-years-in"),
        pytest.param("I used to do plastering", "experience", "plastering", None, None, id="en-used-to"),
        pytest.param("I can read drawings", "skill", "read drawings", None, None, id="en-can"),
        pytest.param("I know some basic Excel", "skill", "Excel", None, None, id="en-trim-some-basic"),
        pytest.param("I can use a computer well", "skill", "computer", None, None, id="en-trim-use-well"),
        pytest.param("I speak English", "skill", "English", None, None, id="en-speak"),
        pytest.param("I am good at cooking", "skill", "cooking", None, None, id="en-good-at"),
        pytest.param("I'm good at maths", "skill", "maths", None, None, id="en-contraction-good-at"),
        pytest.param("I am familiar with CAD", "skill", "CAD", None, None, id="en-familiar"),
        pytest.param("I have experience with welding", "skill", "welding", None, None, id="en-experience-with"),
        pytest.param("I know how to drive", "skill", "drive", None, None, id="en-know-how"),
        pytest.param("I have a forklift licence too", "skill", "forklift licence", None, None, id="en-licence"),
        pytest.param("I want to become an electrician in Huzhou", "goal", "electrician", None, None, id="en-goal"),
        pytest.param("I'd like to become a chef", "goal", "chef", None, None, id="en-goal-would-like"),
        pytest.param("I'm looking for a job as a cook", "goal", "cook", None, None, id="en-goal-job-as"),
        pytest.param("I want to work as a nurse near Hangzhou", "goal", "nurse", None, None, id="en-goal-near"),
        pytest.param("I would like a paid apprenticeship", "goal", "", None, None, id="en-goal-apprenticeship"),
        pytest.param("I want a job", "goal", "", None, None, id="en-goal-any-job"),
        pytest.param("hello there", "other", "hello there", None, None, id="en-other"),
    ],
)
def test_classify_en(clause: str, kind: str, what: str, where: str | None, duration: str | None) -> None:
    out = _classify(clause)
    assert (out.kind, out.what, out.where, out.duration) == (kind, what, where, duration)


@pytest.mark.parametrize(
    ("clause", "kind", "what"),
    [
        # 要 inside 要求/主要/重要 is not a goal cue.
        pytest.param("岗位要求", "other", "岗位要求", id="zh-yaoqiu-header"),
        pytest.param("要求熟悉焊接", "skill", "焊接", id="zh-yaoqiu-skill"),
        pytest.param("主要负责焊接", "skill", "焊接", id="zh-zhuyao"),
        pytest.param("重要的是会焊接", "skill", "焊接", id="zh-zhongyao"),
        pytest.param("我要学电工", "goal", "电工", id="zh-bare-yao-is-a-goal"),
        # Without a cue word the clause stays "other", but its frame words are trimmed all the same.
        pytest.param("学习能力强的求职者优先", "other", "学习能力", id="zh-no-cue-preferred"),
        pytest.param("I'm a welder", "experience", "welder", id="en-contraction-im"),
        pytest.param("I have a forklift licence", "skill", "forklift licence", id="en-licence-at-end"),
        pytest.param("I plan to become a course designer", "goal", "course designer", id="en-goal-course-designer"),
    ],
)
def test_classify_former_misses(clause: str, kind: str, what: str) -> None:
    out = _classify(clause)
    assert (out.kind, out.what) == (kind, what)


def test_job_ad_with_markup_keeps_offsets() -> None:
    text = "&lt;br&gt;1. 熟练掌握日语；&lt;br&gt;2. 具有良好的职业道德<p>3、具备学习能力强的求职者优先</p>"
    clauses = parse(text)
    assert [(c.kind, c.what) for c in clauses] == [("skill", "日语"), ("skill", "职业道德"), ("skill", "学习能力")]
    for c in clauses:
        _check_spans(text, c)
