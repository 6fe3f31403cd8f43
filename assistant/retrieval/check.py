"""The operator console's check screen: search as a job seeker would, grouped as the chat shows it, each hit cited.

Operators use it to confirm that an import shows up (after the index refresh) and that an undone one no longer
does. It asks the same SearchService the chat and /api/search ask, so what it finds is what people will find.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.retrieval.search import Hit, Query, SearchService

# What a job seeker is shown, in the order the chat shows it: occupations, offers (both kinds), policy passages.
GROUPS = ("occupation", "apprenticeship", "training", "policy")
PER_GROUP = 5
QUERY_CHARS = 200


@dataclass(frozen=True)
class CheckHit:
    """One result with its citation: the source name and version it came from, and where that source says so."""

    title: str
    type: str
    code: str | None
    snippet: str
    score: float
    source: str
    source_version: str | None
    url: str | None
    citation: str | None
    location: str | None
    detail: str | None  # the provider of an offer, the document of a policy passage

    @classmethod
    def of(cls, hit: Hit) -> CheckHit:
        extra = hit.extra or {}
        detail = extra.get("provider") or extra.get("document")
        return cls(hit.title, hit.type, hit.code, hit.snippet, hit.score, hit.source.get("name") or "",
                   hit.source.get("version"), hit.source.get("url"), extra.get("citation"), hit.location,
                   str(detail) if detail else None)


@dataclass(frozen=True)
class CheckResult:
    query: str
    location: str
    groups: dict[str, list[CheckHit]] = field(default_factory=dict)  # by GROUPS, empty lists kept

    @property
    def total(self) -> int:
        return sum(len(hits) for hits in self.groups.values())


def check_search(search: SearchService, text: str, *, location: str = "", only: str = "") -> CheckResult:
    """Each group's best hits for the text (all groups, or `only` one); an empty text finds nothing."""
    text, location = text.strip()[:QUERY_CHARS], location.strip()[:QUERY_CHARS]
    if not text:
        return CheckResult(text, location)
    groups = {}
    for group in GROUPS:
        if only and group != only:
            continue
        place = location if group in ("apprenticeship", "training") else None
        hits = search.search(Query(text, type=group, location=place or None, k=PER_GROUP))
        groups[group] = [CheckHit.of(h) for h in hits]
    return CheckResult(text, location, groups)
