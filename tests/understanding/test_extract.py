"""One message → typed findings, in Chinese, English and mixed text. The fake embedder makes occupation anchors
arbitrary, so these tests check what the reading itself decides: stories, wishes, fields, limits, places, likes,
questions and what is never a skill. Anchoring quality is measured by the benchmarks with the real model."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.understanding.extract import Findings, apply, current_place
from assistant.understanding.patterns import extract_facts
from assistant.understanding.profile import Profile


def read(guidance: Any, text: str, lang: str) -> Findings:
    return guidance.extractor.extract(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "years"),
    [
        ("我在食堂帮厨三年，洗菜切菜", "zh", 3.0),
        ("我在药店卖药三年", "zh", 3.0),
        ("在工地开塔吊五年", "zh", 5.0),
        ("照顾瘫痪的父亲六年，喂饭翻身擦洗", "zh", 6.0),  # unpaid care work is experience
        ("我在养老院照顾老人三年", "zh", 3.0),  # 老人 is whom the work was for, not who the person is
        ("我在双鸭山老家种了十五年水稻和大豆", "zh", 15.0),  # farming
        ("I drove a taxi in Chongqing for seven years", "en", 7.0),
        ("I cared for my elderly parents for six years and volunteered at a care home", "en", 6.0),
        ("I worked in a shoe factory for 15 years, stitching uppers", "en", 15.0),
        ("As a Senior Monitoring and Evaluation Officer, I oversaw data collection and analysis", "en", None),
        ("I did welding in 湖州 for three years", "en", 3.0),  # mixed: English with a Chinese place
    ],
)
def test_a_work_story_without_a_title_is_experience(fake_guidance: Any, text: str, lang: str,
                                                     years: float | None) -> None:
    found = read(fake_guidance, text, lang)
    assert len(found.experience) == 1, found
    assert found.experience[0].years == years
    assert found.experience[0].evidence  # the person's own words are kept as evidence


@pytest.mark.parametrize(
    ("text", "lang", "unpaid"),
    [
        ("照顾瘫痪的父亲六年，喂饭翻身擦洗", "zh", True),
        ("我在家带孩子五年，之前做过会计", "zh", True),
        ("做了三年社区志愿者，帮老人买菜", "zh", True),
        ("我在养老院照顾老人三年", "zh", False),  # a care home pays for it
        ("我在食堂帮厨三年，洗菜切菜", "zh", False),
        ("I cared for my elderly parents for six years and volunteered at a care home", "en", True),
        ("I looked after my grandmother with dementia for four years", "en", True),
        ("I worked in a care home for four years, washing and feeding residents", "en", False),
        ("I drove a taxi in Chongqing for seven years", "en", False),
    ],
)
def test_work_for_family_or_as_a_volunteer_is_unpaid(fake_guidance: Any, text: str, lang: str, unpaid: bool) -> None:
    found = read(fake_guidance, text, lang)
    assert [e.unpaid for e in found.experience] == [unpaid], found


@pytest.mark.parametrize(
    ("text", "lang"),
    [("想在湖州找个能拿工资的学徒岗位", "zh"), ("想考个正规的证，在日照找工作", "zh"), ("我19岁，初中毕业，没上过班", "zh"),
     ("I want a paid apprenticeship in Huzhou", "en"), ("我在日照", "zh")],
)
def test_wishes_places_and_no_work_are_not_experience(fake_guidance: Any, text: str, lang: str) -> None:
    assert read(fake_guidance, text, lang).experience == []


@pytest.mark.parametrize(
    ("text", "lang", "topics"),
    [("想留在大庆，做新能源方面的工作", "zh", ["新能源"]), ("想在大庆找个跟网络相关的工作", "zh", ["网络"]),
     ("Now I would like paid work in elderly care in Rizhao", "en", ["elderly care"]),
     ("I want to move into solar energy, near Daqing", "en", ["solar energy"])],
)
def test_a_field_is_a_topic_not_an_occupation(fake_guidance: Any, text: str, lang: str, topics: list[str]) -> None:
    found = read(fake_guidance, text, lang)
    assert found.topics == topics and found.goals == [] and found.experience == []


def test_a_negated_wish_is_a_limit_not_a_goal(fake_guidance: Any) -> None:
    found = read(fake_guidance, "想找不需要打电话的工作，在重庆", "zh")
    assert found.goals == [] and found.topics == [] and found.constraints.limits == ["no-phone"]
    assert found.constraints.location == "重庆市"  # a province-level city is both


@pytest.mark.parametrize(
    ("text", "lang", "not_skills"),
    [("我是听障人士，会手语，做过三年服装厂质检", "zh", ["听障人士"]),
     ("想换个工作，最好在湖州，有五险一金", "zh", ["五险一金"]),
     ("I use a wheelchair; I have an accounting degree", "en", ["a wheelchair", "wheelchair"]),
     ("I can study evenings", "en", ["study evenings", "evenings"]),
     ("我是全职妈妈，以前在超市当过收银员", "zh", ["全职妈妈"])],
)
def test_who_someone_is_and_what_a_job_gives_are_never_skills(fake_guidance: Any, text: str, lang: str,
                                                               not_skills: list[str]) -> None:
    found = read(fake_guidance, text, lang)
    said = {s.evidence for s in found.skills} | {e.what for e in found.experience}
    assert not said & set(not_skills), said


@pytest.mark.parametrize(
    ("text", "place", "past"),
    [("以前在东莞服装厂做了8年缝纫工，现在回日照老家带孩子", "日照市", False),
     ("我在湖州农村，家里有空房，以前在农家乐帮过厨", "湖州市", False),
     ("以前在东莞的电子厂干过", "东莞市", True),
     ("I worked in Dongguan before, now I live in Rizhao", "日照市", False)],
)
def test_where_the_person_is_now_wins_over_where_they_worked(text: str, place: str, past: bool) -> None:
    found, was_past = current_place(text, extract_facts(text).places)
    assert (found.name, was_past) == (place, past)


def test_a_past_place_does_not_move_a_known_location(fake_guidance: Any) -> None:
    profile = Profile(language="zh")
    apply(profile, read(fake_guidance, "我现在在日照", "zh"))
    apply(profile, read(fake_guidance, "以前在东莞的电子厂干过三年", "zh"))
    assert profile.constraints.location == "日照市"


def test_questions_are_kept_apart_and_the_story_is_still_read(fake_guidance: Any) -> None:
    found = read(fake_guidance, "我做了十年木工，没有任何证书，怎么才能认定技能等级？", "zh")
    assert [q.text for q in found.questions] == ["我做了十年木工，没有任何证书，怎么才能认定技能等级？"]
    assert [e.years for e in found.experience] == [10.0]


@pytest.mark.parametrize(
    ("text", "lang", "letter"),
    [("我动手能力还行，喜欢摆弄机器", "zh", "R"), ("喜欢跟人打交道", "zh", "S"),
     ("I like drawing and making things with my hands", "en", "A")],
)
def test_likes_said_in_passing_become_interests(fake_guidance: Any, text: str, lang: str, letter: str) -> None:
    profile = Profile(language=lang)
    apply(profile, read(fake_guidance, text, lang))
    assert letter in profile.interests.top(3)


def test_no_work_yet_is_said_not_missing(fake_guidance: Any) -> None:
    found = read(fake_guidance, "我19岁，初中毕业，没上过班", "zh")
    assert found.no_experience and found.age == 19 and found.education == "junior-secondary"


def test_old_saved_profiles_still_load() -> None:
    old = {"language": "zh", "experience": [{"what": "电焊", "occupation": None, "where": None, "years": 3,
                                             "evidence": "x"}], "skills": [], "goals": {"occupations": [], "text": []},
           "constraints": {"location": "湖州市"}}
    profile = Profile.from_dict(old)
    assert profile.experience[0].what == "电焊" and profile.goals.topics == [] and profile.interests.top() == ""
    assert Profile.from_dict(profile.to_dict()) == profile


@pytest.mark.parametrize(
    ("phrase", "title"),
    [
        ("采油工", True),  # the taxonomy says 石油开采工; said outright it is still a title
        ("针车工", True),
        ("保洁员", True),
        ("面点师", True),
        ("打工", False),  # kinds of employment and memberships are no occupation
        ("临时工", False),
        ("员工", False),
        ("会员", False),
        ("学员", False),
        ("电焊", False),  # an activity, placed by the story around it
        ("stitching uppers", False),
    ],
)
def test_everyday_chinese_titles_are_titles(fake_guidance: Any, phrase: str, title: bool) -> None:
    assert fake_guidance.extractor.is_title(phrase) is title


class _Batches:
    """The fake embedder, recording each model call's texts."""

    def __init__(self) -> None:
        from assistant.index.embedders import FakeEmbedder

        self.inner, self.batches = FakeEmbedder(), []
        self.name, self.version, self.dim = self.inner.name, self.inner.version, self.inner.dim

    def embed_queries(self, texts: Any) -> Any:
        self.batches.append(list(texts))
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Any) -> Any:
        return self.inner.embed_passages(texts)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("我在七号车间给电机绕线圈干了四年，会看电路图，想在日照找个带薪学徒岗位", "zh"),
        ("做了三年月嫂，又在食堂帮厨两年", "zh"),  # two jobs, two stories
        ("I wound copper coils for motors in a workshop for four years and I can read wiring diagrams", "en"),
    ],
)
def test_a_message_costs_one_model_call(indexed_home: Any, tmp_path: Any, text: str, lang: str) -> None:
    """Every text the reading searches with is embedded in one batch (under load the model is one queue, and a
    turn's novel texts in several calls made the turns that read a story the slowest); the recommendation then
    places the stories from memory."""
    from assistant.guidance.service import make_guidance
    from assistant.index.cache import CachedEmbedder
    from assistant.retrieval.runtime import make_retrieval
    from assistant.store.db import make_engine, make_sessionmaker

    model = _Batches()
    engine = make_engine(indexed_home.settings.database_url)
    guidance = make_guidance(make_retrieval(indexed_home.settings, make_sessionmaker(engine),
                                            embedder=CachedEmbedder(model, tmp_path / "e.sqlite")),
                             make_sessionmaker(engine))
    try:
        found = guidance.extractor.extract(text, lang)
        assert found.experience and len(model.batches) == 1, model.batches
        model.batches.clear()
        for exp in found.experience:  # what matching.py searches with for each experience
            guidance.matcher._related(exp.account, lang)
        assert model.batches == []
    finally:
        engine.dispose()
