"""What simulated job seekers say and search for: phrases drawn from the store and gazetteer, seeded per user."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from assistant.retrieval.gazetteer import places
from assistant.store.db import make_engine, make_sessionmaker
from assistant.store.models import Occupation, Offer, Skill

TERMS = Path(__file__).resolve().parent.parent / "assistant" / "retrieval" / "data" / "occupation-terms.tsv"
# CSCO major groups 4-6: the trades, service and production work this service's users mostly come from. esco-lite
# carries no ISCO codes, so English titles of professions and management are left out by word instead.
CSCO_GROUPS = ("4-", "5-", "6-")
PROFESSION_WORDS = re.compile(r"\b(?:manager|director|chief|executive|officer|scientist|professor|lecturer|"
                              r"researcher|analyst|consultant|engineer|specialist|economist|policy|judge)\b")
# Share of phrases taken from the common colloquial vocabulary rather than the long tail of official titles: people
# say 电焊 and 厨师 far more often than 中式烹调师, and that repetition is real (and meets the result caches honestly).
COMMON_SHARE = 0.6

WORKPLACES_ZH = ["工厂", "厂里", "车间", "工地", "饭店", "超市", "物流公司", "老家", "一家小公司", "县城"]
WORKPLACES_EN = ["a factory", "a restaurant", "a building site", "a supermarket", "a warehouse", "my hometown",
                 "a small company"]
NUMBERS_ZH = ["一", "两", "三", "四", "五", "六", "七", "八", "十", "2", "3", "5"]
SKILLS_ZH = ["看图纸", "用电脑", "开叉车", "做账", "沟通", "带团队", "电焊", "修电器", "开车", "做饭", "直播", "剪视频"]
GREETINGS = {"zh": ["你好", "您好", "在吗", "你好！"], "en": ["Hello", "Hi", "hello!"]}
CONSENT = {"zh": ["同意", "好的", "我同意", "可以"], "en": ["I agree", "yes", "ok", "agree"]}
CONFIRM = {"zh": ["对", "对的", "是的", "嗯"], "en": ["yes", "correct", "that's right", "yes please"]}
FOLLOW_UPS = {
    "zh": ["给我学习路径", "学徒期间有补贴吗？", "推荐", "换一个", "下一步怎么开始", "有没有免费的培训？", "学徒有工资吗？",
           "其实我更想做{term}", "我不会{skill}", "什么是新型学徒制？"],
    "en": ["Show me a learning pathway", "Is there a subsidy for apprentices?", "recommend", "more", "what next steps?",
           "Are apprentices paid?", "I would rather be a {term} instead", "I can't {skill}",
           "What is a quality apprenticeship?"],
}
POLICY_QUERIES = {"zh": ["学徒期间有补贴吗", "终身职业技能培训", "数字技能", "新型学徒制", "职业技能等级认定"],
                  "en": ["subsidy for apprentices", "recognition of prior learning", "green skills",
                         "quality apprenticeship", "lifelong learning"]}
SEARCH_TYPES = ["occupation", "skill", "apprenticeship", "training", "policy", None]
SEARCHES_AFTER_CONVERSATION = (0, 1, 1, 2, 2, 3)  # mean 1.5: about one request in four is a search


@dataclass(frozen=True)
class Vocabulary:
    """Phrase pools per language, read once before the run (the load generator never touches the store again)."""

    common: dict[str, list[str]]  # colloquial occupation words (occupation-terms.tsv)
    titles: dict[str, list[str]]  # official titles and aliases: CSCO 4-6 (zh), ESCO trades and services (en)
    skills: dict[str, list[str]]  # zh: offers' skills + everyday phrases; en: esco-lite labels of up to four words
    offer_cities: dict[str, list[str]]  # where the sample offers are (results exist there)
    cities: dict[str, list[str]]  # every prefecture-level city of the gazetteer (mostly no offers: an honest answer)
    offer_titles: dict[str, list[str]]


def load_vocabulary(database_url: str) -> Vocabulary:
    common: dict[str, list[str]] = {"zh": [], "en": []}
    for line in TERMS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "\t" in line:
            zh, en = line.split("\t", 1)
            common["zh"] += zh.split("|")
            common["en"] += en.split("|")
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            occupations = session.execute(select(Occupation.scheme, Occupation.code, Occupation.title,
                                                 Occupation.alt_titles, Occupation.level)).all()
            skills_en = session.scalars(select(Skill.label).where(Skill.language == "en")).all()
            offers = session.execute(select(Offer.language, Offer.city, Offer.title, Offer.target_skills)).all()
    finally:
        engine.dispose()
    titles: dict[str, list[str]] = {"zh": [], "en": []}
    for scheme, code, title, alt, level in occupations:
        if scheme == "csco2022" and level == 4 and (code or "").startswith(CSCO_GROUPS):
            titles["zh"] += [title, *[a for a in alt if 2 <= len(a) <= 12]]
        elif scheme == "esco" and len(title.split()) <= 4 and not PROFESSION_WORDS.search(title):
            titles["en"].append(title)  # alt_titles of esco-lite is one run-on string, not a list of labels
    skills = {"zh": list(SKILLS_ZH), "en": sorted(s for s in skills_en if len(s.split()) <= 4)}
    offer_cities: dict[str, set[str]] = {"zh": set(), "en": set()}
    offer_titles: dict[str, list[str]] = {"zh": [], "en": []}
    for lang, city, title, target_skills in offers:
        lang = "zh" if lang == "zh" else "en"
        if city:
            offer_cities[lang].add(city.removesuffix("市"))
        offer_titles[lang].append(title)
        if lang == "zh":
            skills["zh"] += target_skills
    cities = [p for p in places() if p.level == "city" and len(p.short_name) >= 2]
    return Vocabulary(common, {k: sorted(set(v)) for k, v in titles.items()}, skills,
                      {k: sorted(v) for k, v in offer_cities.items()},
                      {"zh": sorted({p.short_name for p in cities}),
                       "en": sorted({p.pinyin for p in cities if p.pinyin.isascii() and p.pinyin.isalpha()})},
                      offer_titles)


class Seeker:
    """One simulated person: an endless, reproducible stream of conversations and searches in their language."""

    def __init__(self, vocab: Vocabulary, seed: int, *, zh_share: float = 0.7) -> None:
        self.v = vocab
        self.rng = random.Random(seed)
        self.lang = "zh" if self.rng.random() < zh_share else "en"
        # Each person has a trade and a place, kept across their conversations (people retell the same story).
        self.trade = self._occupation()
        self.city = self._city()

    # -- phrases -------------------------------------------------------------------------------------------------

    def _occupation(self) -> str:
        pool = self.v.common if self.rng.random() < COMMON_SHARE else self.v.titles
        return self.rng.choice(pool[self.lang])

    def _city(self) -> str:
        pool = self.v.offer_cities if self.rng.random() < 0.6 else self.v.cities
        return self.rng.choice(pool[self.lang])

    def _skill(self) -> str:
        return self.rng.choice(self.v.skills[self.lang])

    def experience(self) -> str:
        r, n = self.rng, self.rng.choice(NUMBERS_ZH)
        one, two = r.sample(self.v.skills[self.lang], 2)
        if self.lang == "zh":
            return r.choice([f"我在{r.choice(WORKPLACES_ZH)}做了{n}年{self.trade}",
                             f"我以前是{self.trade}，干了{n}年，会{one}",
                             f"做过{n}年{self.trade}，会{one}和{two}",
                             f"我{r.randint(18, 50)}岁，之前在{r.choice(WORKPLACES_ZH)}当{self.trade}，会{one}"])
        years = r.randint(1, 12)
        return r.choice([f"I worked as a {self.trade} in {r.choice(WORKPLACES_EN)} for {years} years",
                         f"I was a {self.trade} for {years} years and I can {one}",
                         f"I did {self.trade} work for {years} years, I can {one} and {two}"])

    def goal(self) -> str:
        r, city = self.rng, self.city
        if self.lang == "zh":
            return r.choice([f"想在{city}找个能拿工资的学徒岗位", f"我想去{city}学{self._occupation()}",
                             f"想在{city}参加{self._occupation()}培训", f"我想在{city}找个带薪学徒岗位"])
        return r.choice([f"I want a paid apprenticeship in {city}", f"I'd like {self._occupation()} training in {city}",
                         f"I'm looking for an apprenticeship near {city}"])

    def follow_up(self) -> str:
        text = self.rng.choice(FOLLOW_UPS[self.lang])
        return text.format(term=self._occupation(), skill=self._skill())

    # -- what they do --------------------------------------------------------------------------------------------

    def conversation(self) -> list[str]:
        """4-7 messages: greeting or straight to the point, consent, experience, place and goal, follow-ups."""
        r, lang = self.rng, self.lang
        if r.random() < 0.3:
            self.trade, self.city = self._occupation(), self._city()  # someone new on this seat
        story = f"{self.experience()}{'，' if lang == 'zh' else ', and '}{self.goal()}"
        flow = r.random()
        if flow < 0.35:  # the acceptance flow: hello, consent, the whole story, confirm
            turns = [r.choice(GREETINGS[lang]), r.choice(CONSENT[lang]), story, r.choice(CONFIRM[lang])]
        elif flow < 0.65:  # the story first (kept pending until consent), then consent and confirm
            turns = [story, r.choice(CONSENT[lang]), r.choice(CONFIRM[lang])]
        else:  # step by step: experience, confirm, then the goal when asked for it
            turns = [r.choice(GREETINGS[lang]), r.choice(CONSENT[lang]), self.experience(), r.choice(CONFIRM[lang]),
                     self.goal()]
        while len(turns) < 4 or (len(turns) < 7 and r.random() < 0.55):
            turns.append(self.follow_up())
        return turns

    def search(self) -> dict[str, Any]:
        """GET /api/search parameters: a trade, a skill, an offer or a policy phrase, sometimes with filters."""
        r, lang = self.rng, self.lang
        kind = r.choice(SEARCH_TYPES)
        params: dict[str, Any] = {}
        if kind in ("apprenticeship", "training"):
            q = r.choice([self._occupation(), r.choice(self.v.offer_titles[lang]),
                          f"{self._occupation()}{'学徒' if lang == 'zh' else ' apprenticeship'}"])
            if r.random() < 0.5:
                params["location"] = self.city
        elif kind == "skill":
            q = self._skill()
        elif kind == "policy":
            q = r.choice(POLICY_QUERIES[lang])
        else:
            q = self._occupation()
        params["q"] = q
        if kind:
            params["type"] = kind
        return params

    def actions(self) -> Iterator[tuple[str, Any]]:
        """("chat", [messages]) and ("search", params), for ever: each conversation is followed by 0-3 searches."""
        while True:
            yield "chat", self.conversation()
            for _ in range(self.rng.choice(SEARCHES_AFTER_CONVERSATION)):
                yield "search", self.search()
