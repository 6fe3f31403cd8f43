"""Plain records that parsers produce and the sync step writes; no database here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SourceKind = Literal["taxonomy", "offers", "documents"]


@dataclass(frozen=True)
class OccupationRecord:
    """One occupation or classification group of a scheme."""

    scheme: str  # csco2022 | esco | isco08 | ...
    key: str  # unique within the scheme: the code, or the URI where there is no code
    title: str
    code: str | None = None
    uri: str | None = None
    kind: Literal["occupation", "group"] = "occupation"
    level: int | None = None
    parent_code: str | None = None
    isco_code: str | None = None  # bridge to ISCO-08 where the scheme gives one
    alt_titles: tuple[str, ...] = ()
    description: str = ""
    tasks: tuple[str, ...] = ()
    language: str = "en"
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class SkillRecord:
    """One skill or knowledge concept."""

    scheme: str
    uri: str
    label: str
    alt_labels: tuple[str, ...] = ()
    description: str = ""
    skill_type: str | None = None  # skill/competence | knowledge | ...
    reuse_level: str | None = None  # transversal | cross-sector | sector-specific | occupation-specific
    language: str = "en"
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelationRecord:
    """Occupation–skill link, keyed by the occupation's key and the skill's URI."""

    scheme: str
    occupation_key: str
    skill_uri: str
    relation: Literal["essential", "optional"]


@dataclass(frozen=True)
class OfferRecord:
    """An apprenticeship place or a training offer (see docs/offers-schema.md)."""

    external_id: str
    kind: Literal["apprenticeship", "training"]
    title: str
    provider: str
    language: str = "zh"
    description: str = ""
    city: str | None = None
    region: str | None = None
    country: str | None = None
    mode: Literal["online", "in-person", "blended"] | None = None
    duration_months: float | None = None
    duration_text: str | None = None
    cost: float | None = None
    currency: str | None = None
    paid: bool | None = None  # apprentices receive a wage
    wage: str | None = None
    subsidy: str | None = None
    qualification: str | None = None
    level: str | None = None
    start_dates: tuple[str, ...] = ()
    target_occupations: tuple[str, ...] = ()
    target_skills: tuple[str, ...] = ()
    eligibility: str | None = None
    contact: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)  # agreement, mentor, rating, ...
    sample: bool = False
    citation: str | None = None  # where the facts behind a sample record come from
    line: int | None = None  # where the record came from, for messages


@dataclass(frozen=True)
class PassageRecord:
    """A retrievable chunk of a document, with the section it sits in."""

    ordinal: int
    text: str
    section_path: tuple[str, ...] = ()
    language: str = "zh"


@dataclass(frozen=True)
class DocumentRecord:
    """A policy or guidance document split into passages."""

    key: str  # stable within its source, e.g. the file path relative to the ingested root
    title: str
    language: str
    checksum: str
    passages: tuple[PassageRecord, ...] = ()
    url: str | None = None
    citation: str | None = None


@dataclass
class SourceBundle:
    """Everything one source contributes; the unit of one transaction."""

    name: str
    kind: SourceKind
    version: str
    checksum: str
    location: str
    licence: str = ""
    attribution: str = ""
    url: str | None = None
    occupations: list[OccupationRecord] = field(default_factory=list)
    skills: list[SkillRecord] = field(default_factory=list)
    relations: list[RelationRecord] = field(default_factory=list)
    offers: list[OfferRecord] = field(default_factory=list)
    documents: list[DocumentRecord] = field(default_factory=list)
    # Sources this one supersedes (e.g. a full ESCO export replaces the light ESCO set).
    supersedes: tuple[str, ...] = ()
    # Things the user should know about the input that did not stop the import.
    notes: list[str] = field(default_factory=list)
