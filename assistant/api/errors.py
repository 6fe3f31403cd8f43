"""The one place that maps domain errors to HTTP responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assistant.errors import (
    IndexBusyError,
    IndexMismatchError,
    IndexNotReadyError,
    InputError,
    NotFoundError,
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
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Same shape as our own QueryError: {"error", "detail"} with the parameter named first.
        first = exc.errors()[0] if exc.errors() else {}
        where = str(first.get("loc", ("", "request"))[-1])
        return JSONResponse({"error": "QueryError", "detail": f"{where}: {first.get('msg', 'invalid')}"},
                            status_code=400)

    @app.exception_handler(SkillPathError)
    async def _domain_error(_request: Request, exc: SkillPathError) -> JSONResponse:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 500)
        body: dict[str, object] = {"error": type(exc).__name__, "detail": str(exc)}
        if isinstance(exc, InputError):
            body.update(file=exc.file, line=exc.line, field=exc.field)
        return JSONResponse(body, status_code=status)
