"""GET /api/search: a thin route over the search service (validation and errors live below and in errors.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from assistant.api.deps import RetrievalDep
from assistant.api.ratelimit import per_address
from assistant.retrieval.search import Query as SearchQuery

router = APIRouter()


@router.get("/api/search", dependencies=[Depends(per_address("search"))])
def search(
    retrieval: RetrievalDep,
    q: str = Query("", description="what to look for, Chinese or English"),
    type: str | None = Query(None, description="occupation | skill | apprenticeship | training | policy"),
    scheme: str | None = Query(None, description="e.g. csco2022, esco, isco08"),
    lang: str | None = Query(None, description="zh | en"),
    location: str | None = Query(None, description="city or province, for offers"),
    k: int = Query(10, description="number of hits, 1..100"),
) -> dict[str, Any]:
    hits = retrieval.service.search(SearchQuery(q, type=type, scheme=scheme, lang=lang, location=location, k=k))
    body: dict[str, Any] = {"hits": [h.to_dict() for h in hits]}
    warnings = retrieval.holder.warnings()
    if warnings:
        body["warnings"] = warnings
    return body
