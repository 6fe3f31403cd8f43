"""Job-ad titles carry noise around the occupation: pay, places, perks, shifts, company names. Strip it."""

from __future__ import annotations

import functools
import re

from assistant.retrieval.gazetteer import place_names

_NUM = r"[0-9０-９一二两三四五六七八九十百千万]"
# Each pattern is a kind of noise seen in real titles ("抖音快手客服 不加班", "电影院检票员300/天包吃包住").
_BRACKETS = re.compile(r"[\(（\[【<《]([^\)）\]】>》]*)[\)）\]】>》]")  # asides: places, shifts, perks, ad codes
_NOISE = [
    # pay ranges and amounts: 5000-8000元, 8千-1.2万, 6K-8K, 18-45岁 (age ranges look the same)
    _NUM + r"+(\.\d+)?\s*[kKwW千万]?\s*[-~～到至]\s*" + _NUM + r"+(\.\d+)?\s*[kKwW千万]?\s*[元岁]?",
    r"(月入|月薪|年薪|底薪|保底|日结|日薪|时薪|薪资|工资|综合薪资|收入)\s*" + _NUM + r"*\s*[kKwW千万元]?[\+以上起]*",
    _NUM + r"+\s*[kKwW千万元]?\s*(/|每)?\s*(天|月|小时|时|年)",  # 300/天, 8千每月
    r"\d+\s*[kKwW千万元]\+?", r"\d{3,}\+?",
    r"(五|六)险(一|二)?金?", r"包(吃住|食宿|住宿|吃|住)+", r"(提供|免费)(住宿|食宿|员工餐)", r"(周末)?(双|单)休",
    r"(可|接受)?(小白|无经验|应届生?|实习生?)(可|均可)?", r"(不|无)(加班|经验)",
    r"急(招|聘)|直招|诚聘|高薪|招募|诚招|急需", r"无责|底薪|过万|月入|提成",
    r"[$£€¥]\s?\d[\d,.]*k?(\s*(/|per)\s*(hour|hr|h|day|week|month|year))?",
    r"(?i:\b(urgent(ly)?|hiring|wanted|full[- ]time|part[- ]time|(night|day) shifts?|immediate start|apply now)\b)",
    r"上\d+休\d+", r"早\d+晚\d+", r"长白班|两班倒|倒班|夜班|白班|日结|兼职|全职|可居家|居家|在家",
]
_NOISE_RE = re.compile("|".join(f"(?:{p})" for p in _NOISE))
_HIRING = re.compile(r"招聘(.+)$")  # "XX餐饮服务中心招聘服务员": the company comes before 招聘, the job after
_RECRUITING_JOBS = ("专员", "主管", "经理", "师", "助理", "顾问", "官")  # 招聘专员, 招聘师: recruiting is the job


@functools.cache
def _places_re() -> re.Pattern[str]:
    names = sorted(place_names(), key=len, reverse=True)  # longest first: 湖州市 before 湖州
    return re.compile("|".join(map(re.escape, names)))


def clean_title(text: str) -> str:
    """The occupation words of a job-ad title; the input unchanged when nothing would be left."""
    original = text.strip()
    hiring = _HIRING.search(original)
    if hiring and not hiring.group(1).startswith(_RECRUITING_JOBS):
        text = hiring.group(1)
    outside = _strip(_BRACKETS.sub(" ", text))
    # Usually the brackets hold the aside; in "新乡西大街急招【人事专员】 五险" they hold the job itself.
    if len(re.sub(r"\W", "", outside)) < 2:
        outside = _strip(" ".join(_BRACKETS.findall(text))) or outside
    return outside or original


def _strip(text: str) -> str:
    text = _NOISE_RE.sub(" ", text)
    text = _places_re().sub(" ", text)
    return re.sub(r"[^\w\u4e00-\u9fff]+", " ", text).strip()
