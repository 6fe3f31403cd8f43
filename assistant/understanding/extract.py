"""One message → typed findings with their evidence: experience (paid or not), skills, goals and topics, constraints,
education, likes and questions. Anchoring goes through the index; sentence shapes only find the pieces."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.index.embedders import Embedder
from assistant.index.loaded import LoadedIndex
from assistant.retrieval.normalise import normalise_occupation, normalise_texts
from assistant.text import has_han
from assistant.understanding.clauses import Clause, parse
from assistant.understanding.interests import LikeFinding, likes_in
from assistant.understanding.overlap import features
from assistant.understanding.patterns import Facts, extract_facts
from assistant.understanding.places import PlaceMention
from assistant.understanding.profile import Constraints, Experience, OccupationRef, Profile, SkillClaim
from assistant.understanding.sentences import Sentence, sentences, without_unsure
from assistant.understanding.skills import SkillExtractor, SkillMention
from assistant.understanding.topics import goal_topic, is_negated_goal

GROUP_SCHEMES = frozenset({"isco08"})  # classification groups, not occupations one has or wants
# An experience or goal phrase is taken as an occupation only when the normaliser is this sure.
MIN_OCCUPATION_SCORE = 0.3
# A whole work story ("我在药店卖药三年") names its occupation only when the best match is this sure; below it the
# story still proposes occupations as related evidence. Calibrated on the team's story sets (benchmarks/data).
MIN_STORY_SCORE = 0.45
# A wished-for activity or loose word ("网上", "做面包") is a goal only this close to an occupation; else a field.
MIN_GOAL_SCORE = 0.5
# Skill claims below this are kept in the person's words without a taxonomy anchor.
MIN_SKILL_CONFIDENCE = 0.45

# What marks a statement as being about work someone did, paid or not: workplaces, work verbs, unpaid work
# (caring, raising children, farming, military service, volunteering). Candidates only: the index decides.
_ZH_WORK = re.compile(
    r"做|干|当|从事|上班|打工|工作|帮厨|帮工|卖|开|修|装|种|养|送|跑|带|照顾|护理|伺候|退伍|当兵|部队|志愿|务农|教|补课|"
    r"管|守|打|洗|切|搬|运|收|拉|扛|铺|焊|刷|砌|喂|擦|织|缝|剪|烫|采|挖|砍|捕|捞|钓|烧|煮|炒|蒸|烤|配|检|测|量|画|写|"
    r"播|拍|编|算|记|接|送|巡|看护|厂|店|工地|食堂|车间|公司|医院|酒店|宾馆|超市|商场|油田|矿|农家乐|养老院|幼儿园|仓库|"
    r"餐馆|饭店|工程队|装修队|渔船|家政|保姆|月嫂|全职妈妈|家庭主妇")
# English: "I" and a verb that is not wanting, being able or feeling (I laid bricks, I shot weddings, I ran shifts).
_EN_WORK = re.compile(
    r"\b(?:i|we)\s+(?:\w+ly\s+|also\s+|then\s+|later\s+)?(?!(?:am|'m|want|wanted|would|'d|like|love|hope|wish|can|"
    r"could|will|shall|should|may|might|must|need|needed|do|don'?t|did\s+not|think|feel|felt|guess|know|have\s+no|"
    r"just\s+finished|finished\s+school|use|enjoy)\b)[a-z]{2,}|\bexperience\b|\bas\s+an?\s+\w+|"
    r"\byears?\s+(?:in|at|as|of)\b|\bvolunteer|\bhousewife\b|\bstay[- ]at[- ]home\b|\bfull[- ]time (?:mum|mom|parent)",
    re.I)
# Work for one's own family, or as a volunteer: real experience with real skills, but not years on a payroll, and
# not the years in a field after which managing others is a realistic next step.
_UNPAID_WORK = re.compile(
    r"(?:照顾|伺候|护理)(?:家里的?(?:老人|孩子|小孩)|[^，。,；;]{0,6}?(?:父母|爸妈|老母亲|老父亲|母亲|父亲|奶奶|爷爷|外婆|"
    r"姥姥|外公|姥爷|公婆|婆婆|公公|老伴|丈夫|老公|妻子))|在家带(?:孩子|娃|小孩)|带娃|全职妈妈|家庭主妇|做家务|志愿|义工|"
    r"\b(?:looked after|look after|looking after|cared for|care for|caring for|took care of|take care of|raised|"
    r"nursed|bringing up|brought up)\s+(?:my|our)\b|\bvolunteer|\bhousewife\b|\bhomemaker\b|\bhousework\b|"
    r"\bstay[- ]at[- ]home\b|\bfull[- ]time (?:mum|mom|parent)", re.I)
_NO_WORK = re.compile(r"没(?:上过|有上过)班|没(?:有)?工作过|没(?:有)?(?:任何)?工作经验|从来没工作|"
                      r"\bnever (?:worked|had a job)\b|\bno (?:work|job) experience\b", re.I)
# A wish or a search, not work done: 在日照找工作, 想考个证, looking for work.
_WISH = re.compile(r"想|希望|打算|准备|最好|找(?:工作|活|个|份|一份)|\b(?:want|wish|hope|looking for|would like|plan)\b", re.I)
# Who the person is rather than what they can do: never a skill (我是听障人士, 全职妈妈, I use a wheelchair).
_IDENTITY = re.compile(r"人士|妈妈|主妇|宝妈|老人|孩子|残疾|轮椅|\b(?:wheelchair|mother|mum|mom|housewife|parent)\b",
                       re.I)
# Caring for someone, or a workplace, makes a clause with 老人 or 孩子 in it work (在养老院照顾老人三年), not identity.
_CARE_OR_WORKPLACE = re.compile(r"照顾|护理|伺候|看护|陪护|带|教|养老院|医院|幼儿园|学校|厂|店|公司|"
                                r"\b(?:looked after|look after|cared for|care for|worked|work|nursing home|care home|"
                                r"hospital|school)\b", re.I)

# Everyday Chinese job names end in a worker suffix (采油工, 针车工, 保洁员, 面点师) though the taxonomy names the job
# otherwise (石油开采工, 制鞋工): said outright they are a title, placed by the name, not by the story around it.
_ZH_TITLE = re.compile(r"[\u4e00-\u9fff]{1,5}(?:工|员|师|匠)")
# Kinds of employment and memberships with the same endings are no occupation (打工, 临时工, 员工, 会员, 学员).
_ZH_NOT_TITLE = re.compile(r"(?:打|做|上|开|务|加|手|员|职|零|短|长|分|施|用|动|童|义|民|临时|合同|正式|季节)工|"
                           r"[会成党学队团人社委海]员|[大祖恩]师")


def _identity_only(text: str) -> bool:
    """Who someone is (我是全职妈妈, I use a wheelchair), not what they did (在养老院照顾老人)."""
    return bool(_IDENTITY.search(text)) and not _CARE_OR_WORKPLACE.search(text)


# What the job gives rather than what the person can do (有五险一金, 包吃住): wishes, never skills.
_TERMS = re.compile(r"五险一金|社保|公积金|工资|薪水|待遇|补贴|包吃住|双休|假期|年假|福利|"
                    r"\b(?:salary|wages?|pay|benefits|insurance|pension|holidays?)\b", re.I)
# When someone can learn is a constraint, not a skill ("I can study evenings", 周末可以学).
_WHEN = re.compile(r"晚上|周末|白天|早上|下午|业余|\b(?:evenings?|weekends?|nights?|mornings?|afternoons?)\b", re.I)
# Where the person is now, or will be, against where they once were.
_NOW = re.compile(r"现在|目前|如今|回(?:到|了)?|老家|住在|家在|人在|定居|留在|想在|要在|希望在|打算在|准备在|就在|"
                  r"\b(?:now|live|living|based|currently|moved back|back (?:in|to)|stay)\b", re.I)
_BEFORE = re.compile(r"以前|之前|原来|曾经|过去|当年|那时|早年|做了|干了|做过|干过|当过|"
                     r"\b(?:used to|worked|drove|was|were|before|previously|formerly|ago)\b", re.I)


@dataclass(frozen=True)
class Question:
    """A question inside a message, answered from the knowledge base while the rest is read as usual."""

    text: str
    span: tuple[int, int]


@dataclass
class Findings:
    """What one message says, each item with the person's words as evidence; the dialogue decides what to do."""

    experience: list[Experience] = field(default_factory=list)
    skills: list[SkillClaim] = field(default_factory=list)
    goals: list[OccupationRef] = field(default_factory=list)
    goal_text: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)  # vague goals: 新能源, 网络相关, elderly care
    constraints: Constraints = field(default_factory=Constraints)  # only what was said; None and [] are unsaid
    place_is_past: bool = False  # the only place named is where they once worked, not where they are
    education: str | None = None
    languages: list[str] = field(default_factory=list)
    age: int | None = None
    likes: list[LikeFinding] = field(default_factory=list)  # 喜欢跟人打交道, I like drawing: interests said in passing
    questions: list[Question] = field(default_factory=list)
    no_experience: bool = False  # 没上过班 / never had a job: said, not missing

    def is_empty(self) -> bool:
        """Nothing about the person (a question alone is not about them)."""
        return not (self.experience or self.skills or self.goals or self.goal_text or self.topics
                    or self.has_constraints() or self.education or self.languages or self.age or self.no_experience
                    or self.likes)

    def has_constraints(self) -> bool:
        return any(v not in (None, []) for v in self.constraints.__dict__.values())


class ProfileExtractor:
    """Deterministic reading; an optional language model may add phrases, which go through the same anchoring."""

    def __init__(self, skills: SkillExtractor, index: Callable[[], LoadedIndex], embedder: Embedder) -> None:
        self.skills = skills
        self._index = index
        self.embedder = embedder

    def occupation(self, phrase: str, lang: str, *, min_score: float = MIN_OCCUPATION_SCORE) -> OccupationRef | None:
        """The occupation a title or activity names, in the conversation's language when the index has it."""
        index = self._index()
        languages = [lang] if lang in index.languages else None
        # A person's own job is a specific occupation; a classification group (ISCO-08) only where nothing else is.
        specific = sorted(index.schemes - GROUP_SCHEMES) if index.schemes - GROUP_SCHEMES else None
        found = normalise_occupation(index, self.embedder, phrase, languages=languages, k=5, schemes=specific)
        if not found or found[0].score < min_score:
            return None
        # An activity names its doer best: "welding" is a welder before a welding engineer (same stem, nothing more).
        best = max(found, key=lambda m: m.score + 0.3 * _jaccard(phrase, index.docs[m.doc].title))
        doc = index.docs[best.doc]
        return OccupationRef(doc.scheme or "", doc.code, doc.uri, doc.title, best.score)

    def is_title(self, phrase: str) -> bool:
        """Whether a phrase is itself an occupation name (服务员, cook) rather than an activity (电焊, welding)."""
        names = self._index().names()
        key = phrase.casefold().strip()
        return (key in names or (key.endswith("s") and key[:-1] in names)
                or bool(_ZH_TITLE.fullmatch(key) and not _ZH_NOT_TITLE.fullmatch(key)))

    def occupation_texts(self, phrase: str, lang: str) -> list[str]:
        """The texts occupation(phrase, lang) will embed (the same languages and schemes)."""
        index = self._index()
        languages = [lang] if lang in index.languages else None
        specific = sorted(index.schemes - GROUP_SCHEMES) if index.schemes - GROUP_SCHEMES else None
        return normalise_texts(index, phrase, languages=languages, schemes=specific)

    def _prefetch(self, stories: list[Story], wishes: list[str], told: list[Sentence], lang: str) -> None:
        """Embed every text the reading below will search with in one model call: a message's novel texts cost
        one call instead of one each (a batch of two costs about 1.4 single calls; under load the model is one
        queue). Only texts the reading uses: a whole sentence is not searched unless it is its own story."""
        texts: list[str] = []
        for story in stories:
            if story.text.strip():
                texts += self.occupation_texts(story.text, lang)
            if story.job is not None:
                texts += self.occupation_texts(story.job.what, lang)
                if not self.is_title(story.job.what):
                    texts += self.skills.link_texts(story.job.what)
        for wish in wishes:
            if not is_negated_goal(wish):
                texts += [t for c in _goal_clauses(wish, goal_topic(wish, lang))
                          for t in self.occupation_texts(c.what, lang)]
        for s in told:
            for phrase, _span, _kind in self.skills.phrases(s.text):
                texts += self.skills.link_texts(phrase)
        texts = list(dict.fromkeys(texts))
        if len(texts) > 1:
            self.embedder.embed_queries(texts)

    def extract(self, text: str, lang: str, *, extra_phrases: dict[str, list[str]] | None = None) -> Findings:
        out = Findings()
        parts = sentences(text)
        out.questions = [Question(s.text, s.span) for s in parts if s.question]
        statements = [Sentence(without_unsure(s.text), s.span, False) for s in parts if not s.question]
        statements = [s for s in statements if s.text]
        said = "。".join(s.text for s in statements) if lang == "zh" else ". ".join(s.text for s in statements)
        facts = extract_facts(said)
        out.no_experience = bool(_NO_WORK.search(said))
        # Each sentence: what the person tells (their work), then what they wish for from the first wish on.
        split = [(s, *_split_wish(s)) for s in statements]
        told = [Sentence(t, s.span, False) for s, t, _ in split if t]
        stories = [s for s in told if self._is_story(s, lang)] if not out.no_experience else []
        jobs = _stories(stories, lang)
        wishes = [w for _, _, w in split if w]
        self._prefetch(jobs, wishes, told, lang)
        for wish in wishes:
            self._read_wish(wish, lang, out)
        for story in jobs:
            self._read_story(story, lang, out)
        self._read_skills(said, told, out, extra_phrases)
        self._read_constraints(said, facts, out)
        if facts.numbers_of_years_experience and out.experience and out.experience[-1].years is None:
            out.experience[-1].years = facts.numbers_of_years_experience
        out.education, out.languages, out.age = facts.education, list(facts.languages), facts.age
        out.likes = likes_in(said, lang)
        return out

    # -- the parts of a message --------------------------------------------------------------------------------

    def _is_story(self, s: Sentence, lang: str) -> bool:
        """A statement about work done: an experience clause, or work words outside any goal clause."""
        clauses = parse(s.text)
        if any(c.kind == "experience" and len(c.what) >= 2 and not _IDENTITY.search(c.what) for c in clauses):
            return True
        told = " ".join(c.text for c in clauses if c.kind not in ("goal", "skill") and not _WISH.search(c.text)
                        and not _only_facts(c.text) and not _identity_only(c.text))
        return bool(told) and bool((_ZH_WORK if lang == "zh" else _EN_WORK).search(told) or _EN_WORK.search(told))

    def _read_story(self, told: Story, lang: str, out: Findings) -> None:
        """The work a sentence tells of, as one experience: its own title or activity when it names one, else the
        occupation the whole story is nearest (a cook's help who "washed and cut vegetables" is a kitchen hand)."""
        s, exp_clause, story = told.sentence, told.job, told.text
        if not story.strip():
            return
        years = None
        durations = extract_facts(s.text).durations
        if exp_clause and exp_clause.duration:
            years = _years(exp_clause.duration)
        if years is None and durations:
            years = durations[0].years
        phrase_occ = self.occupation(exp_clause.what, lang) if exp_clause else None
        story_occ = self.occupation(story, lang, min_score=MIN_STORY_SCORE)
        # A title said outright wins (缝纫工); an activity (电焊) or a story is placed by the whole sentence.
        if phrase_occ and exp_clause and self.is_title(exp_clause.what):
            occ = phrase_occ
        else:
            occ = story_occ or phrase_occ
        what = exp_clause.what if exp_clause else _short(story, lang)
        where = exp_clause.where if exp_clause else None
        out.experience.append(Experience(what, occ, where, years, s.text, unpaid=bool(_UNPAID_WORK.search(story)),
                                         story=story))
        if exp_clause and not self.is_title(exp_clause.what):
            # An activity (电焊) is also a skill; anchor it among the tasks of the job it points at.
            prefer = frozenset({f"{occ.scheme}:{occ.code or occ.uri}"}) if occ else frozenset()
            mention = SkillMention(exp_clause.what, exp_clause.what_span, "experience",
                                   self.skills.link(exp_clause.what, prefer=prefer))
            if _is_skill(mention.text):
                out.skills.append(claim_of(mention, "experience"))

    def _read_wish(self, wish: str, lang: str, out: Findings) -> None:
        """A wish names a job (想当电工), a field (新能源方面, elderly care) or only a place and a kind of post."""
        out.goal_text.append(wish)
        if is_negated_goal(wish):
            return  # 想找不需要打电话的工作: a limit (read with the constraints), not an occupation
        topic = goal_topic(wish, lang)
        loose = next((c.what for c in parse(wish) if c.kind == "goal" and c.what), None)
        occ = None
        for clause in _goal_clauses(wish, topic):
            # A title names a job at once; an activity or a loose word (网上) must be a close match.
            occ = self.occupation(clause.what, lang,
                                  min_score=MIN_OCCUPATION_SCORE if self.is_title(clause.what) else MIN_GOAL_SCORE)
            if occ:
                break
        if occ:
            out.goals.append(occ)
        elif topic or loose:
            out.topics.append(topic or loose)  # 做点网上的: no job, but a direction to search by

    def _read_skills(self, said: str, statements: list[Sentence], out: Findings,
                     extra_phrases: dict[str, list[str]] | None) -> None:
        taken = {c.evidence for c in out.skills}
        for s in statements:
            for mention in self.skills.mentions(s.text):
                if mention.kind == "skill" and mention.text not in taken and _is_skill(mention.text):
                    out.skills.append(claim_of(mention, "said"))
        for phrase in (extra_phrases or {}).get("skills", []):
            out.skills.append(claim_of(SkillMention(phrase, (0, 0), "skill", self.skills.link(phrase)), "said"))

    def _read_constraints(self, said: str, facts: Facts, out: Findings) -> None:
        c = out.constraints
        if facts.places:
            place, past = current_place(said, facts.places)
            c.location, c.province = place.name, place.province  # a province-level city (重庆市) is both
            out.place_is_past = past
        for name in ("hours_per_week", "budget", "currency", "mode", "wants_paid", "wants_apprenticeship", "travel"):
            value = getattr(facts, name)
            if value is not None:
                setattr(c, name, value)
        c.needs, c.limits = list(facts.needs), list(facts.limits)


def current_place(text: str, places: list[PlaceMention]) -> tuple[PlaceMention, bool]:
    """Where the person is now: a place said with 现在/回/老家/想在 or "now/live" wins over one where they once
    worked (以前在东莞服装厂); cities before provinces; the later of equals. True when only past places were named."""
    def rank(p: PlaceMention) -> tuple[int, int, int]:
        before = text[max(0, p.span[0] - 12):p.span[0]]
        clause = re.split(r"[，,。；;！!？?]", text[p.span[0]:])[0]
        now = bool(_NOW.search(before) or _NOW.search(clause[:12]))
        past = not now and bool(_BEFORE.search(before) or _BEFORE.search(clause))
        return (2 if now else 0 if past else 1), (p.level != "province"), p.span[0]

    best = max(places, key=rank)
    return best, rank(best)[0] == 0


def apply(profile: Profile, found: Findings) -> None:
    """Merge findings into the profile: new items are added, stated constraints replace old ones."""
    for exp in found.experience:
        if not any(e.what == exp.what for e in profile.experience):
            profile.experience.append(exp)
    for claim in found.skills:
        profile.add_skill(claim)
    for goal in found.goals:
        if not any((g.scheme, g.code, g.uri) == (goal.scheme, goal.code, goal.uri) for g in profile.goals.occupations):
            profile.goals.occupations.append(goal)
    profile.goals.text += [t for t in found.goal_text if t not in profile.goals.text]
    profile.goals.topics += [t for t in found.topics if t not in profile.goals.topics]
    stated = found.constraints
    for name, value in stated.__dict__.items():
        if value in (None, []):
            continue
        if name in ("needs", "limits"):  # said over several turns: each adds to what was said before
            value = list(dict.fromkeys([*getattr(profile.constraints, name), *value]))
        if name in ("location", "province") and found.place_is_past and profile.constraints.location:
            continue  # where they once worked does not move where they are now
        setattr(profile.constraints, name, value)
    if found.education:
        profile.education = found.education
    profile.languages += [x for x in found.languages if x not in profile.languages]
    if found.age:
        profile.age = found.age
    profile.interests.add_likes(found.likes)


_PAST = re.compile(r"了|过|以前|之前|曾|\b(?:did|was|were|used to|worked|have been|had)\b|\w+ed\b", re.I)


def _split_wish(s: Sentence) -> tuple[str, str]:
    """A sentence's telling part and its wish part: from the first wish on (想留在大庆，做新能源方面的工作 is one
    wish), except clauses that tell of the past again (想换个工作，以前在工厂干了五年)."""
    told, wish, wishing = [], [], False
    for c in parse(s.text):
        if c.kind == "goal" or _WISH.search(c.text):
            wishing = True
            wish.append(c.text)
        elif wishing and not (c.kind == "experience" and _PAST.search(c.text)) and c.kind != "skill":
            wish.append(c.text)
        else:
            told.append(c.text)
    joiner = "，" if has_han(s.text) else ", "
    return joiner.join(told), joiner.join(wish)


def _continued(stories: list[Sentence]) -> list[Sentence]:
    """Sentences that go on telling the same work are one story ("I ran a bistro kitchen. I wrote the menu and led
    four cooks."): a sentence joins the one before unless it names a job or a time of its own."""
    out: list[Sentence] = []
    for s in stories:
        own = any(c.kind == "experience" and len(c.what) >= 2 for c in parse(s.text)) or extract_facts(s.text).durations
        if out and not own:
            last = out[-1]
            out[-1] = Sentence(f"{last.text}{'。' if has_han(last.text) else '. '}{s.text}", (last.span[0], s.span[1]),
                               False)
        else:
            out.append(s)
    return out


def _goal_clauses(wish: str, topic: str | None) -> list[Clause]:
    """The clauses of a wish that may name an occupation; none when the wish is a vague field (新能源方面)."""
    if topic and _vague(wish):
        return []
    return [c for c in parse(wish) if c.kind in ("goal", "experience") and c.what]


@dataclass(frozen=True)
class Story:
    """One job a message tells of: its sentence, the clause that names the job or activity (if one does), and the
    text that tells the work — worked out once, for the batch of texts to embed and for the reading."""

    sentence: Sentence
    job: Clause | None
    text: str


def _stories(sentences: list[Sentence], lang: str) -> list[Story]:
    """One story per job: 做了三年电焊，又干了两年钳工 is two (当了五年兵，是汽车兵 is one)."""
    out: list[Story] = []
    for s in _continued(sentences):
        clauses = parse(s.text)
        several = [c for c in clauses if c.kind == "experience" and len(c.what) >= 2]
        if len(several) > 1 and len(extract_facts(s.text).durations) > 1:
            out += [_story(Sentence(c.text, c.span, False), [c], lang) for c in several]
        else:
            out.append(_story(s, clauses, lang))
    return out


def _story(s: Sentence, clauses: list[Clause], lang: str) -> Story:
    exp_clause = next((c for c in clauses if c.kind == "experience" and len(c.what) >= 2
                       and not _IDENTITY.search(c.what)), None)
    # The sentence's statements about the work, with the workplace (我在酒店做了三年前台接待: a front desk, not a
    # secretary; 当了五年兵，是汽车兵，开运输车: a truck driver), without skills said beside it (会开拖拉机)
    # or facts about the person (普通话和英语都还行).
    told = [c for c in clauses if c.kind not in ("goal", "skill") and not _only_facts(c.text)]
    story = ("，" if lang == "zh" else ", ").join(c.text for c in told) or (exp_clause.text if exp_clause else "")
    return Story(s, exp_clause, story)


def _only_facts(text: str) -> bool:
    """A clause that says only who the person is (age, schooling, languages, needs), not what they did."""
    facts = extract_facts(text)
    return bool(facts.languages or facts.education or facts.age) and not facts.durations


def _is_skill(text: str) -> bool:
    """Not an identity, a limit or a schedule said in a skill's words (我是听障人士, I use a wheelchair, I can study
    evenings): those are read as needs, limits and hours."""
    if _IDENTITY.search(text) or _WHEN.search(text) or _TERMS.search(text):
        return False
    facts = extract_facts(text)
    return not (facts.limits or facts.needs or facts.places or facts.travel is not None or facts.mode)


def _vague(text: str) -> bool:
    return bool(re.search(r"方面|相关|方向|行业|领域|之类|类的|\b(?:in|into|something|field|area|sector)\b", text, re.I))


def _short(story: str, lang: str) -> str:
    """A story's words as the experience's name in lists: its first clause, at most 24 characters."""
    first = re.split(r"[，,；;:：]", story)[0].strip()
    return first if len(first) <= 24 else first[:23] + "…"


def claim_of(mention: SkillMention, origin: str) -> SkillClaim:
    best = mention.best
    if best is None or best.score < MIN_SKILL_CONFIDENCE:
        return SkillClaim(f"text:{mention.text}", mention.text, None, None, None, mention.text,
                          round(best.score if best else 0.0, 4), False, origin)
    # ESCO skills carry their own label; a CSCO task is a long line, so the person's words stay the label.
    label = best.label if best.basis == "esco-skill" else mention.text
    return SkillClaim(best.id, label, best.scheme, best.uri, best.code, mention.text, best.score, False, origin)


def _jaccard(a: str, b: str) -> float:
    fa, fb = features(a), features(b)
    return len(fa & fb) / len(fa | fb) if fa and fb else 0.0


def _years(duration: str) -> float | None:
    """三年 → 3, 两年半 → 2.5, 18个月 → 1.5, "three years" → 3; a bare "3+" (from "3+ years as …") counts as years."""
    for text in (duration, f"{duration} years"):
        found = extract_facts(text).durations
        if found:
            return found[0].years
    return None
