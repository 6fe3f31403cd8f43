"""What a message asks for beyond the facts in it: consent, yes/no, a question, a jump, a correction, a language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Short replies are matched whole (after trimming punctuation), so "好" is yes but "好像不对" is not.
_YES = re.compile(r"^(?:好的?|好啊|行|可以|同意|我同意|对|对的|是的?|没错|没问题|确认|嗯+|恩|ok|okay|yes|yeah|yep|sure|"
                  r"i agree|agree|correct|right|that'?s right|fine|go ahead|please do)(?:[ ,]+please)?[!！。.~ ]*$", re.I)
_NO = re.compile(r"^(?:不|不要|不同意|不行|不对|不是|不用了?|算了|no|nope|i don'?t agree|disagree|not really|wrong)"
                 r"[!！。.~ ]*$", re.I)
_QUESTION = re.compile(r"[?？]\s*$|^(?:请问|what|how|which|who|where|when|why|is there|are there|can i|do i|does|"
                       r"is it|could you tell)|什么|怎么|如何|哪些|哪里|哪儿|多少|是否|能不能|可不可以|有没有|吗[?？]?\s*$",
                       re.I)
_TO_EN = re.compile(r"(?:说|用|讲|换成?)英[文语]|speak english|in english|english please", re.I)
_TO_ZH = re.compile(r"(?:说|用|讲|换成?)中文|(?:speak|in|switch to) (?:chinese|mandarin)|chinese please|中文", re.I)
_PATHWAY = re.compile(r"学习路径|路径|计划|规划|怎么开始|下一步|pathway|learning path|plan|next steps?", re.I)
_RECOMMEND = re.compile(r"推荐|建议|适合我的|有什么(?:工作|职业|岗位)|recommend|suggest|what jobs?|which jobs?|options", re.I)
_CHANGE_GOAL = re.compile(r"(?:改成|换成|改为|其实(?:我)?想|我更想|不想(?:当|做)了?.*?想|change my goal|rather|instead)", re.I)
_REMOVE_SKILL = re.compile(r"(?:我)?(?:不会|不懂|没学过|不熟悉)(?P<what>[^，,。；;]+)|(?:去掉|删掉|删除|移除)(?P<what2>[^，,。；;]+)|"
                           r"i (?:can'?t|cannot|don'?t know how to|do not know how to|never did) (?P<what3>[^,.;]+)|"
                           r"remove (?P<what4>[^,.;]+)", re.I)
_RESTART = re.compile(r"^(?:重新开始|从头开始|restart|start over)[!！。. ]*$", re.I)


@dataclass(frozen=True)
class Intents:
    """Everything a message signals, independently of its facts."""

    yes: bool = False
    no: bool = False
    question: bool = False
    switch_to: str | None = None
    wants_pathway: bool = False
    wants_recommendations: bool = False
    changes_goal: bool = False
    remove: list[str] = field(default_factory=list)
    restart: bool = False


def detect(message: str) -> Intents:
    text = message.strip()
    removed = []
    for m in _REMOVE_SKILL.finditer(text):
        what = next(g for g in m.groups() if g)
        removed.append(what.strip())
    switch = "en" if _TO_EN.search(text) else "zh" if _TO_ZH.search(text) and len(text) <= 12 else None
    return Intents(
        yes=bool(_YES.match(text)),
        no=bool(_NO.match(text)),
        question=bool(_QUESTION.search(text)) and not removed,
        switch_to=switch,
        wants_pathway=bool(_PATHWAY.search(text)),
        wants_recommendations=bool(_RECOMMEND.search(text)),
        changes_goal=bool(_CHANGE_GOAL.search(text)),
        remove=removed,
        restart=bool(_RESTART.match(text)),
    )
