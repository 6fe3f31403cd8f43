"""The plan handed to the job seeker: each step's citation in words, and the Word (.docx) version of the print page.

UI strings come in as `t` (the console's zh or en strings), so the document speaks the language it is asked in.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from assistant.casework.plan import PlanItem
from assistant.casework.views import SessionDetail
from assistant.store.clock import shown

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Word picks East Asian glyphs from the eastAsia font; without it Chinese may come out in a Latin font's fallback.
EAST_ASIA_FONT = "SimSun"
LATIN_FONT = "Calibri"


def _scheme(t: dict[str, str], name: str | None) -> str:
    return t.get(f"scheme_{name}", name or "") if name else ""


def cite(kind: str | None, source: dict[str, Any] | None, code: str | None, ref: str | None, sample: bool,
         t: dict[str, str]) -> list[str]:
    """Where a suggestion comes from: taxonomy and code, provider, or policy document and section; samples marked."""
    s: dict[str, Any] = source or {}
    if kind == "occupation":
        parts = [_scheme(t, s.get("name")), code or (ref or "").split(":", 1)[-1], s.get("version")]
    elif kind in ("apprenticeship", "training"):
        parts = [s.get("provider"), _scheme(t, s.get("name")), code]
    elif s.get("document"):
        document, _, section = str(s["document"]).partition(" — ")
        parts = [f"《{document}》", section, _scheme(t, s.get("name"))]
    elif s.get("provider"):
        parts = [s.get("provider"), _scheme(t, s.get("name"))]
    else:
        parts = [_scheme(t, s.get("name")), s.get("code") or code]
    if sample:
        parts.append(t["card_sample"] + t["card_open"] + t["card_sample_hint"] + t["card_close"])
    return [str(p) for p in parts if p]


def citation(item: PlanItem, t: dict[str, str]) -> list[str]:
    """A plan step's source; a step the counsellor wrote cites the agreement itself."""
    if item.kind == "step":
        return [t["cw_export_own_step"]]
    return cite(item.suggestion_kind, item.source, item.code, item.ref, item.sample, t)


def citations(detail: SessionDetail, t: dict[str, str]) -> dict[str, list[str]]:
    """Every citation a session page shows: "<kind>|<ref>" for suggestions, "item:<id>" for plan steps."""
    out = {f"{v.suggestion.kind}|{v.suggestion.ref}": cite(v.suggestion.kind, v.suggestion.source, v.suggestion.code,
                                                            v.suggestion.ref, v.suggestion.sample, t)
           for v in detail.suggestions}
    out.update({f"item:{i.id}": citation(i, t) for i in detail.plan.items})
    return out


def when(item: PlanItem, t: dict[str, str]) -> str:
    """Target date first (the plan is ordered by it), then duration, as one cell."""
    parts = []
    if item.target_date:
        parts.append(item.target_date)
    if item.duration:
        parts.append(f"{t['cw_plan_duration']}{t['card_colon']}{item.duration}")
    return t["card_sep"].join(parts) if parts else "—"


@dataclass(frozen=True)
class ExportInfo:
    """Who hands the plan over, and when; the same on the print page and in the document."""

    counsellor: str
    day: date  # in the deployment's time zone
    lang: str
    zone: str = "UTC"  # settings.time_zone: how the document writes times


def _fonts(document: Any) -> None:
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = document.styles[name]
        style.font.name = LATIN_FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), EAST_ASIA_FONT)
    document.styles["Normal"].font.size = Pt(11)


def _row(table: Any, cells: list[str], *, bold: bool = False) -> None:
    row = table.add_row().cells
    for cell, text in zip(row, cells):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = bold


def plan_docx(detail: SessionDetail, t: dict[str, str], info: ExportInfo) -> bytes:
    """The plan as a Word document: header facts, the steps table with citations, confirmed skills, notes on data."""
    document = Document()
    _fonts(document)
    document.core_properties.title = t["cw_export_title"]
    document.core_properties.author = info.counsellor
    document.core_properties.language = "zh-CN" if info.lang == "zh" else "en"
    document.add_heading(t["cw_export_title"], level=0)
    colon = t["card_colon"]
    status = t[f"cw_plan_status_{detail.plan.status}"]
    if detail.plan.agreed_at:
        status += t["card_open"] + shown(detail.plan.agreed_at, info.zone, with_time=False) + t["card_close"]
    client = detail.contact.display_name if detail.contact and detail.contact.display_name else detail.id[:8]
    facts = [(t["cw_export_client"], client), (t["cw_export_counsellor"], info.counsellor),
             (t["cw_export_date"], info.day.isoformat()), (t["cw_plan_status"], status)]
    if detail.plan.goals:
        facts.append((t["cw_plan_goal"], t["card_sep"].join(g.title for g in detail.plan.goals)))
    for label, value in facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(label + colon).bold = True
        paragraph.add_run(value)

    document.add_heading(t["cw_export_steps"], level=1)
    steps = detail.plan.steps
    if not steps:
        document.add_paragraph(t["cw_plan_empty"])
    else:
        table = document.add_table(rows=0, cols=4)
        table.style = "Table Grid"
        _row(table, [t["cw_export_col_when"], t["cw_plan_action"], t["cw_export_col_step"],
                     t["cw_export_col_source"]], bold=True)
        for item in steps:
            _row(table, [when(item, t), t.get(f"cw_action_{item.action}", "") if item.action else "", item.title,
                         " · ".join(citation(item, t))])
    if detail.plan.has_sample:
        note = document.add_paragraph()
        run = note.add_run(t["cw_export_sample_note"])
        run.italic = True
        run.font.color.rgb = RGBColor(0x8A, 0x4B, 0x00)

    confirmed = [s for s in detail.skills if s.confirmed]
    if confirmed:
        document.add_heading(t["cw_export_skills"], level=1)
        for s in confirmed:
            words = f"{t['card_open']}“{s.evidence}”{t['card_close']}" if s.evidence and s.evidence != s.label else ""
            anchor = f" — {_scheme(t, s.scheme)} {s.code or s.uri or ''}".rstrip() if s.scheme else ""
            document.add_paragraph(f"{s.label}{words}{anchor}", style="List Bullet")

    closing = document.add_paragraph(t["cw_export_footer"])
    closing.alignment = WD_ALIGN_PARAGRAPH.LEFT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
