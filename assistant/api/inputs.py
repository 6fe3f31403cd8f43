"""Text a request may carry: valid UTF-8, no NUL, no lone surrogates, checked before any route or store sees it.

Neither store can hold everything a Python string can: PostgreSQL refuses NUL in text, and SQLite and PostgreSQL
both fail to encode a lone surrogate (JSON's "\\ud800" decodes to one). Left alone, either is a 500 from deep inside
a transaction; here it is a 400 that names the field. A query string or form with invalid UTF-8 would otherwise be
decoded with U+FFFD in place of the bad bytes, and the search would quietly look for something nobody typed.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import unquote_to_bytes

from fastapi import Request
from pydantic import AfterValidator

from assistant.errors import QueryError

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_URLENCODED = "application/x-www-form-urlencoded"


def text_problem(value: str) -> str | None:
    """Why the store could not hold this text, or None when it can."""
    bad = _UNSTORABLE.search(value)
    if bad is None:
        return None
    char = bad.group()
    what = "a NUL character" if char == "\x00" else "a lone surrogate, half of a UTF-16 pair"
    return f"not valid text: {what} (U+{ord(char):04X}) at character {bad.start() + 1}"


def _well_formed(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)  # pydantic reports it under the field's name (see errors.py)
    return value


# The type of every text field of a JSON body.
Text = Annotated[str, AfterValidator(_well_formed)]


def _query_pairs(raw: bytes) -> list[tuple[str, bytes]]:
    pairs = []
    for part in raw.split(b"&"):
        if part:
            name, _, value = part.partition(b"=")
            pairs.append((unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace"),
                          unquote_to_bytes(value.replace(b"+", b" "))))
    return pairs


def _check(name: str, value: str | bytes) -> None:
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise QueryError(f"{name}: not valid UTF-8 (byte 0x{value[exc.start]:02x} at byte {exc.start + 1})") \
                from None
    problem = text_problem(value)
    if problem:
        raise QueryError(f"{name}: {problem}")


async def check_request_text(request: Request) -> None:
    """An app-wide dependency: the query string, the path's parameters and an urlencoded form must be storable text.

    Multipart forms (uploads) are not read here: their routes read them after the role guard and the body cap.
    """
    for name, raw in _query_pairs(request.scope.get("query_string", b"")):
        _check(name, raw)
    for name, value in request.path_params.items():
        if isinstance(value, str):
            _check(name, value)
    if request.method == "POST" and request.headers.get("content-type", "").startswith(_URLENCODED):
        # Starlette decodes form bytes with U+FFFD for invalid UTF-8; NUL arrives as is. Parsed once, cached.
        for name, value in (await request.form()).multi_items():
            if isinstance(value, str):
                _check(name, value)
