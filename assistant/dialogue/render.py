"""Replies and cards: jinja2 templates in Chinese and English, and citation-carrying cards for every recommendation."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("zh", "en")


def _years_zh(years: float) -> str:
    return f"{years:g}年" if years >= 1 else f"{round(years * 12):g}个月"


def _years_en(years: float) -> str:
    return f"{years:g} year{'s' if years != 1 else ''}" if years >= 1 else f"{round(years * 12):g} months"


@functools.cache
def environment() -> Environment:
    """Built on first use; plain text out (the web layer escapes), undefined names fail loudly in tests."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, autoescape=False,
                      trim_blocks=False, keep_trailing_newline=False)
    env.filters["years_zh"] = _years_zh
    env.filters["years_en"] = _years_en
    return env


def render(lang: str, name: str, **context: Any) -> str:
    lang = lang if lang in LANGUAGES else "zh"
    return environment().get_template(f"{lang}/{name}.j2").render(**context).strip()


def _why_occupation(o: dict[str, Any], lang: str) -> str:
    parts = []
    for r in o["reasons"][:3]:
        # A reason of a kind this table does not know yet still shows its text rather than breaking the reply.
        label = {"zh": {"goal": "你的目标", "topic": "你想做的方向", "interest": "你的兴趣", "experience": "你的经历", "related": "与你的描述相关", "skill": "你的技能",
                        "skills": "你的技能符合它的要求"},
                 "en": {"goal": "your goal", "topic": "the field you want", "interest": "your interests", "experience": "your experience", "related": "related to what you said",
                        "skill": "your skill", "skills": "your skills meet its requirements"}}[lang].get(
            r["kind"], "依据" if lang == "zh" else "because")
        parts.append(f"{label}：{r['text']}" if lang == "zh" else f"{label}: {r['text']}")
    total = len(o["skills_matched"]) + len(o["skills_missing"])
    if total:
        parts.append(f"已具备 {len(o['skills_matched'])}/{total} 项要求" if lang == "zh"
                     else f"meets {len(o['skills_matched'])}/{total} requirements")
    if o.get("longer_route"):
        parts.append("通常需要大学本科学历，是一条较长的路" if lang == "zh"
                     else "usually needs a university degree: a longer route")
    if o.get("conflicts"):
        said = "、".join(LIMIT_WORDS["zh"][c] for c in o["conflicts"]) if lang == "zh" \
            else ", ".join(LIMIT_WORDS["en"][c] for c in o["conflicts"])
        parts.append(f"注意：与你说的“{said}”不符" if lang == "zh" else f"note: it goes against what you said ({said})")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


# How the person's stated limits are named back to them (guidance.profile.LIMITS).
LIMIT_WORDS = {
    "zh": {"no-shifts": "不倒班", "no-computer": "电脑不太会", "no-phone": "不做电话工作", "wheelchair": "坐轮椅",
           "home-based": "在家工作", "minor": "未满18岁"},
    "en": {"no-shifts": "no shifts", "no-computer": "not at ease with computers", "no-phone": "no phone work",
           "wheelchair": "uses a wheelchair", "home-based": "work from home", "minor": "under 18"},
}


def _why_offer(o: dict[str, Any], lang: str) -> str:
    zh = lang == "zh"
    parts = []
    for w in o["why"]:
        kind = w["kind"]
        if kind == "trains-for":
            parts.append(f"培养目标职业：{w['title']}（{w['code']}）" if zh else f"trains for {w['title']} ({w['code']})")
        elif kind == "closes-gaps":
            joined = "、".join(w["skills"]) if zh else ", ".join(w["skills"])
            parts.append(f"可补上：{joined}" if zh else f"covers: {joined}")
        elif kind == "place":
            parts.append(f"地点：{w['where']}" if zh else f"in {w['where']}")
        elif kind == "nearby":
            parts.append(f"在附近：{w['where']}" if zh else f"nearby: {w['where']}")
        elif kind == "paid":
            parts.append(f"带薪：{w['wage']}" if zh else f"paid: {w['wage']}")
        elif kind == "within-budget":
            parts.append(f"费用：{w['cost']}" if zh else f"cost: {w['cost']}")
    return "；".join(parts) if zh else "; ".join(parts)


def occupation_card(o: dict[str, Any], lang: str) -> dict[str, Any]:
    return {"type": "occupation", "scheme": o["scheme"], "code": o["code"], "uri": o["uri"], "title": o["title"],
            "why": _why_occupation(o, lang), "source": o["source"], "score": o["score"],
            "skills_matched": o["skills_matched"], "skills_missing": o["skills_missing"], "tags": o["tags"],
            "longer_route": o.get("longer_route", False), "nearby": o.get("nearby", [])}


def offer_card(o: dict[str, Any], lang: str) -> dict[str, Any]:
    source = {**o["source"], "provider": o["provider"], "citation": o["citation"], "sample": o["sample"]}
    return {"type": o["kind"], "scheme": o["scheme"], "code": o["code"], "uri": source.get("url"), "title": o["title"],
            "why": _why_offer(o, lang), "source": source, "quality": o["quality"], "city": o["city"],
            "mode": o["mode"], "duration": o["duration"], "sample": o["sample"], "leads_to": o["leads_to"],
            "covers": o["covers"]}


def skill_card(s: dict[str, Any], lang: str) -> dict[str, Any]:
    basis = ("ESCO" if s.get("uri") else "CSCO 2022 任务" if lang == "zh" else "CSCO 2022 task") if (
        s.get("uri") or s.get("code")) else None
    why = (f"你说的：“{s['evidence']}”" if lang == "zh" else f"you said: \"{s['evidence']}\"")
    return {"type": "skill", "scheme": s.get("scheme"), "code": s.get("code"), "uri": s.get("uri"),
            "title": s["label"], "why": why, "source": {"name": s.get("scheme") or "你的描述" if lang == "zh" else
                                                        s.get("scheme") or "your words", "basis": basis},
            "confidence": s.get("confidence"), "confirmed": s.get("confirmed", False), "id": s["id"]}


def step_card(s: dict[str, Any], lang: str) -> dict[str, Any]:
    return {"type": "step", "scheme": s["source"].get("name"), "code": s["ref"], "uri": s["source"].get("url"),
            "title": s["title"], "why": s["kind"], "source": s["source"], "step": s["step"], "duration": s["duration"],
            "sample": bool(s["source"].get("sample")), "covers": s.get("covers", []),
            "covers_labels": s.get("covers_labels", []), "leads_to": s.get("leads_to")}


def policy_card(answer: Any) -> dict[str, Any]:
    h = answer.hit
    return {"type": "policy", "scheme": h.scheme, "code": h.code, "uri": h.source.get("url"), "title": h.title,
            "why": answer.quote, "source": {**h.source, "document": h.extra.get("document"),
                                            "section": h.extra.get("section"), "citation": h.extra.get("citation")}}
