"""Counts of what the store holds, per scheme, kind, language and source version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.store.models import Document, Occupation, OccupationSkill, Offer, Passage, Skill, Source


def _grouped(session: Session, *cols: Any, where: Any = None) -> dict[str, Any]:
    query = select(*cols, func.count()).group_by(*cols)
    if where is not None:
        query = query.where(where)
    out: dict[str, Any] = {}
    for *keys, n in session.execute(query):
        node = out
        for k in keys[:-1]:
            node = node.setdefault(str(k), {})
        node[str(keys[-1])] = n
    return out


def store_status(session: Session) -> dict[str, Any]:
    """One JSON-ready summary; `occupations` counts detailed occupations, `groups` the hierarchy above them."""
    sources = [
        {
            "name": s.name, "kind": s.kind, "version": s.version, "checksum": s.checksum,
            "imported_at": s.imported_at.isoformat(), "location": s.location,
            "licence": s.licence, "attribution": s.attribution, "url": s.url,
        }
        for s in session.scalars(select(Source).order_by(Source.name))
    ]
    return {
        "occupations": _grouped(session, Occupation.scheme, where=Occupation.kind == "occupation"),
        "groups": _grouped(session, Occupation.scheme, where=Occupation.kind == "group"),
        "skills": _grouped(session, Skill.scheme),
        "relations": session.scalar(select(func.count()).select_from(OccupationSkill)) or 0,
        "offers": {"apprenticeship": 0, "training": 0, **_grouped(session, Offer.kind)},
        "sample_offers": session.scalar(select(func.count()).where(Offer.sample.is_(True))) or 0,
        "documents": session.scalar(select(func.count()).select_from(Document)) or 0,
        "passages": session.scalar(select(func.count()).select_from(Passage)) or 0,
        "languages": {
            "occupations": _grouped(session, Occupation.language),
            "skills": _grouped(session, Skill.language),
            "offers": _grouped(session, Offer.language),
            "passages": _grouped(session, Passage.language),
        },
        "sources": sources,
    }
