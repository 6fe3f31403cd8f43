"""The one place that maps domain errors to HTTP responses: JSON for the API, an HTML page for browsers."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import (
    AccountError,
    AuthenticationRequired,
    IndexBusyError,
    IndexMismatchError,
    IndexNotReadyError,
    InputError,
    NotFoundError,
    PermissionDenied,
    QueryError,
    SkillPathError,
    StoreUnavailableError,
    UnknownSourceError,
)

STATUS = {
    InputError: 400,
    UnknownSourceError: 400,
    QueryError: 400,
    StoreUnavailableError: 503,
    IndexNotReadyError: 503,
    IndexMismatchError: 503,
    IndexBusyError: 409,
    NotFoundError: 404,
    AuthenticationRequired: 401,
    PermissionDenied: 403,
    AccountError: 400,
}
log = logging.getLogger("skillpath.api")


def wants_html(request: Request) -> bool:
    """A browser asking for a page: not the JSON API, and HTML accepted."""
    path = request.url.path
    if path.startswith("/api/") or path in ("/healthz", "/openapi.json"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _page(request: Request, status: int, detail: str) -> Response:
    if status == 401 and request.method == "GET":  # a browser without a login goes to the login page and back
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    pages = getattr(request.app.state, "pages", None)
    if pages is None:
        return JSONResponse({"error": "HTTPError", "detail": detail}, status_code=status)
    t = pages.strings[pages.language(request)]
    message = t.get(f"error_{status}", t["error_title"])
    # Server errors show no internals; client errors show what was wrong with the request.
    return pages.render(request, "error.html", {"status": status, "message": message,
                                                "detail": detail if status < 500 else ""}, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Same shape as our own QueryError: {"error", "detail"} with the parameter named first.
        first = exc.errors()[0] if exc.errors() else {}
        where = str(first.get("loc", ("", "request"))[-1])
        return JSONResponse({"error": "QueryError", "detail": f"{where}: {first.get('msg', 'invalid')}"},
                            status_code=400)

    @app.exception_handler(SkillPathError)
    async def _domain_error(request: Request, exc: SkillPathError) -> Response:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 500)
        if wants_html(request):
            return _page(request, status, str(exc))
        body: dict[str, object] = {"error": type(exc).__name__, "detail": str(exc)}
        if isinstance(exc, InputError):
            body.update(file=exc.file, line=exc.line, field=exc.field)
        return JSONResponse(body, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = str(exc.detail)
        if wants_html(request):
            return _page(request, exc.status_code, detail)
        return JSONResponse({"error": "HTTPError", "detail": detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Logged with the route only: request bodies may hold personal data.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if wants_html(request):
            return _page(request, 500, "")
        return JSONResponse({"error": "InternalError", "detail": "internal error"}, status_code=500)
