"""Chinese skill spans in job-ad text and messages: the phrase that names a skill, without the frame around it.

"1、熟悉Spring Boot、Redis开发经验优先" → Spring Boot, Redis; "具备良好的沟通协调能力与应变能力" → 沟通协调能力,
应变能力; "负责项目跟进和产品销售" → 项目跟进, 产品销售. Grammar only, no skill list: frame words (负责, 熟悉, the
degree words of 具备良好的…, …经验, …优先), list separators, and the kinds of line that never name a skill (pay,
benefits, contact, the company, degree, age). A clause with no requirement or duty cue at all ("北京奥运会原来已经
过去10年了") gives spans marked `cue="bare"`: the rules cannot tell whether those name a skill, so the skill
extractor keeps them only where the person says they can do it (我会…; SkillExtractor.phrases). The taxonomy's
confidence was tried as the judge and does not separate them (see docs/benchmarks.md).

Conventions follow the Chinese SkillSpan guideline: flat, verbatim, minimal yet self-contained spans; duty verbs,
hedges and degree words left out; "X能力/意识/精神" keeps its head; a run of traits sharing one head
(计划、组织、协调能力) is one span; a list item that cannot stand alone (…通知、通告) stays with its list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HAN = r"\u4e00-\u9fff"
_HAN = re.compile(f"[{HAN}]")

# Markup and debris left in scraped text, blanked to the same length so offsets hold: tags, entities (with or
# without their semicolon), escaped bytes written out (\xa0), list debris (', '), web addresses.
_TAG = re.compile(
    r"&lt;/?[a-zA-Z][a-zA-Z0-9]{0,9}(?:\s[^<>&]{0,200})?\s*/?&gt;|</?[a-zA-Z][a-zA-Z0-9]{0,9}(?:\s[^<>]{0,200})?\s*/?>|"
    r"&(?:lt|gt|amp|nbsp|quot|apos|#\d{1,5});?|\b(?:br|p|div|span|li)\b(?=\s|$)|\\x[0-9a-fA-F]{2}|'\s*,\s*'|"
    r"https?://[\x21-\x7e]+|www\.[\x21-\x7e]+")
# Clause boundaries: sentence and clause punctuation, colons (not 12:30), brackets, quotes, a full stop that is
# not a decimal point or a letter's bullet, an item number glued to the text before it (…技能3、良好的…), and
# a space next to Han text (Latin names keep theirs: Spring Boot).
_BOUNDARY = re.compile(
    r"[。；;！!？?\n\r，,：:【】\[\]\"“”‘’|（）~～]+|(?<![0-9A-Za-z])[.．](?![0-9a-zA-Z])|"
    r"(?<=[^\s\d、.．(（])(?=(?:\d{1,2}|[一二三四五六七八九十])[、．](?!\d))|"
    r"(?<=[" + HAN + r")\]])\s+|\s+(?=[" + HAN + r"(])|\s+(?=(?:\d{1,2}|[一二三四五六七八九十])[、.．)）](?!\d))|"
    r"\s{2,}|\xa0+|\u3000+")
# A line item's number or bullet: 1、 2. （3） 三、 a. –
_ENUM = re.compile(r"\s*(?:[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]|"
                   r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[、.．)）](?![0-9])|"
                   r"[a-zA-Z]\s*[.．、)](?![a-zA-Z0-9])|[-–—•·*#>]+)\s*")

# Lines that are never about a skill: pay, benefits, schedule, contact, the company, degree, age, health, and
# lines addressed to the reader.
_NOT_SKILL = re.compile(
    r"学历|本科|大专|专科|硕士|博士|研究生|中专|高中|初中|应届|毕业生|年龄|周岁|\d+岁|身高|体重|"
    r"男女不限|性别|户籍|不限|均可|^(?:高薪)?(?:诚聘|急聘|招聘)|(?:入职|转正)(?:后|即|满|时)|^(?:本|我|贵)?公司|"
    r"欢迎|加入我们|期待|详情|(?<!申)请|名额|人数|另议|面议|不考虑|"
    r"谢谢|以下|不要求|^(?:你|您)|[吗呢吧哦啊]$|^(?:根据|按照|依据|结合)[^，]{0,10}(?:需求|要求|安排|情况|规定)$")
# What is not had or not known (我不会看图纸, 没有证书) and questions (怎么才能认定技能等级？) claim no skill.
_NEGATED = re.compile(r"不会|不懂|不太会|不熟悉|不了解|没有|没学过|没做过|从未|从没|并非")
_QUESTION = re.compile(r"[吗呢么]$|怎么|怎样|如何|能不能|可不可以|会不会|是不是|是否|什么|哪[里些个儿种]|多少|几[个年岁]")
# Lines about pay, benefits, schedule, contact, health or the employer: the rest of the line item or sentence is
# about the same thing (免费提供食宿、被褥，宿舍有空调，24小时热水澡).
_OFF_TOPIC = re.compile(
    r"薪|工资|底薪|提成|奖金|福利|待遇|五险|社保|公积金|带薪|休假|假期|双休|单休|包吃|包住|食宿|宿舍|住宿|补贴|补助|年终|"
    r"晋升|发展空间|机会|上班|下班|班次|加班|工作时间|工作地[点址]|地址|位于|电话(?!销售|营销|沟通|回访|客服)|手机号|"
    r"微信(?!公众号|运营|推广|营销|小程序|支付)|QQ|邮箱|简历|面试|报名|联系(?:人|方式|电话|我们)|"
    r"身体健康|健康证|疾病|病史|犯罪|体检|试用期|劳动合同|[0-9]+[kK千万]|元/|元每|每月|月薪|年薪|时薪|日薪|"
    r"我们|我司|本公司|公司(?:成立|位于|是|拥有|旗下|致力|先后|通过)|旗下|致力于|成立于|总部|上市|集团")
# Section headings (before a colon, or glued to the first item number). A heading about pay, the company or
# benefits opens a section whose lines are skipped until the next heading.
_HEADING = re.compile(r"[\w（）()]{0,10}?(?:职责|要求|描述|资格|条件|内容|说明|介绍|简介|优先|加分项|福利|待遇|亮点|"
                      r"地点|时间|方式|备注|素质|能力|技能|任职|岗位|职位|工作|机会|概况|薪资|薪酬|联系)")
# Headings that need no colon: glued to the first item number (应聘资格要求1．计算机…).
_BARE_HEADING = re.compile(r"[\w（）()]{0,10}?(?:职责|要求|描述|资格|条件|介绍|简介|福利|待遇)")
_OTHER_SECTION = re.compile(r"介绍|简介|福利|待遇|亮点|地点|时间|方式|备注|机会|概况|薪|联系|公司|我们")

# A clause that says what the job needs or does: frame verbs, heads, languages. Clauses without one are "bare".
_CUE = re.compile(
    r"负责|参与|协助|配合|熟悉|熟练|掌握|精通|了解|理解|具备|具有|拥有|擅长|善于|能够|能力|经验|意识|精神|技能|技巧|"
    r"知识|专业|优先|使用|运用|操作|编写|撰写|开发|设计|维护|管理|分析|制定|完成|跟进|处理|开展|组织|协调|沟通|推动|"
    r"执行|实施|搭建|研究|调研|优化|测试|部署|配置|安装|编辑|策划|推广|销售|营销|运营|培训|指导|建立|规划|评估|"
    r"态度|责任心|团队|合作|学习|主动|认真|踏实|敬业|吃苦|耐心|细心|抗压|自律|诚信|证书?|资格|执照|英语|外语|口语|"
    r"普通话|CET|TEM|托福|雅思|IELTS|TOEFL|^能(?!力|源|耗)|^会(?!议|计|员|展)")
# Language tests and levels name themselves: CET-6, 英语四级, 日语N2 (K/L items of the guideline).
_EXAM = re.compile(r"(?:CET|TEM|PETS|cet|tem)\s*[-－]?\s*\d|(?:大学)?英语[四六八]级|专业[四八]级|雅思|托福|"
                   r"IELTS|TOEFL|TOEIC|托业|(?:日语|JLPT\s*)N[1-5]|普通话(?:[一二三]级)?(?:[甲乙]等)?")

# Frame words in front of a skill: requirement and duty verbs, hedges, degree words (repeated: 具备良好的…).
_LEAD = re.compile(
    r"(?:至少|最好|需要?|要求|必须|应(?=该|当|能|具)|能够|能(?!力|源|耗)|会(?!计|议|员|展)|可以?|善于|擅长|主要|独立|"
    r"(?:我|本人)(?=..)|懂得?|一点儿?|一些|点儿|"
    r"但是?|而且|并且?|以及|及|且|和|或|同时|还|也|以便|为了|时刻|随时|及时|积极|主动|充分|快速|在(?!线|职|校|读)(?=..)|运用|利用|"
    r"负责|参与|协助|配合|支持|"
    r"熟悉掌握|熟练掌握|熟练使用|熟练运用|熟练操作|熟练地?|熟悉|掌握|精通|深入了解|了解|理解|"
    r"具备|具有|拥有|有(?![效限关机])|具|为人|"
    r"(?:很|较|极|非常|比较)?(?:强|好|高|优秀|出色|扎实|丰富|良好|优良|突出|优异|过硬|深厚)的|"
    r"一定的?|高度的|强烈的|良好|较强|扎实|丰富|优秀|相关的?|相应的?|一种|一门|一项|常用的?|常见的?|各类|各种|"
    r"进行|做好|开展|从事|其|对(?=[^对]{1,20}(?:有|熟悉|了解|掌握))|对于|"
    r"为[^，、]{1,10}?(?=提供|制定|开展|进行|做好)|"
    r"(?:对于|针对|根据|按照?|依据)[^，、]{1,15}?进行|"
    r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十]+)\s*年(?:以上|及以上|或以上)?(?:的)?(?:相关)?(?:工作)?|以上的?)")
# Frame words behind it: experience, preference, "etc." tails, "strong", pure filler.
_TAIL = re.compile(
    r"(?:(?:有|具有)?(?:一定|丰富|较多|长期)?(?:的)?(?:(?:开发|使用|应用)(?:或|及|和|/)(?:开发|使用|应用))?"
    r"(?:相关|工作|项目|实际|实践|实战)*(?:的)?经验|的?背景|(?:的)?经历|(?:的)?(?:求职者|人员|人士|同学|者)?(?:优先|为佳|更佳|加分)(?:考虑|录用)?|"
    r"(?:的)?求职者|(?<=[" + HAN + r"])\d{1,2}|等(?![级同效])(?:[" + HAN + r"]{0,6})?|(?:的)?相关工作|"
    r"的工作|工作|(?:有|的)?(?:一定|深入|较深)?(?:的)?(?:了解|熟悉|认识|研究|掌握)|扎实|"
    r"(?<=[力识神])(?:强|较强|突出|出众)|以上|方面|者|[例比诸]?如|包括|包含|"
    r"(?:中|里)的?(?:至少|任意|任何)?(?:一|一个|一种|多个|某个).*|(?:[（(][^）)]*[）)]?))$")
# Heads that make a phrase self-contained: 沟通能力, 服务意识, 团队合作精神, 责任心, 工作态度, 编程语言 …
_HEAD = re.compile(r"(?:能力|意识|精神|心|感|态度|素质|素养|品质|作风|知识|基础|语言|技能|技巧|思维|导向)$")
_MAJOR = re.compile(r"(?P<list>[^：:]+?)(?:等)?(?:相关|相近|类)?(?:的)?专业(?=$|[，,。；;（(]|及以上|以上|本科|大专|专科|"
                    r"硕士|博士|研究生|中专|毕业|背景|学历|优先|者|出身)|(?P<list2>[^：:]+?)(?:等|相关|相近|类)的?专业")
_MAJOR_LIST = re.compile(r"[、,，/]|及|或|和")
# A kind of tool before its name: 开源框架KVM → KVM.
_KIND_BEFORE_NAME = re.compile(r"[" + HAN + r"]*(?:框架|工具|软件|数据库|语言|平台|系统|引擎|中间件)\s*(?=[A-Za-z])")
# 通过优化产品来提高效率: the means and the end are two duties.
_MEANS = re.compile(r"通过(?P<a>[^，]{2,20}?)(?:来|以|从而)(?P<b>[^，]{2,30})$")

# Parallel items: 、 and commas; the Chinese conjunctions only where both sides stand alone (_split_conj).
_LIST = re.compile(r"[、,，]")
_CONJ = re.compile(r"(?<![以涉普危])及(?![时格])|和(?![谐平])|(?<![参给授])与|或者?|以及|(?<![合吞兼归])并(?![购发存列])")
_LATIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#._\- /]*")
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#.]*")
_FILLER = " 的\t·-–—"


@dataclass(frozen=True)
class Span:
    """A phrase naming a skill: its text, its offsets in the input, and whether its clause had a cue."""

    text: str
    start: int
    end: int
    cue: str  # frame: a requirement or duty cue in the clause (or its line item); bare: none


def has_han(text: str) -> bool:
    """Whether the text has Han characters: then its skill phrases are cut by this module's grammar."""
    return bool(_HAN.search(text))


def clean(text: str) -> str:
    """The text with markup and scraping debris blanked to spaces (same length: offsets hold)."""
    return _TAG.sub(lambda m: " " * len(m.group()), text)


def clauses(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, opens_item) of each clause of an already cleaned text; opens_item when a number or bullet
    starts it."""
    out: list[tuple[int, int, bool]] = []
    pos = 0
    for m in list(_BOUNDARY.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        s, opens = pos, False
        while True:  # "1、 2." or a bullet after a number
            bullet = _ENUM.match(text, s, end)
            if not bullet or bullet.end() == s:
                break
            s, opens = bullet.end(), True
        s, e = _trim_space(text, s, end)
        if e > s:
            out.append((s, e, opens))
        pos = m.end() if m else len(text)
    return out


def _trim_space(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _strip(text: str, s: int, e: int) -> tuple[int, int, bool]:
    """Drop frame words at both ends, as often as they stack (具备良好的…; …开发或使用经验优先).

    Returns the new bounds and whether a leading frame word was dropped (有追求 stands alone; 追求 might not).
    """
    led = False
    for _ in range(8):
        changed = False
        m = _LEAD.match(text, s, e)
        if m and s < m.end() < e:
            s, changed, led = m.end(), True, True
        m = _TAIL.search(text, s, e)
        if m and m.end() > m.start() > s:
            e, changed = m.start(), True
        while s < e and text[s] in _FILLER:
            s, changed = s + 1, True
        while e > s and text[e - 1] in _FILLER:
            e, changed = e - 1, True
        if not changed:
            break
    return s, e, led


def _han_len(piece: str) -> int:
    return len(_HAN.findall(piece))


def _is_latin(piece: str) -> bool:
    return bool(_LATIN.fullmatch(piece.strip()))


def _split_conj(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Split one item at 和/及/与/或/并 only where both sides stand alone.

    沟通协调能力与应变能力, 项目跟进和产品销售, C++或Python split; 数据收集和整理 (a bare verb on the right),
    分析和解决问题的能力 and 沟通和团队合作能力 (a shared head), Java及Web的开发 (a modifier) stay whole.
    """
    for m in _CONJ.finditer(text, s, e):
        left, right = text[s:m.start()].strip(), text[m.end():e].strip()
        if not left or not right:
            continue
        if m.group() == "并":
            ok = len(left) >= 3 and len(right) >= 3
        elif _is_latin(left) and _is_latin(right):
            ok = True
        elif _HEAD.search(left) and _HEAD.search(right):
            ok = len(left) >= 3
        else:
            ok = (len(right) >= 3 and len(left) >= 2 and "的" not in right and not _HEAD.search(right)
                  and not _HEAD.search(left) and not _is_latin(left) and not re.match(r"[A-Za-z0-9]", right))
        if ok:
            return _split_conj(text, s, m.start()) + _split_conj(text, m.end(), e)
    return [(s, e)]


def _cut(text: str, s: int, e: int, sep: re.Pattern[str]) -> list[tuple[int, int]]:
    parts, pos = [], s
    for m in sep.finditer(text, s, e):
        parts.append(_trim_space(text, pos, m.start()))
        pos = m.end()
    parts.append(_trim_space(text, pos, e))
    return [(a, b) for a, b in parts if b > a]


def _group(text: str, parts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Decide how the items of a 、 list stand: apart, as one span, or short ones joined to the head they share.

    信息检索、深度学习、语义理解 → three; 计划、组织、协调能力 → one (the head 能力 is shared); 沟通、协调、组织能力、
    团队合作精神 → two; …内部通知、通告 → one (a bare two-character item leans on its list); 脚本的编写、部署和优化 →
    one (verbs sharing the object before 的); 云、网、大数据等业务系统的开发、接口开发 → two (等 closes a sub-list).
    """
    for i, (a, b) in enumerate(parts[:-1]):
        if "等" in text[a:b]:  # A、B、C等X, …: the sub-list before 等 is one item
            rest = parts[i + 1:]
            if all(_han_len(text[x:y]) <= 2 for x, y in rest):  # …等网络设备的安装、配置: one duty
                return [(parts[0][0], parts[-1][1])]
            return [(parts[0][0], b)] + (_group(text, rest) if len(rest) > 1 else rest)
    if len(parts) < 2:
        return parts
    stripped = [_strip(text, a, b) for a, b in parts]
    pieces = [text[a:b] for a, b, _ in stripped]
    short = [not _is_latin(p) and _han_len(p) <= 2 and not led for p, (_, _, led) in zip(pieces, stripped)]
    heads = [bool(_HEAD.search(p)) for p in pieces]
    whole = [(parts[0][0], parts[-1][1])]
    first, last = pieces[0], pieces[-1]
    if "的" in first and all(_han_len(p) <= 5 and "的" not in p for p in pieces[1:]) and not any(heads):
        return whole
    if not any(short):
        # A list inside a longer phrase (提出从效果、性价比等方面考量的方案): not parallel skills.
        return whole if _han_len(first) >= 8 and _han_len(last) >= 8 else parts
    if not any(heads):
        return whole
    grouped: list[tuple[int, int]] = []
    run: int | None = None
    for i, ((a, b), is_short, is_head) in enumerate(zip(parts, short, heads)):
        if is_short and (run is not None or i == 0):
            run = a if run is None else run
        elif is_head and run is not None:
            grouped.append((run, b))
            run = None
        else:
            if run is not None:
                grouped.append((run, parts[i - 1][1]))
                run = None
            grouped.append((a, b))
    if run is not None:
        grouped.append((run, parts[-1][1]))
    return grouped


def _majors(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Fields of study named before 专业: 计算机、通信技术等相关专业 → 计算机, 通信技术; 法学相关专业本科 → 法学."""
    m = _MAJOR.search(text, s, e)
    if not m:
        return []
    group = "list" if m.group("list") else "list2"
    out = []
    for a, b in _cut(text, m.start(group), m.end(group), _MAJOR_LIST):
        a, b, _ = _strip(text, a, b)
        if b > a and not _NOT_SKILL.search(text[a:b]):
            out.append((a, b))
    return out


def _items(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Parallel items of a clause, each without its frame words."""
    s, e, _ = _strip(text, s, e)
    if e <= s:
        return []
    means = _MEANS.match(text, s, e)
    if means:
        return [means.span("a"), means.span("b")]
    # 对商品结构、展示布局提出建议: objects of one duty, not a list of skills.
    parts = [(s, e)] if text[s] in "对就" else _cut(text, s, e, _LIST)
    if len(parts) > 1:
        # The last item of a list ends at 等: "redis等存储引擎的使用方法", "目标跟踪、机器人视觉等领域".
        a, b = parts[-1]
        cut = text.find("等", a, b)
        if cut > a and text[cut + 1:cut + 2] not in ("级", "同", "效"):
            parts[-1] = (a, cut)
        parts = _group(text, parts)
    out: list[tuple[int, int]] = []
    for a, b in parts:
        for x, y in _split_conj(text, a, b):
            x, y, _ = _strip(text, x, y)
            kind = _KIND_BEFORE_NAME.match(text, x, y)
            if kind and kind.end() < y and _is_latin(text[kind.end():y]):
                x = kind.end()
            if y > x:
                out.append((x, y))
    return out


def _worth(piece: str) -> bool:
    """A span must carry some content: two Han characters or a Latin name, not a bare number or a stray letter."""
    core = re.sub(r"[\s\W_]+", "", piece)
    if not core or core.isdigit():
        return False
    if _HAN.search(piece):
        return _han_len(piece) >= 2
    return any(len(w) >= 2 or w.isupper() for w in _EN_WORD.findall(piece))


def skill_spans(text: str, *, item_lines: bool = True) -> list[Span]:
    """Every phrase of the text that may name a skill, in order; lines about pay, company or contact left out.

    A clause counts as cued ("frame") when it has a requirement or duty cue of its own, or (item_lines) when it
    belongs to a numbered line item, which in a job ad lists duties and requirements.
    """
    out: list[Span] = []
    work = clean(text)
    pieces = clauses(work)
    section_other = False  # inside 福利待遇：… or 公司简介：… until the next heading
    off_topic = False  # the rest of a line item or sentence about pay, benefits, health or the employer
    in_item = False
    for i, (s, e, opens) in enumerate(pieces):
        clause = work[s:e]
        before = work[pieces[i - 1][1]:s] if i else ""
        if opens or re.search(r"[。；;！!？?\n]", before):
            off_topic = False
        if opens:
            in_item = True
        after = work[e:e + 1]
        if ((after and after in "：:") and _HEADING.fullmatch(clause)) or (
                i + 1 < len(pieces) and pieces[i + 1][2] and _BARE_HEADING.fullmatch(clause)):
            section_other = bool(_OTHER_SECTION.search(clause))
            in_item = False
            continue
        if section_other:
            continue
        if off_topic:
            continue
        majors = _majors(work, s, e) if "专业" in clause else []
        if majors:
            out += [Span(text[a:b], a, b, "frame") for a, b in majors if _worth(work[a:b])]
            continue
        if _OFF_TOPIC.search(clause):
            off_topic = True
            continue
        if (_NOT_SKILL.search(clause) or _NEGATED.search(clause) or _QUESTION.search(clause)
                or (after and after in "？?")):
            continue
        exams = list(_EXAM.finditer(work, s, e))
        if exams:
            out += [Span(text[m.start():m.end()], m.start(), m.end(), "frame") for m in exams]
            continue
        kind = "frame" if _CUE.search(clause) or (item_lines and in_item) else "bare"
        for a, b in _items(work, s, e):
            if _worth(work[a:b]):
                out.append(Span(text[a:b], a, b, kind))
    return out
