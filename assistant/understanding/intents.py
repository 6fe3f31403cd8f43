"""What a message asks for beyond the facts in it: consent, yes/no, a question, a jump, a correction, a language,
"I don't know what suits me". Short replies are read whole; longer ones by their nearest team-written example."""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.text import detect as detect_language, letters
from assistant.understanding.overlap import features
from assistant.understanding.sentences import is_question, sentences

EXAMPLES = Path(__file__).resolve().parent / "data" / "intent-examples.tsv"
# A message is taken for an example's intent when this share of its content is in the example (and the other way
# round for short messages): "我也不知道自己能干啥" is near "不知道自己适合做什么"; "我会做饭" is near nothing.
MIN_EXAMPLE_COVER = 0.6


class Intent(enum.Enum):
    """The one thing a message mainly does, which picks the handler (dialogue.flow)."""

    YES = "yes"
    NO = "no"
    GREETING = "greeting"
    SWITCH_LANGUAGE = "switch_language"
    RESTART = "restart"
    REMOVE_SKILL = "remove_skill"
    UNSURE = "unsure"  # "I don't know what suits me": the interest path
    RECOMMEND = "recommend"
    PATHWAY = "pathway"
    OTHER_LANGUAGE = "other_language"  # a language the service does not read (Привет, こんにちは)
    QUESTION = "question"  # only a question: answered, nothing else to read
    STATEMENT = "statement"  # facts about the person (questions inside are answered too)


# Short replies are matched whole (after trimming punctuation), so "好" is yes but "好像不对" is not.
_YES = re.compile(r"^(?:好的?|好啊|行|可以|同意|我同意|对|对的|是的?|没错|没问题|确认|嗯+|恩|ok|okay|yes|yeah|yep|sure|"
                  r"i agree|agree|correct|right|that'?s right|fine|go ahead|please do)(?:[ ,]+please)?[!！。.~ ]*$", re.I)
_NO = re.compile(r"^(?:不|不要|不同意|不行|不对|不是|不用了?|算了|no|nope|i don'?t agree|disagree|not really|wrong)"
                 r"[!！。.~ ]*$", re.I)
_GREETING = re.compile(r"^(?:你好|您好|hi|hello|hey|嗨|在吗|哈喽|早上好|晚上好|good (?:morning|afternoon|evening))[!！。.~ ]*$",
                       re.I)
_TO_EN = re.compile(r"(?:说|用|讲|换成?)英[文语]|speak english|in english|english please", re.I)
_TO_ZH = re.compile(r"(?:说|用|讲|换成?)中文|(?:speak|in|switch to) (?:chinese|mandarin)|chinese please|中文", re.I)
_PATHWAY = re.compile(r"学习路径|路径|计划|规划|怎么开始|下一步|pathway|learning path|\bplan\b|next steps?", re.I)
_RECOMMEND = re.compile(r"^(?:请)?(?:给我)?(?:推荐|建议)|推荐(?:一下|吧|几个)?[!！。.~ ]*$|适合我的|有什么(?:工作|职业|岗位)|"
                        r"^(?:please )?(?:recommend|suggest)|recommend(?:ations)?[!.~ ]*$|what jobs?\b|which jobs?\b|"
                        r"^(?:show me )?(?:my )?options[!.~ ]*$|推荐.{0,6}(?:工作|职业|岗位)|recommend.{0,20}\bjobs?\b", re.I)
_CHANGE_GOAL = re.compile(r"(?:改成|换成|改为|其实(?:我)?想|我更想|不想(?:当|做)了?.*?想|change my goal|rather|instead)", re.I)
_REMOVE_SKILL = re.compile(r"^(?:我)?(?:其实)?(?:不会|不懂|没学过|不熟悉)(?P<what>[^，,。；;]+)|(?:去掉|删掉|删除|移除)(?P<what2>[^，,。；;]+)|"
                           r"\bi (?:can'?t|cannot|don'?t know how to|do not know how to|never did) (?P<what3>[^,.;]+)|"
                           r"\bremove (?P<what4>[^,.;]+)", re.I)
_RESTART = re.compile(r"^(?:重新开始|从头开始|restart|start over)[!！。. ]*$", re.I)
# "yes please, show me a pathway": the yes agrees to what follows, which decides.
_LEADING_YES = re.compile(r"^(?:yes|yeah|ok(?:ay)?|sure|好的?|嗯+|行|可以)(?:[ ,]+please)?[,，。!！ ]+", re.I)
_STUDY_TIME = re.compile(r"(?:study|learn|train)\w*\s+(?:in the\s+)?(?:evenings?|weekends?|at night)|晚上|周末", re.I)


@dataclass(frozen=True)
class Intents:
    """Everything a message signals, independently of its facts; `main` picks the handler."""

    main: Intent
    yes: bool = False
    no: bool = False
    question: bool = False
    switch_to: str | None = None
    wants_pathway: bool = False
    wants_recommendations: bool = False
    changes_goal: bool = False
    unsure: bool = False
    remove: list[str] = field(default_factory=list)


@functools.cache
def _examples() -> tuple[tuple[Intent, frozenset[str]], ...]:
    out = []
    for n, line in enumerate(EXAMPLES.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, _, text = line.partition("\t")
        try:
            out.append((Intent(name.strip()), frozenset(features(text.strip()))))
        except ValueError as exc:
            raise ValueError(f"{EXAMPLES.name}:{n}: '{name}' is not an intent") from exc
    return tuple(out)


def nearest_example(text: str) -> Intent | None:
    """The intent of the team's example that covers most of the message, if one covers enough of it."""
    said = frozenset(features(text))
    if not said:
        return None
    best, cover = None, 0.0
    for intent, example in _examples():
        shared = len(said & example)
        if not shared:
            continue
        # Both ways: the message's content must be in the example, and most of a short example in the message.
        score = min(shared / len(said), shared / len(example) + 0.25)
        if score > cover:
            best, cover = intent, score
    return best if cover >= MIN_EXAMPLE_COVER else None


def detect(message: str) -> Intents:
    text = message.strip()
    removed = []
    for m in _REMOVE_SKILL.finditer(text):
        what = next(g for g in m.groups() if g)
        removed.append(what.strip())
    switch = "en" if _TO_EN.search(text) else "zh" if _TO_ZH.search(text) and len(text) <= 12 else None
    parts = sentences(text)
    asks = any(s.question for s in parts)
    only_asks = bool(parts) and all(s.question for s in parts)
    example = nearest_example(text) if len(text) <= 40 else None
    # "不知道能干什么，我动手能力还行": one clause is enough to say it, the rest is read as usual.
    unsure = example is Intent.UNSURE or any(nearest_example(c) is Intent.UNSURE
                                             for c in re.split(r"[，,。；;！!？?\n]|\s(?:and|but|so)\s", text) if c.strip())
    flags = dict(yes=bool(_YES.match(text)), no=bool(_NO.match(text)), question=asks and not removed,
                 switch_to=switch, wants_pathway=bool(_PATHWAY.search(text)),
                 wants_recommendations=bool(_RECOMMEND.search(text)) or example is Intent.RECOMMEND,
                 changes_goal=bool(_CHANGE_GOAL.search(text)), unsure=unsure, remove=removed)
    return Intents(main=_main(text, flags, only_asks, example), **flags)  # type: ignore[arg-type]


def _main(text: str, f: dict[str, object], only_asks: bool, example: Intent | None) -> Intent:
    """The one thing the message mainly does, in order of precedence."""
    if f["switch_to"] and len(text) <= 30:
        return Intent.SWITCH_LANGUAGE
    if _RESTART.match(text):
        return Intent.RESTART
    if f["yes"]:
        return Intent.YES
    if f["no"]:
        return Intent.NO
    if _GREETING.match(text):
        return Intent.GREETING
    if letters(text) >= 4 and detect_language(text) == "und":
        return Intent.OTHER_LANGUAGE
    if f["remove"] and not _STUDY_TIME.search(text):
        return Intent.REMOVE_SKILL
    if f["unsure"]:
        return Intent.UNSURE
    short = len(_LEADING_YES.sub("", text)) <= 30  # a request, not a story that mentions a plan
    if f["wants_recommendations"] and short and not only_asks:
        return Intent.RECOMMEND
    if f["wants_pathway"] and short and not only_asks:
        return Intent.PATHWAY
    if only_asks and (example in (Intent.RECOMMEND, Intent.PATHWAY) or f["wants_recommendations"]):
        # "你能给我推荐一些工作吗？" asks for the picture, not for a policy passage
        return example if example in (Intent.RECOMMEND, Intent.PATHWAY) else Intent.RECOMMEND
    if only_asks:
        return Intent.QUESTION
    return Intent.STATEMENT


__all__ = ["Intent", "Intents", "detect", "is_question", "nearest_example"]
