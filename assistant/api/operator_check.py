"""Console check screen: search as a job seeker would, to confirm an import shows up (guarded by operator.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from assistant.api.deps import PagesDep, SearchDep
from assistant.api.operator_view import render
from assistant.retrieval.check import GROUPS, QUERY_CHARS, check_search

router = APIRouter()


@router.get("/operator/check", response_class=HTMLResponse)
def check_page(request: Request, pages: PagesDep, search: SearchDep) -> HTMLResponse:
    params = request.query_params
    only = params.get("type") or ""
    only = only if only in GROUPS else ""  # a mistyped link shows every group rather than an error
    result = check_search(search, params.get("q") or "", location=params.get("location") or "", only=only)
    return render(request, pages, "check.html", "check", {
        "result": result, "groups": GROUPS, "only": only, "max_chars": QUERY_CHARS,
    })
