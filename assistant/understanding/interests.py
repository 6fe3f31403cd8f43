"""The interest path for people who do not know what suits them: a RIASEC quiz, its answers, likes said in passing."""

from __future__ import annotations

import enum
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.understanding.clauses import split_clauses
from assistant.understanding.overlap import features


class Riasec(enum.Enum):
    """Holland's six interest types; the value is the letter used in Holland codes (RIS, SAE …)."""

    R = "R"  # realistic: hands, tools, machines, outdoors
    I = "I"  # investigative: working things out  # noqa: E741
    A = "A"  # artistic: making things look, sound or read well
    S = "S"  # social: helping, caring, teaching
    E = "E"  # enterprising: leading, persuading, selling
    C = "C"  # conventional: order, numbers, rules

    def label(self, lang: str) -> str:
        """The type in everyday words (nobody says "investigative")."""
        return _LABELS[self.value].split("|")[0 if lang == "zh" else 1]


_LABELS = {"R": "动手操作|hands-on work", "I": "琢磨和研究|working things out", "A": "创作和设计|creative work",
           "S": "帮助和照顾别人|helping people", "E": "带头和做买卖|leading and selling",
           "C": "整理和按规矩办事|keeping things in order"}


@dataclass(frozen=True)
class QuizItem:
    """One question of the interest quiz, tied to one type; `id` is what the answer is stored under."""

    id: str
    kind: Riasec
    zh: str
    en: str
    topic_zh: str  # the interest in a few words, to name it back to the person in reasons
    topic_en: str

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def topic(self, lang: str) -> str:
        return self.topic_zh if lang == "zh" else self.topic_en


# Team-written, in words a junior-middle-school leaver uses: id | question zh | question en | topic zh | topic en.
# First round (…1): one per type, alternating kinds of work; second (…2): only for the types still in contention.
_QUIZ = """\
r1|你喜欢动手修东西、摆弄机器吗？|Do you like fixing things or working with machines?|动手修东西、摆弄机器|\
fixing things and machines
s1|你喜欢照顾别人、帮别人解决困难吗？|Do you like looking after people or helping them with a problem?|照顾和帮助别人|\
looking after and helping people
a1|你喜欢画画、做手工、把东西弄得好看吗？|Do you like drawing, making crafts or making things look nice?|\
画画、手工和设计|drawing, crafts and design
c1|你喜欢把东西整理得整整齐齐、按规矩把事情做好吗？|Do you like keeping things tidy and doing a job step by step, by \
the rules?|整理东西、按规矩做事|keeping things tidy and in order
i1|你喜欢琢磨事情，弄明白东西为什么坏了、是怎么运转的吗？|Do you like working things out, like why something broke or how \
it works?|琢磨事情、弄明白道理|working out how things work
e1|你喜欢带头组织大家，或者跟人谈生意、卖东西吗？|Do you like leading a group, or talking people into buying \
something?|带头组织、谈生意卖东西|leading people and selling
r2|你喜欢在户外或者车间里，用工具干活吗？|Do you like working outdoors or in a workshop, using tools?|\
在户外和车间里用工具干活|working outdoors or in a workshop
s2|你喜欢教别人东西、陪老人或者带小孩吗？|Do you like teaching others, keeping older people company or looking after \
children?|教人、陪老人、带小孩|teaching and caring for older people and children
a2|你喜欢唱歌跳舞、拍照拍视频，或者给人化妆打扮吗？|Do you like singing or dancing, taking photos or videos, or doing \
people's hair and make-up?|唱歌跳舞、拍照拍视频、化妆打扮|performing, photos and videos, hair and make-up
c2|你喜欢跟数字和表格打交道，比如记账、核对清单吗？|Do you like working with numbers and lists, like keeping accounts or \
checking a list?|记账、算数、核对清单|numbers, accounts and checklists"""
QUIZ = tuple(QuizItem(i, Riasec(i[0].upper()), *rest) for i, *rest in (row.split("|") for row in _QUIZ.splitlines()))
FIRST_ROUND = tuple(item for item in QUIZ if item.id.endswith("1"))
SECOND_ROUND = tuple(item for item in QUIZ if item.id.endswith("2"))
ITEMS = {item.id: item for item in QUIZ}
ANSWER_VALUE = {1: -1.0, 2: 0.25, 3: 1.0}  # 1 not me, 2 so-so (还行 leans positive in Chinese), 3 that's me
PRIOR = 0.5  # pseudo-weight of "no opinion": one answer moves a type less than two that agree
MARGIN = 0.4  # a score gap the quiz treats as a real difference
TOP_SHARE = 0.5  # a type liked less than half as much as the favourite is not part of the person's code
LIKE_WEIGHT = 1.0  # a like said in passing counts as much as a quiz answer


def next_item(answered: dict[str, int], profile: InterestProfile | None = None) -> QuizItem | None:
    """The next question, or None when the quiz is done: after the first six when the top types stand apart (judged
    on `profile` when given, which also holds likes said in passing), else after the contested types' second items."""
    for item in FIRST_ROUND:
        if item.id not in answered:
            return item
    known = profile if profile is not None else InterestProfile.from_answers(answered)
    if known.is_clear() or max(known.scores().values()) <= 0:
        return None  # clear, or nothing appeals at all: more questions of the same kind will not change that
    return next((i for i in SECOND_ROUND if i.id not in answered and i.kind in known.contested()), None)


# ---- answers to a quiz item: checked no, so-so, yes in turn (不喜欢 is a no before anything looks at 喜欢) ----
_TRIM = re.compile(r"^[\s,，。.!！?？~～、…:：]+|[\s,，。.!！?？~～、…:：啊呀吧呢哦嘛啦哈]+$")
_LEAD = re.compile(r"^(?:(?:嗯+|呃|额|哦|噢|唔|um+|uh+|hmm+|well|oh|so)[\s,，、]+|我?觉得|我?感觉|我|i think |i guess )+")
_VERB = r"(?:喜欢|爱|感兴趣|乐意|愿意)的?"
_ANSWERS = (
    (1, re.compile(rf"不|不是|不对|没有?|没兴趣|不感兴趣|很?讨厌|受不了|算不上|我?(?:不太|不怎么|不大|不是很|不是太|没那么|并不|"
                   rf"一点[也都]不|不){_VERB}|no|nope|nah|not really|not at all|never|i don'?t|i do not|"
                   r"(?:i )?(?:don'?t like|hate) (?:it|that)|not me|not much|no way|not for me|not my thing|"
                   r"(?:i )?don'?t think so|(?:i )?guess not|1")),
    (2, re.compile(r"还行|还好|还可以|一般|一般般|凑合|马马虎虎|有点儿?|有一点|有点喜欢|有时候|偶尔|说不好|不好说|说不上来?|看情况|"
                   r"都行|无所谓|还算喜欢|也还行|中等|普通|不一定|可能|也许|不确定|不知道|sort of|kind of|kinda|sorta|sometimes|"
                   r"maybe|a (?:little )?bit|a little|somewhat|it'?s ok(?:ay)?|ok(?:ay)?|so-?so|so so|"
                   r"(?:i'?m )?not sure|(?:it )?depends|(?:i )?don'?t know|dunno|neither|meh|(?:it'?s )?fine|partly|"
                   r"not bad|(?:i )?guess so|2")),
    (3, re.compile(rf"是|是的|是啊|对|对的|对啊|对呀|嗯+|恩+|好|好的|好啊|当然|当然了?喜欢|没错|必须的?|"
                   rf"我?(?:很|挺|特别|非常|比较|蛮|超|超级|真|还挺|也)?{_VERB}|yes|yeah|yep|yup|sure|definitely|"
                   r"absolutely|of course|i do|(?:i )?(?:love|like|enjoy) (?:it|that)|very much|a lot|totally|"
                   r"that'?s me|that is me|for sure|certainly|correct|(?:i )?think so|3")),
)


def read_answer(text: str, lang: str, item: QuizItem | None = None) -> int | None:
    """A quiz answer on the 1–3 scale (1 not me, 2 so-so, 3 that's me), or None when the message is about something
    else (then the dialogue leaves the quiz). With `item`, an echo of the question counts: 我很喜欢修东西 → 3."""
    norm = _TRIM.sub("", text.translate(str.maketrans("１２３’", "123'")).casefold())
    norm = re.sub(r"^(?:选|option\s*|answer\s*)?([123])(?:分|号|\.)?$", r"\1", norm)
    first = re.split(r"[,，。.!！;；\n]", norm, maxsplit=1)[0]  # 喜欢，我小时候修过自行车: the answer, then a story
    for candidate in dict.fromkeys(_TRIM.sub("", c) for c in (norm, _LEAD.sub("", norm), first, _LEAD.sub("", first))):
        found = next((value for value, pattern in _ANSWERS if candidate and pattern.fullmatch(candidate)), None)
        if found is not None:
            return found
    if item is None:
        return None
    for like in likes_in(text, lang):
        if like.weight(item.kind) >= 0.3 or features(like.text) & features(item.text(lang)):
            return 3 if like.polarity > 0 else 1
    return None


# ---- likes said in passing ----
# What people say they like, per type (team-written, both languages). A phrase is read by the words it shares with
# these (overlap.features: character pairs, English stems), so 爱画画 or "I'm good with numbers" need no rule of
# their own; a word several types share (打交道: with people, machines, numbers) counts for each in proportion.
_EXAMPLES = {
    "R": "动手修东西|修理机器|摆弄机器零件|修车修电动车|修家电|用工具干活|在车间里干活|操作机床|开叉车开大车|在户外干活|种地种菜|"
         "种花种草|做饭炒菜|养鸡养猪|喂养小动物|干体力活|装修盖房子|电焊切割|组装零件|跟机器打交道|自己动手做个东西|拆装电器|"
         "接水管接电线|开挖掘机|开车跑运输|fixing things|repairing machines|working with tools|working with my hands|"
         "building things|fixing cars and bikes|driving a truck|operating machines|working outdoors|"
         "outside in the fresh air|farming and growing vegetables|construction sites|welding metal|"
         "putting parts together|physical work|taking engines apart|a workshop|looking after farm animals|"
         "cooking and baking|gardening",
    "I": "琢磨事情|弄明白为什么|研究问题|搞清楚原理|做实验|解数学题|找出毛病出在哪|分析原因|看科普书|学新知识|钻研技术|查资料|"
         "想办法解决难题|观察动植物|电脑编程|figuring things out|solving puzzles|working out why things happen|"
         "science experiments|doing research|analysing problems|learning how things work|maths problems|"
         "reading about science|finding the cause of a fault|studying new things|programming computers|investigating",
    "A": "画画|画图设计|做手工|把东西弄得好看|唱歌跳舞|弹琴玩音乐|拍照拍视频|剪辑视频|写文章写故事|化妆打扮|搭配衣服|插花|"
         "做衣服绣花|布置房间|编织|做饭摆盘好看|表演节目|捏陶泥|剪纸书法|drawing and painting|designing things|"
         "making things look nice|arts and crafts|music and singing|dancing|taking photos|making videos|"
         "writing stories|decorating rooms|fashion and clothes|hair and make-up|acting|creative work|"
         "sewing and knitting",
    "S": "跟人打交道|帮助别人|照顾老人|照顾病人|带孩子|陪小孩玩|教别人做事|找人聊聊天|听别人说心事|服务客人|当志愿者|关心别人|"
         "交朋友|和大家在一起|安慰别人|护理病人|helping people|looking after others|caring for older people|"
         "looking after children|teaching others|talking with people|listening to people|working with people|"
         "volunteering|serving customers|nursing the sick|meeting new people|making people feel better|"
         "being around people|playing with kids",
    "E": "带头组织大家|当领导管人|说服别人|谈生意|卖东西|做买卖|跟客户谈|自己当老板|开店|推销产品|直播带货|组织活动|赚钱|"
         "跟人竞争|拉业务|leading a team|being in charge|selling things|persuading people|running my own business|"
         "doing deals|negotiating|organising events|making money|marketing products|opening a shop|competing|"
         "managing people",
    "C": "整理文件|把东西摆整齐|记账算账|跟数字打交道|核对清单|按规矩做事|做表格|坐办公室|打字录入|清点仓库|收银|做计划安排|"
         "填表登记|检查有没有出错|收拾得井井有条|keeping records|working with numbers|bookkeeping|filing papers|"
         "organising things neatly|following the rules|checking details|data entry|office work|spreadsheets|"
         "keeping things tidy|counting stock|planning schedules|doing accounts|sitting at a desk",
}
# Words that say nothing about the kind of work (the work of office work and outdoor work), as features gives them.
_GENERIC = frozenset("东西 事情 工作 干活 一些 这个 那个 这些 那些 什么 觉得 可以 时候 自己 别人 大家 work thing stuff job "
                     "like love enjoy realli lot much get someth anyth kind sort good great well make do".split())
_GENERIC_ZH = re.compile("|".join(w for w in _GENERIC if re.match(r"[\u4e00-\u9fff]", w)))
_UNIGRAM = 0.3  # single characters count a little: 修 and 画 carry meaning even where the pair is new
_NOT_UNIGRAM = frozenset("我你他她它们的了着是在有和跟与也都很太不还个一些东西事情做干会能想要去来说看把得到上下里")
MIN_EVIDENCE = 0.6  # one shared pair or stem, or two single characters: less is a guess
MIN_TOP = 0.4  # the strongest type's share below which a phrase is too vague to count
MIN_SHARE = 0.25  # types below this share of a phrase are left out of its weights


def _features(text: str) -> dict[str, float]:
    out = {f: 1.0 for f in features(text) if f not in _GENERIC}
    for ch in re.findall(r"[\u4e00-\u9fff]", _GENERIC_ZH.sub(" ", text)):
        if ch not in _NOT_UNIGRAM:
            out.setdefault(ch, _UNIGRAM)
    return out


@functools.cache
def _lexicon() -> dict[str, dict[Riasec, float]]:
    """Each feature of the examples, with the share of the examples that have it per type."""
    counts: dict[str, Counter[Riasec]] = defaultdict(Counter)
    for letter, text in _EXAMPLES.items():
        for example in text.split("|"):
            for f in _features(example):
                counts[f][Riasec(letter)] += 1
    return {f: {k: n / sum(by.values()) for k, n in by.items()} for f, by in counts.items()}


def interest_weights(phrase: str) -> tuple[tuple[Riasec, float], ...]:
    """The types a phrase is about, strongest first, weights summing to 1; empty when it says too little."""
    lexicon, evidence, totals = _lexicon(), 0.0, dict.fromkeys(Riasec, 0.0)
    for f, w in _features(phrase).items():
        for kind, share in lexicon.get(f, {}).items():
            totals[kind] += w * share
        evidence += w if f in lexicon else 0.0
    if evidence < MIN_EVIDENCE or max(totals.values()) / evidence < MIN_TOP:
        return ()
    kept = {k: v for k, v in totals.items() if v / evidence >= MIN_SHARE}
    return tuple(sorted(((k, round(v / sum(kept.values()), 3)) for k, v in kept.items()), key=lambda kv: -kv[1]))


@dataclass(frozen=True)
class LikeFinding:
    """Something the person said they like (+1) or dislike (−1), where it is in the message, and its types."""

    text: str  # the liked thing in their words: 跟人打交道
    span: tuple[int, int]  # where `text` is in the message
    polarity: int
    weights: tuple[tuple[Riasec, float], ...]  # strongest first, summing to 1

    def weight(self, kind: Riasec) -> float:
        return dict(self.weights).get(kind, 0.0)


# Cues before the liked thing (喜欢…, I enjoy…) with an optional negation; in Chinese also after it (对…感兴趣, …能力还行).
_ZH_CUE = re.compile(r"(?P<neg>不太|不怎么|不大|不是很|不是太|没那么|并不|一点[也都]不|不)?(?:很|挺|特别|非常|比较|蛮|超|真|最|"
                     r"还挺|也|还|都|就)*(?P<cue>(?:兴趣)?爱好[是有]?|兴趣是|喜欢|热爱|(?<![可恋亲热])爱(?![人心情护惜])|享受|擅长|"
                     r"拿手|(?P<against>讨厌|受不了|不想再?|最怕|(?<!麻)烦))")
_ZH_AFTER = re.compile(r"^(?:我的?)?[对在]?(?P<what>[\u4e00-\u9fff]{1,12}?)(?:方面)?(?:能力)?(?:很|挺|比较|特别|还|也)?"
                       r"(?:感兴趣|有兴趣|在行|拿手|(?P<against>没兴趣|不感兴趣|不在行|(?<=力)(?:差|不行|不好|较差))|"
                       r"(?<=力)(?:还行|还可以|还不错|不错|挺好|很好|挺强|很强|强))$")
_EN_CUE = re.compile(r"(?:^|\b(?:i|i'm|im|i am|i've|i have)\b)(?P<neg>(?:\s+(?:really|also|just|quite|pretty|"
                     r"very|do|did|don't|dont|do not|never|not|totally|always|actually|so|definitely|absolutely|"
                     r"mostly))*)\s*(?:like|love|enjoy|prefer|adore|into|interested in|passionate about|fond of|"
                     r"good at|good with|great at|great with|handy with|(?P<against>hate|dislike|can't stand|"
                     r"cannot stand|bad at|bad with))\b", re.I)
_NEGATION = re.compile(r"不|没|don't|dont|not|never", re.I)
_ZH_ITEM = re.compile(r"(?<=[\u4e00-\u9fff])(?:、|和|以及|还有|或者|或)")  # not a leading 和: 喜欢和人聊天
_EN_ITEM = re.compile(r",|\s+(?:and|or|but)\s+", re.I)
_ZH_CORE = re.compile(r"\s*(?:的是|是|的|去|了)*(?P<core>.*?)(?:之类的?|什么的|这些|那些|这种事|的事|了|的|等)*\s*")
_EN_CORE = re.compile(r"\s*(?:(?:to|being|doing)\s+)?(?P<core>.*?)(?:\s+(?:very much|a lot|too|as well))?\s*", re.I)


def likes_in(text: str, lang: str) -> list[LikeFinding]:
    """Likes and dislikes said in passing (我喜欢跟人打交道, 不喜欢坐办公室, I enjoy helping people) with their types;
    none in the message: an empty list. Each clause is read by its own script (people mix), whatever `lang` is."""
    out: list[LikeFinding] = []
    for clause, start in split_clauses(text.replace("’", "'")):
        zh = re.search(r"[\u4e00-\u9fff]", clause) is not None
        cues = list((_ZH_CUE if zh else _EN_CUE).finditer(clause))
        spans = [(m.end(), cues[i + 1].start() if i + 1 < len(cues) else len(clause), m) for i, m in enumerate(cues)]
        after = _ZH_AFTER.match(clause) if zh and not cues else None
        for begin, end, m in [(after.start("what"), after.end("what"), after)] if after else spans:
            negative = bool(m.group("against")) != bool(_NEGATION.search(m.groupdict().get("neg") or ""))
            for phrase, at in _items(clause[begin:end], start + begin, zh):
                if weights := interest_weights(phrase):
                    out.append(LikeFinding(phrase, (at, at + len(phrase)), -1 if negative else 1, weights))
    return out


def _items(phrase: str, start: int, zh: bool) -> Iterable[tuple[str, int]]:
    """Parallel things in one statement (画画和做手工 → two), each with its offset, filler trimmed."""
    pos = 0
    for m in [*(_ZH_ITEM if zh else _EN_ITEM).finditer(phrase), None]:
        core = (_ZH_CORE if zh else _EN_CORE).fullmatch(phrase, pos, m.start() if m else len(phrase))
        if core and core.group("core"):
            yield core.group("core"), start + core.start("core")
        pos = m.end() if m else len(phrase)


# ---- what the person's interests add up to ----
@dataclass(frozen=True)
class InterestEvidence:
    """One observation: a quiz answer (item set) or a like said in passing (text set), valued −1..1 for one type."""

    kind: Riasec
    value: float
    weight: float = 1.0
    text: str = ""
    item: str | None = None


@dataclass
class InterestProfile:
    """What someone likes, by Holland type, with the evidence; stored in their profile as JSON (to_dict)."""

    answers: dict[str, int] = field(default_factory=dict)  # quiz item id → 1..3
    evidence: list[InterestEvidence] = field(default_factory=list)

    @classmethod
    def from_answers(cls, answers: dict[str, int]) -> InterestProfile:
        profile = cls()
        for item_id, answer in answers.items():
            if item_id in ITEMS and answer in ANSWER_VALUE:  # stored by another version of the quiz: left out
                profile.add_answer(ITEMS[item_id], answer)
        return profile

    def add(self, kind: Riasec, value: float, text: str = "", *, weight: float = 1.0, item: str | None = None) -> bool:
        """Record one observation, value −1..1 (the same one twice counts once); True if new."""
        found = InterestEvidence(kind, max(-1.0, min(1.0, value)), weight, text, item)
        if found in self.evidence:
            return False
        self.evidence.append(found)
        return True

    def add_answer(self, item: QuizItem, answer: int) -> None:
        """A quiz answer (1..3, as read_answer gives it); answering an item again replaces the earlier answer."""
        self.answers[item.id] = answer
        self.evidence = [e for e in self.evidence if e.item != item.id]
        self.add(item.kind, ANSWER_VALUE[answer], item=item.id)

    def add_likes(self, findings: Iterable[LikeFinding]) -> int:
        """Likes said in passing, each type by its weight; how many observations were new."""
        return sum(self.add(kind, float(f.polarity), f.text, weight=LIKE_WEIGHT * w)
                   for f in findings for kind, w in f.weights)

    def scores(self) -> dict[Riasec, float]:
        """Per type, the weighted mean of its observations shrunk towards 0 (−1..1): two agreeing answers > one."""
        total, weight = dict.fromkeys(Riasec, 0.0), dict.fromkeys(Riasec, PRIOR)
        for e in self.evidence:
            total[e.kind] += e.weight * e.value
            weight[e.kind] += e.weight
        return {k: round(total[k] / weight[k], 4) for k in Riasec}

    def ranked(self) -> list[tuple[Riasec, float]]:
        return sorted(self.scores().items(), key=lambda kv: -kv[1])  # stable: RIASEC order among equals

    def top(self, n: int = 3) -> str:
        """The person's Holland code: up to n letters, strongest first, of the types they like (above 0) at least
        half as much as their favourite (one 还行 beside a 很喜欢 is no interest to match on)."""
        ranked = self.ranked()
        return "".join(k.value for k, s in ranked[:n] if s > 0 and s >= TOP_SHARE * ranked[0][1])

    def disliked(self) -> frozenset[Riasec]:
        return frozenset(k for k, s in self.scores().items() if s <= -MARGIN)

    def is_clear(self) -> bool:
        """The first letter, or the first two together, stand apart from the rest by MARGIN."""
        s = [v for _, v in self.ranked()]
        return s[0] > 0 and (s[0] - s[1] >= MARGIN or (s[1] > 0 and s[1] - s[2] >= MARGIN))

    def contested(self) -> frozenset[Riasec]:
        """The types whose place among the top two is not settled: within MARGIN of the second."""
        ranked = self.ranked()
        return frozenset(k for k, s in ranked if s > ranked[1][1] - MARGIN)

    def said(self, kind: Riasec, lang: str) -> list[str]:
        """What the person liked of this type, to name back: their own words, or the topic of a quiz item."""
        out = [ITEMS[e.item].topic(lang) if e.item in ITEMS else e.text for e in self.evidence
               if e.kind == kind and e.value > 0 and e.weight >= 0.5]
        return list(dict.fromkeys(t for t in out if t))

    def to_dict(self) -> dict[str, Any]:
        return {"answers": dict(self.answers), "evidence": [{**asdict(e), "kind": e.kind.value} for e in self.evidence]}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> InterestProfile:
        """From to_dict's output; what this version does not know (an item, a type, an answer) is left out."""
        data = data or {}
        evidence = [InterestEvidence(Riasec(e["kind"]), float(e["value"]), float(e.get("weight", 1.0)),
                                     e.get("text", ""), e.get("item")) for e in data.get("evidence", [])
                    if e.get("kind") in Riasec._value2member_map_ and (e.get("item") is None or e["item"] in ITEMS)]
        answers = {k: int(v) for k, v in (data.get("answers") or {}).items() if k in ITEMS and v in ANSWER_VALUE}
        return cls(answers, evidence)
