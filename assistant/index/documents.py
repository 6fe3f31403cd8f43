"""What gets indexed: store rows flattened into documents (one per concept, offer or passage) and text units."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from assistant.store.models import Document, Occupation, Offer, Skill, Source

TYPES = ("occupation", "skill", "apprenticeship", "training", "policy")
SNIPPET_CHARS = 160


@dataclass
class IndexDoc:
    """One searchable item with everything a hit needs to cite where it came from."""

    id: str
    type: str
    title: str
    language: str
    source: dict[str, str | None]
    scheme: str | None = None
    code: str | None = None
    uri: str | None = None
    snippet: str = ""
    location: str | None = None
    kind: str | None = None  # occupation | group (occupations); apprenticeship | training (offers)
    leaf: bool = True  # false for classification groups that have sub-groups or occupations below them
    aliases: list[str] = field(default_factory=list)  # other names (occupations, skills), for exact name matching
    tags: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "IndexDoc":
        return cls(**data)


@dataclass(frozen=True)
class Unit:
    """A piece of text that points at a document: its title, an alias, a definition, a passage body."""

    doc: int
    field: str  # title | alias | definition | tasks | body
    text: str
    dense: bool  # embedded as well as indexed lexically (long, low-value fields are lexical only)


def store_hash(session: Session) -> str:
    """Content hash of the whole store, from each source's name, version and content checksum."""
    rows = session.execute(select(Source.name, Source.kind, Source.version, Source.checksum).order_by(Source.name))
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join(str(x) for x in row).encode() + b"\x1e")
    return digest.hexdigest()


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"


def _sources(session: Session) -> dict[int, dict[str, str | None]]:
    return {s.id: {"name": s.name, "version": s.version, "url": s.url} for s in session.scalars(select(Source))}


def iter_documents(session: Session) -> Iterator[tuple[IndexDoc, list[tuple[str, str, bool]]]]:
    """Yield (document, [(field, text, dense)]) for every indexable row, in a stable order.

    Only rows of the sources read first: an import that commits a new source meanwhile (the reads are separate
    statements, not one snapshot) is left to the next build, which the caller's store check asks for."""
    sources = _sources(session)
    known = list(sources)
    parents = {
        (scheme, code)
        for scheme, code in session.execute(select(Occupation.scheme, Occupation.parent_code))
        if code
    }
    occupations = select(Occupation).where(Occupation.source_id.in_(known)).order_by(Occupation.scheme, Occupation.key)
    for o in session.scalars(occupations):
        doc = IndexDoc(
            id=f"occupation:{o.scheme}:{o.code or o.uri or o.key}", type="occupation", title=o.title,
            language=o.language, source=sources[o.source_id], scheme=o.scheme, code=o.code, uri=o.uri,
            snippet=_snippet(o.description or "；".join(o.tasks)), kind=o.kind,
            leaf=o.kind == "occupation" or (o.scheme, o.code) not in parents, tags=list(o.tags),
            aliases=list(o.alt_titles),
            extra={k: v for k, v in (("isco_code", o.isco_code), ("parent_code", o.parent_code), ("level", o.level)) if v},
        )
        fields = [("title", o.title, True)]
        fields += [("alias", a, o.scheme != "esco") for a in o.alt_titles]  # ESCO lists ~10 per concept: lexical only
        if o.description:
            fields.append(("definition", o.description, o.scheme != "esco"))
        if o.tasks:
            fields.append(("tasks", " ".join(o.tasks), False))
        yield doc, fields
    for s in session.scalars(select(Skill).where(Skill.source_id.in_(known)).order_by(Skill.scheme, Skill.uri)):
        doc = IndexDoc(
            id=f"skill:{s.scheme}:{s.uri}", type="skill", title=s.label, language=s.language,
            source=sources[s.source_id], scheme=s.scheme, uri=s.uri, snippet=_snippet(s.description),
            kind=s.skill_type, tags=list(s.tags), extra={"reuse_level": s.reuse_level} if s.reuse_level else {},
        )
        fields = [("title", s.label, True)] + [("alias", a, False) for a in s.alt_labels]
        if s.description:
            fields.append(("definition", s.description, False))
        yield doc, fields
    # Streamed in batches: a catalogue of 1M offers buffered as ORM objects would take gigabytes at once.
    offers = select(Offer).where(Offer.source_id.in_(known)).order_by(Offer.source_id, Offer.external_id).execution_options(yield_per=2000)
    for f in session.scalars(offers):
        src = sources[f.source_id]
        location = " ".join(x for x in (f.city, f.region) if x) or None
        doc = IndexDoc(
            id=f"{f.kind}:{src['name']}:{f.external_id}", type=f.kind, title=f.title, language=f.language,
            source={**src, "url": f.url or src["url"]}, scheme=src["name"], code=f.external_id,
            snippet=_snippet(f.description), location=location, kind=f.kind, tags=list(f.tags),
            extra={"provider": f.provider, "sample": f.sample, "citation": f.citation, "mode": f.mode,
                   "target_occupations": list(f.target_occupations)},
        )
        body = " ".join(x for x in (f.provider, f.description, f.qualification or "", location or "") if x)
        yield doc, [("title", f.title, True), ("body", body, True)]
    documents = (select(Document).where(Document.source_id.in_(known)).options(selectinload(Document.passages))
                 .order_by(Document.source_id, Document.key))
    docs = session.scalars(documents)
    for d in docs:
        src = sources[d.source_id]
        for p in d.passages:
            # A Markdown H1 repeats the document title: cite "title — section", not "title — title › section".
            path = p.section_path[1:] if p.section_path[:1] == [d.title] else p.section_path
            section = " › ".join(path)
            doc = IndexDoc(
                id=f"policy:{src['name']}:{d.key}#{p.ordinal}", type="policy",
                title=f"{d.title} — {section}" if section else d.title, language=p.language,
                source={**src, "url": d.url or src["url"]}, scheme=src["name"], code=f"{d.key}#{p.ordinal}",
                snippet=_snippet(p.text), kind="passage",
                extra={"document": d.title, "section": list(p.section_path), "citation": d.citation},
            )
            yield doc, [("title", doc.title, False), ("body", p.text, True)]


def collect(session: Session) -> tuple[list[IndexDoc], list[Unit]]:
    """All documents and their units, ready to embed and index."""
    docs: list[IndexDoc] = []
    units: list[Unit] = []
    for doc, fields in iter_documents(session):
        i = len(docs)
        docs.append(doc)
        seen: set[tuple[str, str]] = set()
        for name, text, dense in fields:
            text = text.strip()
            if text and (name, text) not in seen:
                seen.add((name, text))
                units.append(Unit(i, name, text, dense))
    return docs, units
