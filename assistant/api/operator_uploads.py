"""Console uploads: the form and the list, one upload's validation report, and its import (guarded by operator.py).

An upload is validated on arrival and nothing reaches the store until the operator has seen the report
and pressed Import; an upload with any problem offers no Import at all, and the service refuses it anyway.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from assistant.api.deps import PagesDep, UploadsDep
from assistant.api.operator_view import actor, render
from assistant.api.templating import Pages
from assistant.ingest.runner import KINDS
from assistant.operations.imports import UploadRejectedError, import_upload
from assistant.operations.safefiles import UploadError, size_text
from assistant.operations.uploads import Uploads

router = APIRouter()
AUTO = "auto"
KIND_CHOICES = (AUTO, "offers", "documents", "csco", "esco", "esco-lite")
LISTED = 100  # past uploads on the page; older ones stay on disk and in the audit log
FIELD_CHARS = 200  # source name and version: labels, not documents
INDEX_OUTCOMES = ("agrees", "switched", "refreshing", "busy")  # agreement.IndexFollowUp.outcome
PROBLEMS_SHOWN = 1000  # a file bad on every row can hold 100 000s; past this many a page is no longer readable
# The form, described for the OpenAPI schema: the route reads it itself (see upload_submit), so FastAPI cannot.
UPLOAD_FORM = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "CSV, JSON, JSONL, Markdown, text, HTML, PDF, DOCX, or a .zip of them"},
        "kind": {"type": "string", "enum": list(KIND_CHOICES), "default": AUTO},
        "name": {"type": "string", "maxLength": FIELD_CHARS, "description": "source name (offers, documents)"},
        "version": {"type": "string", "maxLength": FIELD_CHARS, "description": "release label"},
        "csrf_token": {"type": "string", "description": "the form's token, unless the X-CSRF-Token header has it"},
    }}}}}}


def _form_page(request: Request, pages: Pages, uploads: Uploads, *, error: str = "",
               values: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    return render(request, pages, "uploads.html", "uploads", {
        "uploads": uploads.list()[:LISTED], "kinds": KIND_CHOICES, "error": error,
        "values": values or {"kind": AUTO, "name": "", "version": ""},
        "max_bytes": uploads.limits.max_bytes, "max_text": size_text(uploads.limits.max_bytes),
    }, status_code=status_code)


@router.get("/operator/uploads", response_class=HTMLResponse)
def uploads_page(request: Request, pages: PagesDep, uploads: UploadsDep) -> HTMLResponse:
    return _form_page(request, pages, uploads)


def _text_field(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip()[:FIELD_CHARS] if isinstance(value, str) else ""


@router.post("/operator/uploads", response_class=HTMLResponse, openapi_extra=UPLOAD_FORM)
async def upload_submit(request: Request, pages: PagesDep, uploads: UploadsDep) -> Response:
    # The form is read here rather than through File()/Form() parameters: FastAPI would read those before the
    # role guard runs, and the body cap (bodylimit.py) is meant to refuse a large upload before it is read.
    form = await request.form()
    values = {name: _text_field(form, name) for name in ("kind", "name", "version")}
    values["kind"] = values["kind"] or AUTO
    t = pages.strings[pages.language(request)]
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _form_page(request, pages, uploads, error=t["op_upload_error_no_file"], values=values, status_code=400)
    if values["kind"] not in KIND_CHOICES:
        return _form_page(request, pages, uploads, error=t["op_upload_error_kind"].format(kinds=", ".join(KINDS)),
                          values=values, status_code=400)
    data = await file.read()
    try:
        upload = await run_in_threadpool(
            uploads.receive, data, file.filename,
            kind=None if values["kind"] == AUTO else values["kind"],
            name=values["name"] or None, version=values["version"] or None, actor=actor(request),
        )
    except UploadError as exc:  # too large, empty, an unsafe archive: nothing was kept
        return _form_page(request, pages, uploads, error=str(exc), values=values, status_code=400)
    if upload.status == "rejected":
        # Kept with its report, but nothing in it can be imported: answered at once with the report and a 422
        # (400 above means refused outright, nothing kept), so a script posting files sees the failure too.
        page = _detail_page(request, pages, uploads, upload.id, status_code=422)
        page.headers["Content-Location"] = f"/operator/uploads/{upload.id}"  # the report's own address
        return page
    return RedirectResponse(f"/operator/uploads/{upload.id}", status_code=303)


def _detail_page(request: Request, pages: Pages, uploads: Uploads, upload_id: str, *, error: str = "",
                 status_code: int = 200) -> HTMLResponse:
    upload = uploads.get(upload_id)  # NotFoundError: 404
    return render(request, pages, "upload.html", "uploads", {
        "upload": upload, "report": upload.report, "size_text": size_text(upload.size), "error": error,
        "problems": upload.report.problems[:PROBLEMS_SHOWN],
        "problems_hidden": max(0, len(upload.report.problems) - PROBLEMS_SHOWN),
        "just_imported": request.query_params.get("imported") == "1" and upload.status == "imported",
        "just_undone": request.query_params.get("undone") == "1" and upload.status == "undone",
        # Where undo left the index (operator_undo.py's redirect says); an unknown word shows nothing.
        "index_outcome": outcome if (outcome := request.query_params.get("index")) in INDEX_OUTCOMES else "",
        "index_version": request.query_params.get("version", "")[:64],
    }, status_code=status_code)


@router.get("/operator/uploads/{upload_id}", response_class=HTMLResponse)
def upload_page(request: Request, pages: PagesDep, uploads: UploadsDep, upload_id: str) -> HTMLResponse:
    return _detail_page(request, pages, uploads, upload_id)


@router.post("/operator/uploads/{upload_id}/import", response_class=HTMLResponse)
def upload_import(request: Request, pages: PagesDep, uploads: UploadsDep, upload_id: str) -> Response:
    uploads.get(upload_id)  # 404 before anything else
    try:
        import_upload(uploads, upload_id, actor=actor(request))
    except UploadRejectedError as exc:  # problems found (again): the page shows them, the store is untouched
        return _detail_page(request, pages, uploads, upload_id, error=str(exc), status_code=400)
    # Post/redirect/get: reloading the result page does not import a second time.
    return RedirectResponse(f"/operator/uploads/{upload_id}?imported=1", status_code=303)


@router.get("/api/operator/uploads/{upload_id}/progress")
def import_progress(uploads: UploadsDep, upload_id: str) -> dict[str, Any]:
    """How far the import of this upload has got; the upload page polls it while its Import button waits."""
    return uploads.progress(upload_id).read().to_dict()
