"""Pattern extraction of profile facts (places, durations, schooling, money, time, needs) from Chinese or English."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from assistant.understanding.numbers import EN_NUM, ZH_NUM, chinese_number, clause_after, clause_before, english_number, number
from assistant.understanding.places import PlaceMention, find_places


@dataclass(frozen=True)
class DurationMention:
    """A stated length of time, in years."""

    years: float
    span: tuple[int, int]
    text: str


@dataclass
class Facts:
    """Everything the patterns found; None or empty where the text says nothing."""

    places: list[PlaceMention] = field(default_factory=list)
    durations: list[DurationMention] = field(default_factory=list)
    education: str | None = None
    budget: float | None = None
    currency: str | None = None
    hours_per_week: float | None = None
    mode: str | None = None
    wants_paid: bool | None = None
    wants_apprenticeship: bool | None = None
    needs: list[str] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)
    travel: bool | None = None
    languages: list[str] = field(default_factory=list)
    age: int | None = None
    numbers_of_years_experience: float | None = None


# ---- durations and experience ----
_ZH_DURATION = re.compile(rf"(?<!第)(?P<num>{ZH_NUM}|半)(?P<ge>个)?(?P<more>多)?(?P<half>半)?(?P<unit>年|月)(?P<half2>半)?多?"
                          r"(?![级代底初终纪轻份度会])")  # 三年级, 八十年代, 年底 are no lengths of time
_EN_DURATION = re.compile(rf"\b(?P<num>{EN_NUM})(?P<half>\s+and\s+a\s+half)?\s*\+?[\s-]*"
                          r"(?P<unit>years?|yrs?|months?|mos?|decades?)\b(?P<half2>\s+and\s+a\s+half)?\+?"
                          r"(?![\s-]+olds?\b|\s+of\s+age\b)", re.I)  # 45 years old is an age, eight-year-olds children
# The last cue before a duration in its sentence says what the time was spent on: 做了三年 is work, 学了两年 is not.
_WORK_CUES = re.compile(r"做|干|工作|从事|当了|当过|上班|打工|任职|经验|工龄|开车|开了|跑|经营|"
                        r"\b(?:work(?:ed|ing|s)?|did|done|doing|job|employed|experience|career|drove|driving|ran|"
                        r"served|as an?)\b", re.I)
_OTHER_CUES = re.compile(r"学(?!徒)|读|念|培训|进修|照顾|带孩子|住|生活|待业|失业|在家|"
                         r"\b(?:stud(?:y|ied|ying)|school|course|train(?:ed|ing)?|learn(?:ed|ing|t)?|lived?|living|"
                         r"unemployed|home|raising|retired|looking after)\b", re.I)
_EXPERIENCE_AFTER = re.compile(r"^[^，,。；;]{0,8}?(?:经验|工龄)|^\W*(?:'s\s+|of\s+)?(?:\w+\s+){0,2}experience", re.I)
_NOT_SPENT_AFTER = re.compile(r"^\s*(?:前|后|以前|以后|之前|之后|ago\b|later\b|from now\b)", re.I)


def _find_durations(text: str) -> list[DurationMention]:
    out = []
    for m in _ZH_DURATION.finditer(text):
        n = chinese_number(m["num"])
        if n is None or (m["unit"] == "月" and not m["ge"]):  # 三月 is March; a month count needs 个
            continue
        n += 0.5 if m["half"] or m["half2"] else 0.0
        years = n if m["unit"] == "年" else n / 12
        if 0 < years <= 80:  # 2020年 is a date
            out.append(DurationMention(years, m.span(), m.group()))
    for m in _EN_DURATION.finditer(text):
        n = english_number(m["num"])
        if n is None:
            continue
        n += 0.5 if m["half"] or m["half2"] else 0.0
        unit = m["unit"].lower()
        years = n * 10 if unit.startswith("decade") else n / 12 if unit.startswith("mo") else n
        if 0 < years <= 80:
            out.append(DurationMention(years, m.span(), m.group().strip()))
    return sorted(out, key=lambda d: d.span)


def _experience(text: str, durations: list[DurationMention]) -> float | None:
    tied = []
    for d in durations:
        after = clause_after(text, d.span[1])
        if _NOT_SPENT_AFTER.match(after):
            continue
        cues = [(m.start(), True) for m in _WORK_CUES.finditer(clause_before(text, d.span[0], sentence=True))]
        cues += [(m.start(), False) for m in _OTHER_CUES.finditer(clause_before(text, d.span[0], sentence=True))]
        if _EXPERIENCE_AFTER.match(after) or (cues and max(cues)[1]):
            tied.append(d.years)
    return max(tied, default=None)


# ---- education ----
_LEVELS = ["none", "primary", "junior-secondary", "senior-secondary", "vocational-secondary", "vocational-college",
           "bachelor", "master", "doctorate"]
_BELOW = {"primary": "none", "junior-secondary": "primary", "senior-secondary": "junior-secondary",
          "vocational-secondary": "junior-secondary", "vocational-college": "senior-secondary",
          "bachelor": "senior-secondary", "master": "bachelor", "doctorate": "master"}
_EDU_WORDS = {
    "none": "没上过学 没读过书 没念过书 文盲 不识字|never went to school;never attended school;no schooling;"
            "no formal education;illiterate",
    "primary": "小学|primary school;elementary school;grade school",
    "junior-secondary": "初中|middle school;junior high school;junior high;lower secondary",
    "senior-secondary": "高中|high school;secondary school;senior high;upper secondary;GED",
    "vocational-secondary": "中专 职高 职业高中 技校 技工学校 中职 中等职业|vocational school;technical school;trade school;"
                            "vocational high school;technical secondary",
    "vocational-college": "大专 高职 专科 高等职业|associate degree;associate's degree;associates degree;college diploma;"
                          "vocational college;community college;polytechnic",
    "bachelor": "本科 学士 大学毕业 大学学历 大学文凭 上过大学 读过大学 念过大学|bachelor;bachelor's;bachelors;BA;BSc;B.Sc;"
                "university degree;college degree;undergraduate degree",
    "master": "硕士 研究生|master's;masters;master degree;master of;MSc;M.Sc;MBA",
    "doctorate": "博士|PhD;Ph.D;doctorate;doctoral",
}
_DROPOUT_BEFORE = re.compile(r"(?:没|没有|未)(?:读|念|上)完$|(?:dropped out of|drop out of|didn't finish|did not finish|"
                             r"never finished|quit|left|without finishing|without completing|didn't complete)\s+"
                             r"(?:my\s+|the\s+)?$", re.I)
_DROPOUT_AFTER = re.compile(r"^(?:都|也|还)?(?:没|没有|未)(?:毕业|读完|念完|上完)|^(?:肄业|辍学|读了一半)|"
                            r"^\s*(?:dropout|drop-out)|^[^.;]{0,12}\bbut\s+(?:I\s+)?(?:dropped out|didn't finish|"
                            r"did not finish|never finished|quit|left)", re.I)
_EDU_NEGATED = re.compile(r"没|未|不是|\b(?:no|not|never|without|don't have|do not have|didn't|haven't)\b"
                          r"(?:\s+\S+){0,3}\s*$", re.I)
_ASPIRATION = re.compile(r"想|希望|打算|准备|计划|考|报|要读|提升|\b(?:want|wants|wanted|hope|plan|planning|would like|"
                         r"'d like|wish|apply|applying|considering|pursue|pursuing|get|study for|studying for|"
                         r"towards?)\b", re.I)
_NOT_SCHOOLING_AFTER = re.compile(r"老师|教师|教育|teacher|education", re.I)  # 小学老师 is a job, not schooling


@functools.cache
def _edu_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    words = {}
    for level, spec in _EDU_WORDS.items():
        zh, en = spec.split("|")
        words.update({w: level for w in zh.split()} | {w.casefold(): level for w in en.split(";")})
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z])(?:{alternation})(?![A-Za-z])", re.I), words


def _education(text: str) -> str | None:
    pattern, words = _edu_pattern()
    found = []
    for m in pattern.finditer(text):
        level = words[m.group().casefold()]
        before, after = clause_before(text, m.start()), clause_after(text, m.end())
        if m.group().isascii() and len(m.group()) == 2 and m.group() != "BA":
            continue  # "ba" in lower case is no degree
        if _DROPOUT_BEFORE.search(before) or _DROPOUT_AFTER.search(after):
            found.append(_BELOW.get(level, level))  # 没读完高中: the highest level finished is the one below
        elif not (_EDU_NEGATED.search(before if m.group().isascii() else before[-4:])
                  or _ASPIRATION.search(before) or _NOT_SCHOOLING_AFTER.match(after.strip())):
            found.append(level)
    return max(found, key=_LEVELS.index, default=None)


# ---- money, time and mode ----
_CURRENCY = {"$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD", "美元": "USD",
             "美金": "USD", "¥": "CNY", "￥": "CNY", "元": "CNY", "块": "CNY", "块钱": "CNY", "人民币": "CNY", "rmb": "CNY",
             "cny": "CNY", "yuan": "CNY", "kuai": "CNY"}
_SYMBOL = r"(?P<sym>US\$|\$|¥|￥|RMB|CNY|USD)?\s*"
_ZH_BUDGET = re.compile(r"(?P<cue>预算|最多|顶多|最高|不超过|能花|可以花|愿意花|能出|可以出|能付|可以付|能拿出|学费)"
                        rf"[^\d零一二两三四五六七八九十百千万，。；,;]{{0,6}}?{_SYMBOL}(?P<num>{ZH_NUM})(?![年个月小时天周次岁人门])"
                        r"\s*(?P<unit>块钱|块|元|人民币|RMB|CNY|美元|美金)?|"
                        rf"{_SYMBOL.replace('sym', 'sym2')}(?P<num2>{ZH_NUM})\s*"
                        r"(?P<unit2>块钱|块|元|人民币|美元|美金)(?:以内|以下|之内)")
_EN_BUDGET = re.compile(r"\b(?P<cue>budget|spend|pay|afford|up to|at most|no more than|under|max(?:imum)?)\b"
                        rf"[^\d.;$¥￥]{{0,20}}?{_SYMBOL}(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<k>k\b)?\s*"
                        r"(?P<unit>dollars?|bucks|usd|yuan|rmb|cny|kuai)?\b", re.I)
_MONEY_ONLY_WITH_UNIT = ("up to", "at most", "no more than", "under", "max", "maximum")  # "up to 10 hours" is no money
_NO_MONEY = re.compile(r"不想花钱|不愿意?花钱|不能花钱|不花钱|没有?钱|[付交花出]不起|没有?预算|零预算|免费|"
                       r"can'?t pay|cannot pay|can not pay|unable to pay|can'?t afford|cannot afford|free only|"
                       r"only free|(?:only|just) (?:\w+ )?free\b|no money|no budget|zero budget|"
                       r"(?:don'?t|do not) want to pay|for free|free of charge|"
                       r"free (?:courses?|training|classes|programs?)", re.I)  # not a bare "free": "free time"
_SALARY_BEFORE = re.compile(r"工资|月薪|薪水|收入|赚|挣|salary|wage|earn", re.I)


def _budget(text: str) -> tuple[float | None, str | None]:
    for m in list(_ZH_BUDGET.finditer(text)) + list(_EN_BUDGET.finditer(text)):
        if _SALARY_BEFORE.search(text[max(0, m.start() - 6):m.start()]):
            continue  # 工资最多3000 is pay, not what they can spend
        groups = {k.rstrip("2"): v for k, v in m.groupdict().items() if v}
        unit = (groups.get("sym") or groups.get("unit") or "").lower()
        if groups.get("cue", "").lower() in _MONEY_ONLY_WITH_UNIT and not unit:
            continue
        amount = number(groups["num"].replace(",", ""))
        if amount is not None:
            return amount * (1000 if groups.get("k") else 1), _CURRENCY.get(unit)
    return (0.0, None) if _NO_MONEY.search(text) else (None, None)


_ZH_HOURS = re.compile(r"(?P<per>每周|每星期|每个星期|一周|一星期|一个星期|每个礼拜|周末|工作日|每天晚上|每天|每晚|每日|一天|晚上)"
                       rf"(?P<gap>[^\d，。；,;！？!?]{{0,8}}?)(?P<num>{ZH_NUM}|半)个?(?P<half>半)?(?:小时|钟头|个钟)")
_EN_HOURS = re.compile(rf"\b(?P<num>{EN_NUM})(?P<half>\s+and\s+a\s+half)?\s*(?:hours?|hrs?|h)\b\s+"
                       r"(?:a|per|each|every|on|at the|in the)\s+(?:\w+\s+)?"
                       r"(?P<per>week|wk|weekend|weekday|day|night|evening)s?\b", re.I)
# Days per week for each period; the rest (每天, 晚上, day, evening) are daily, so seven.
_PER_WEEK = {"week": 1, "wk": 1, "weekend": 1, "weekday": 5, "周末": 1, "工作日": 5, "每周": 1, "每星期": 1, "每个星期": 1,
             "一周": 1, "一星期": 1, "一个星期": 1, "每个礼拜": 1}


def _hours_per_week(text: str) -> float | None:
    for m in list(_ZH_HOURS.finditer(text)) + list(_EN_HOURS.finditer(text)):
        n = number(m["num"])
        if n is None:
            continue
        per = m["per"].lower()
        times = _PER_WEEK.get(per, 7)
        if per in ("周末", "工作日") and "每天" in m["gap"]:
            times = 2 if per == "周末" else 5  # 周末每天三小时: two days of three hours
        return (n + (0.5 if m["half"] else 0.0)) * times
    return None


# 现场 alone is no mode: 施工现场 is a building site.
_MODES = [("blended", r"线上线下相?结合|线上\s*\+\s*线下|混合式|\bblended\b|\bhybrid\b|"
                      r"mix of online and (?:in[- ]person|classroom|on-?site)"),
          ("online", r"线上|网课|网上(?:学|上课|课程)|在线|远程|网络课程|直播课|\bonline\b|\bremote(?:ly)?\b|"
                     r"\bvirtual\b|e-learning|distance learning"),
          ("onsite", r"线下|面授|到校|当面|实体课|现场(?:教学|授课|上课|学习)|\bin[- ]person\b|\bon[- ]?site\b|"
                     r"\bface[- ]to[- ]face\b|\bclassroom\b|\bcampus\b")]
_ZH_NEGATION = re.compile(r"(?:不|没|别|讨厌|不喜欢)[^，。；,;]{0,3}$")
_EN_NEGATION = re.compile(r"\b(?:not|no|don'?t|do not|won'?t|can'?t|cannot|hate|dislike|without)\b"
                          r"(?:\s+\S+){0,3}\s*$", re.I)


def _negated(text: str, start: int) -> bool:
    before = clause_before(text, start)
    return bool(_ZH_NEGATION.search(before[-5:]) or _EN_NEGATION.search(before))


def _mode(text: str) -> str | None:
    seen = set()
    for mode, pattern in _MODES:
        for m in re.finditer(pattern, text, re.I):
            if not _negated(text, m.start()):  # 不想上网课 rules online out without saying what they want instead
                seen.add(mode)
            text = text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]  # 线上线下结合 is not also 线上
    return "blended" if "blended" in seen or {"online", "onsite"} <= seen else next(iter(seen), None)


# ---- wishes, needs, languages, age ----
_UNPAID_OK = re.compile(r"(?:不需要|不要|不用|不拿|没有也|无)(?:工资|薪水|报酬)|没(?:有)?工资也(?:行|可以|没关系)|无薪|工资无所谓|"
                        r"unpaid (?:is |would be )?(?:fine|ok|okay|alright|acceptable)|no pay is fine|"
                        r"(?:don'?t|do not|doesn'?t|does not) (?:need|have) to be paid|without pay is fine", re.I)
_PAID = re.compile(r"拿工资|有工资|带薪|有薪|边干边学|边工作边学|半工半读|工学结合|边学边[挣赚]|发工资|给工资|"
                   r"paid (?:apprenticeship|training|internship|job)|get paid|be paid|\bstipend\b|"
                   r"earn(?:ing)? (?:money )?while (?:i |you )?(?:learn|train|stud)|with (?:a )?(?:salary|wage)", re.I)
_APPRENTICE = re.compile(r"学徒|师带徒|拜师|\bapprentice(?:ship)?s?\b", re.I)
_MY_KIN = r"my (?:elderly |aging |ageing |old )?(?:parents|mother|father|mum|mom|dad|grandparents)"
_NEEDS = [
    ("disability", r"残疾|残障|轮椅|视力障碍|听力障碍|视障|听障|盲人|失明|聋|肢体障碍|wheelchair|disabled|"
                   r"disabilit(?:y|ies)|hearing impair|visual(?:ly)? impair|\bblind\b|\bdeaf\b|hard of hearing"),
    ("childcare", r"带孩子|照顾孩子|接送孩子|带娃|照顾小孩|看孩子|带小孩|接孩子|宝妈|孩子还小|childcare|child care|"
                  r"(?:look after|take care of|pick up) my (?:kids|children|child|son|daughter|baby)|school run|"
                  r"single (?:mother|mom|mum|parent|father|dad)"),
    ("elder-care", r"照顾(?:家里的?)?(?:老人|父母|爸妈|老母亲|老父亲|母亲|父亲|奶奶|爷爷|公婆)|伺候老人|elderly parents?|"
                   rf"(?:care for|look after|take care of|looking after|caring for) {_MY_KIN}"),
    ("part-time", r"兼职|只能晚上|只有晚上|只能周末|只有周末|业余时间|下班后|part[- ]time|weekends only|after work|"
                  r"only (?:on|at) weekends|evenings only|only (?:in )?(?:the )?evenings"),
    ("accessible-transport", r"不方便出行|出行不便|出行不方便|行动不便|不能走远|去不了太远|走不远|不能出远门|"
                             r"can'?t travel far|cannot travel far|limited mobility|mobility (?:issues|problems)|"
                             r"can'?t commute"),
]
# What the work must not ask of the person (profile.LIMITS). Said as a limit (不要倒班, 电脑不太会), not as a skill.
_LIMITS = [
    ("no-shifts", r"(?:不要|不想|不能|不愿意?|不上|不倒|没法|没办法)(?:再)?(?:倒班|轮班|三班倒|两班倒|上夜班|夜班)|只(?:能|想)?上白班|"
                  r"\bno (?:night )?shifts?\b|\bno night (?:work|shifts?)\b|day shifts? only|"
                  r"(?:can'?t|cannot|won'?t|don'?t want to) (?:do |work )?(?:night )?shifts|"
                  r"(?:can'?t|cannot|won'?t) work (?:at )?nights?"),
    ("no-computer", r"电脑(?:用得|玩得|操作)?(?:不太|不怎么|不大|不)(?:会|熟|行|懂|好)|不(?:太|怎么|大)?会(?:用|操作|玩)?电脑|"
                    r"不(?:太|怎么)?会上网|(?:not good|bad|no good) (?:with|at) computers?|"
                    r"(?:can'?t|cannot|don'?t know how to) use (?:a )?computers?|no computer skills|computer illiterate"),
    ("no-phone", r"(?:不能|不想|不会|不敢|怕|不愿意?|不(?:需要|用|要|必))(?:打|接)电话|不(?:能|会)用手机|不做电话|电话(?:销售|客服)?(?:不想|不做|不行)|"
                 r"(?:can'?t|cannot|don'?t want to|won'?t) (?:use a phone|make (?:phone )?calls|work on the phone|do phone)|"
                 r"no phone (?:work|calls)"),
    ("wheelchair", r"坐轮椅|轮椅|wheelchair"),
    ("home-based", r"在家(?:里)?(?:做|干|工作|办公|上班|接活)|居家(?:工作|办公|就业|灵活)?|足不出户|不(?:想|能)出门(?:工作|上班)|"
                   r"(?:work|working|job) (?:from|at) home|home-?based|remote (?:work|job)|work remotely"),
]
_STAY = re.compile(r"不(?:想|愿意?|能|打算)离开|(?:想|要|愿意)?留在(?!.*(?:外地|外省))|不(?:想|愿意?|能)(?:去|到)外地|不(?:想|能)出远门|"
                   r"就在(?:本地|当地|家门口)|\b(?:stay|staying) (?:in|here|local)|(?:don'?t|do not|won'?t) want to (?:leave|move|relocate)|"
                   r"(?:can'?t|cannot) (?:move|relocate)|not (?:willing|able) to (?:move|relocate)", re.I)
_TRAVEL = re.compile(r"(?:可以|愿意|能)(?:去|到)外地|去哪(?:里)?都(?:行|可以)|(?:可以|愿意|能接受)(?:出差|外派|异地)|"
                     r"省内(?:都|哪里都)?(?:可以|行)|\bwilling to (?:travel|relocate|move)|\b(?:can|could) (?:travel|relocate|move)|"
                     r"\bopen to (?:relocat|travel|mov)", re.I)
_LANGUAGES = {"英语": "en", "英文": "en", "普通话": "zh", "汉语": "zh", "中文": "zh", "国语": "zh", "粤语": "yue",
              "广东话": "yue", "日语": "ja", "日文": "ja", "韩语": "ko", "韩文": "ko", "朝鲜语": "ko", "法语": "fr",
              "德语": "de", "西班牙语": "es", "俄语": "ru", "阿拉伯语": "ar", "english": "en", "chinese": "zh",
              "mandarin": "zh", "cantonese": "yue", "japanese": "ja", "korean": "ko", "french": "fr", "german": "de",
              "spanish": "es", "russian": "ru", "arabic": "ar"}
_LANGUAGE = re.compile(r"(?<![A-Za-z])(?:" + "|".join(sorted(_LANGUAGES, key=len, reverse=True)) + r")(?![A-Za-z])",
                       re.I)
_TESTS = {"en": r"CET-?[46]|雅思|托福|IELTS|TOEFL|英语[四六]级|英语专[四八]", "ja": r"JLPT|日语N[1-5]", "ko": r"TOPIK"}
# The last cue before a language name decides: 会说英语 speaks it, 想学英语 does not (yet).
_SPEAK = re.compile(r"会|能|懂|说|讲|精通|熟悉|掌握|\b(?:speak|speaks|spoke|speaking|fluent|native|know|understand|"
                    r"read|conversational|bilingual)\b", re.I)
_LEARN = re.compile(r"学|想|\b(?:learn|learning|study|studying|improve|want|hope)\b", re.I)
_SPOKEN_AFTER = re.compile(r"^(?:[四六]级|专[四八]|很好|流利|不错|还行|过了|\s*\(?CET)|^\s+speaker|"
                           r"^\s+is\s+(?:good|fluent|ok|okay|decent|native|basic)\b", re.I)
_WEAK_AFTER = re.compile(r"^\s*(?:不好|很差|不会|不行)")
_FAMILY = re.compile(r"孩子|儿子|女儿|小孩|娃|宝宝|老人|父亲|母亲|爸|妈|老公|老婆|丈夫|妻子|"
                     r"\bmy (?:son|daughter|kids?|child|children|baby|mother|father|mom|mum|dad|parents?|wife|"
                     r"husband)\b", re.I)
_ZH_AGE = re.compile(r"(?P<num>\d{1,3}|[一二两三四五六七八九十]+)多?周?岁(?!以上|以下|之前|以前|以后|之后|时|那年|的时候)")
_EN_AGE = re.compile(r"\b(?:i'?m|i am)\s+(?P<num>\d{1,2})"
                     r"(?=\s*(?:years?\s+old|yrs?\s+old|y/?o\b|[,.;!?]|$|\s+and\b|\s+now\b))|"
                     r"\b(?P<num2>\d{1,2})[\s-]*(?:years?|yrs?)[\s-]*old\b|\baged?:?\s+(?P<num3>\d{1,2})\b", re.I)


# Caring that is over ("I cared for my parents for six years", 照顾了四年) is experience, not a need today.
_CARED = re.compile(r"\b(?:cared|looked after|took care|nursed|raised)\b|照顾了|照顾过|带了|带过", re.I)


def _needs(text: str) -> list[str]:
    return [need for need, pattern in _NEEDS
            if any(not _negated(text, m.start()) and not _past_care(text, need, m.start(), m.end())
                   for m in re.finditer(pattern, text, re.I))]


def _past_care(text: str, need: str, start: int, end: int) -> bool:
    if need not in ("childcare", "elder-care"):
        return False
    sentence = clause_before(text, start, sentence=True) + text[start:end] + clause_after(text, end)
    return bool(_CARED.search(sentence)) and bool(_find_durations(sentence))


def _limits(text: str) -> list[str]:
    # The patterns carry their own negation (不要倒班 is the limit itself), so no _negated() check here.
    return [limit for limit, pattern in _LIMITS if re.search(pattern, text, re.I)]


def _travel(text: str) -> bool | None:
    if _TRAVEL.search(text):
        return True
    return False if _STAY.search(text) else None


def _languages(text: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for m in _LANGUAGE.finditer(text):
        before, after = clause_before(text, m.start()), clause_after(text, m.end())
        cues = [(c.start(), True) for c in _SPEAK.finditer(before)]
        cues += [(c.start(), False) for c in _LEARN.finditer(before)]
        spoken = (cues and max(cues)[1]) or _SPOKEN_AFTER.match(after)
        if spoken and not _negated(text, m.start()) and not _WEAK_AFTER.match(after):
            found.append((m.start(), _LANGUAGES[m.group().casefold()]))
    for code, pattern in _TESTS.items():  # a passed exam says they speak it
        found += [(m.start(), code) for m in re.finditer(pattern, text, re.I)]
    return list(dict.fromkeys(code for _, code in sorted(found)))


def _age(text: str) -> int | None:
    for m in list(_ZH_AGE.finditer(text)) + list(_EN_AGE.finditer(text)):
        n = number(next(v for k, v in m.groupdict().items() if v and k.startswith("num")))
        if n is not None and 10 <= n <= 100 and not _FAMILY.search(clause_before(text, m.start())):
            return int(n)  # 孩子3岁 and "my son is 5" describe someone else
    return None


def _wish(text: str, pattern: re.Pattern[str]) -> bool | None:
    """True if some mention is not negated, False if all are (不想当学徒), None without a mention."""
    hits = [not _negated(text, m.start()) for m in pattern.finditer(text)]
    return any(hits) if hits else None


def extract_facts(text: str) -> Facts:
    """Every fact the patterns can read from one message, in Chinese or English."""
    durations = _find_durations(text)
    budget, currency = _budget(text)
    # An explicit "unpaid is fine" wins: "不需要工资" also contains 工资, and "don't need to be paid" contains "be paid".
    paid = False if _UNPAID_OK.search(text) else _wish(text, _PAID)
    return Facts(places=find_places(text), durations=durations, education=_education(text), budget=budget,
                 currency=currency, hours_per_week=_hours_per_week(text), mode=_mode(text), wants_paid=paid,
                 wants_apprenticeship=_wish(text, _APPRENTICE), needs=_needs(text), limits=_limits(text),
                 travel=_travel(text), languages=_languages(text),
                 age=_age(text), numbers_of_years_experience=_experience(text, durations))
