"""Skill phrases from free text: Chinese spans (spans.py), English phrases (spans_en.py), the SkillExtractor's
phrases, mentions and sentence ranking (skills.py) over the fake-embedder home.

The example sentences are written by the team for these tests (none comes from a benchmark data set).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from assistant.index.embedders import FakeEmbedder
from assistant.understanding.skills import (
    PHRASE_WEIGHT,
    TITLE_QUERY_WEIGHT,
    VIEW_DEFINITION_WEIGHT,
    VIEW_LABEL_WEIGHT,
    VIEW_PHRASE_WEIGHT,
    SkillExtractor,
)
from assistant.understanding.spans import skill_spans
from assistant.understanding.spans_en import english_phrases


def spans_of(text: str, cue: str | None = "frame") -> list[str]:
    return [s.text for s in skill_spans(text) if cue is None or s.cue == cue]


@pytest.mark.parametrize(("text", "expected"), [
    # frame words in front and behind are left out of the span
    ("熟练掌握PLC编程", ["PLC编程"]),
    ("对机械原理有一定了解", ["机械原理"]),
    ("精通开源框架Django", ["Django"]),
    ("学习能力强的求职者优先", ["学习能力"]),
    ("3年以上Java开发经验", ["Java开发"]),  # a noun phrase such as Java开发 stays whole
    ("2、熟悉Python、MySQL等数据库开发经验优先", ["Python", "MySQL"]),
    ("具备良好的沟通协调能力与应变能力", ["沟通协调能力", "应变能力"]),
    ("4、良好的团队合作精神和服务意识", ["团队合作精神", "服务意识"]),
    # list items apart, unless they share one head or lean on each other
    ("负责项目跟进和产品销售", ["项目跟进", "产品销售"]),
    ("具有较强的计划、组织、协调能力", ["计划、组织、协调能力"]),
    ("岗位职责：1、负责设备的日常维护和保养", ["设备的日常维护和保养"]),
    ("熟练使用Excel和PowerPoint，有较强的数据分析能力", ["Excel", "PowerPoint", "数据分析能力"]),
    ("通过优化流程来降低成本", ["优化流程", "降低成本"]),
    # languages, certificates and fields of study
    ("英语四级以上，口语流利", ["英语四级", "口语流利"]),
    ("计算机、电子等相关专业大专以上学历", ["计算机", "电子"]),
    ("任职要求：1. 持有电工证 2. 能吃苦耐劳", ["持有电工证", "吃苦耐劳"]),
    ("熟悉CAD制图，能看懂施工图纸", ["CAD制图", "看懂施工图纸"]),
])
def test_chinese_spans(text: str, expected: list[str]) -> None:
    assert spans_of(text) == expected


@pytest.mark.parametrize("text", [
    "薪资面议，五险一金，包吃住",  # pay and benefits
    "我们公司成立于2010年，致力于为客户提供优质服务",  # the employer
    "公司简介：我们是一家软件公司，主要产品有ERP系统、CRM系统",  # a section about the company
    "工作地点：上海市浦东新区，联系电话：021-12345678",
    "本科及以上学历，年龄35岁以下",
    "我不会看图纸",  # what a person cannot do is no claim
    "没有电工证",
    "怎么才能认定技能等级？",  # a question
    "学徒期间有补贴吗",
])
def test_lines_that_never_name_a_skill(text: str) -> None:
    assert spans_of(text, cue=None) == []


def test_span_offsets_index_the_original_text_even_with_markup() -> None:
    text = "<p>1、熟悉Linux&amp;Shell脚本</p><br>2、负责服务器部署"
    found = skill_spans(text)
    assert [s.text for s in found] == ["Linux", "Shell脚本", "服务器部署"]
    assert all(text[s.start:s.end] == s.text for s in found)


def test_a_clause_without_any_cue_is_bare() -> None:
    assert [(s.text, s.cue) for s in skill_spans("北京奥运会已经过去十年了")] == [("北京奥运会已经过去十年了", "bare")]


@pytest.mark.parametrize(("text", "expected"), [
    ("Strong knowledge of HTML and CSS", ["HTML and CSS", "HTML", "CSS"]),
    ("Ability to debug issues in a full stack environment", ["debug issues in a full stack environment"]),
    ("SQL experience is a plus", ["SQL"]),
    ("Excellent communication skills", ["communication"]),
    ("3+ years of experience with Java or C#", ["Java or C#", "Java", "C#"]),
    ("You will be responsible for planning and scheduling deliveries",
     ["planning and scheduling deliveries", "planning", "scheduling deliveries"]),
    ("Experience is required", []),
])
def test_english_phrases(text: str, expected: list[str]) -> None:
    found = english_phrases(text)
    assert [p.text for p in found] == expected
    assert all(text[p.start:p.end] == p.text for p in found)


@pytest.fixture(scope="module")
def skills(fake_guidance: Any) -> SkillExtractor:
    return fake_guidance.skills


@pytest.mark.parametrize(("text", "expected"), [
    # a person's words: skill and experience clauses, goals left out
    ("我会电焊和看图纸", [("电焊", "skill"), ("看图纸", "skill")]),
    ("我在工厂做了三年电焊，会开叉车", [("电焊", "experience"), ("开叉车", "skill")]),
    ("我懂一点电工，还会修空调", [("电工", "skill"), ("修空调", "skill")]),
    ("我想当电工", []),
    ("我想学电工，我有电工证", [("电工证", "skill")]),
    # mixed Chinese and English: the Chinese grammar cuts it, Latin names stay whole
    ("我会Python和Excel", [("Python", "skill"), ("Excel", "skill")]),
    ("熟悉Spring Boot和MySQL，良好的沟通能力", [("Spring Boot", "skill"), ("MySQL", "skill"), ("沟通能力", "other")]),
    # English keeps its clause items
    ("I can weld and read drawings", [("weld", "skill"), ("read drawings", "skill")]),
    ("I worked as a welder for 5 years", [("welder", "experience")]),
])
def test_phrases(skills: SkillExtractor, text: str, expected: list[tuple[str, str]]) -> None:
    found = skills.phrases(text)
    assert [(p, kind) for p, _, kind in found] == expected
    assert all(text[a:b] == p for p, (a, b), _ in found)


def test_mentions_keep_framed_chinese_spans_and_anchor_them(skills: SkillExtractor) -> None:
    found = skills.mentions("岗位要求：1、熟练使用Excel和PowerPoint 2、有较强的数据分析能力 3、薪资面议")
    assert [m.text for m in found] == ["Excel", "PowerPoint", "数据分析能力"]
    assert all(m.links and m.confidence > 0 for m in found)


def test_mentions_of_an_english_message(skills: SkillExtractor) -> None:
    found = skills.mentions("I can weld and read drawings")
    assert [(m.text, m.kind) for m in found] == [("weld", "skill"), ("read drawings", "skill")]


def test_rank_esco_finds_the_skills_a_sentence_lists(skills: SkillExtractor) -> None:
    # Without the second model: the fake's 64 hashed dimensions make one of a skill's 16 labels collide with a
    # one-word phrase now and then ("CSS" with a label of "spread fertiliser"). The readings are checked below.
    plain = SkillExtractor(skills.search, skills._index, views=None)
    ranked = plain.rank_esco("Strong knowledge of HTML and CSS", k=5)
    assert ranked[0].label == "CSS"
    assert len(ranked) == 5 and len({x.id for x in ranked}) == 5
    assert all(x.basis == "esco-skill" and x.id.startswith("esco:") for x in ranked)


def test_rank_esco_returns_only_skills(skills: SkillExtractor) -> None:
    index = skills._index()
    ranked = skills.rank_esco("Experience with welding and reading technical drawings", k=10)
    types = {index.docs[i].type for i in range(len(index.docs)) if index.docs[i].uri in {x.uri for x in ranked}}
    assert types == {"skill"}
    # The fake embedder's cosines are noise; the BM25 half still brings a skill the sentence names.
    assert any("drawing" in x.label or "weld" in x.label for x in ranked), [x.label for x in ranked]
    assert skills.rank_esco("   ") == []


def test_rank_phrases_are_the_sentence_parts(skills: SkillExtractor) -> None:
    assert skills.rank_phrases("Experience with Java or C#") == ["Java or C#", "Java", "C#"]
    assert skills.rank_phrases("熟悉Python、MySQL等数据库") == ["Python", "MySQL"]


@pytest.mark.parametrize(("views", "counts"), [
    (FakeEmbedder(), True),  # the model the index's views were read with (the fake home uses the fake)
    (FakeEmbedder(dim=32), False),  # another model: its vectors cannot meet the stored ones
    (None, False),  # this process has no second model
])
def test_rank_esco_adds_the_other_readings_only_with_their_model(skills: SkillExtractor, views: FakeEmbedder | None,
                                                                 counts: bool) -> None:
    index = skills._index()
    assert index.skill_views is not None
    extractor = SkillExtractor(skills.search, skills._index, views=views)
    text, phrases = "Experience with welding and reading technical drawings", ["welding", "reading technical drawings"]
    docs = [d for d, doc in enumerate(index.docs) if doc.type == "skill" and doc.language == "en"][:50]
    main = skills.search.embedder.embed_queries([text, *phrases])
    got = extractor._other_readings(index, [text, *phrases], main, docs)
    if not counts:
        assert isinstance(got, float) and got == 0.0
        return
    second = FakeEmbedder().embed_queries([text, *phrases])
    labels, definitions = index.skill_views.cosines(second, docs)
    titles = index.skill_views.title_cosines(main, docs)

    def mix(c: np.ndarray, w: float) -> np.ndarray:
        return c[0] + w * c[1:].max(axis=0)

    want = (VIEW_LABEL_WEIGHT * mix(labels, VIEW_PHRASE_WEIGHT) + VIEW_DEFINITION_WEIGHT * mix(definitions, VIEW_PHRASE_WEIGHT)
            + TITLE_QUERY_WEIGHT * mix(titles, PHRASE_WEIGHT))
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert np.abs(got).max() > 0  # the readings are there for English skills
