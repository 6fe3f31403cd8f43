"""The casework error (a request a counsellor can correct, with a code the console words) and the text check."""

from __future__ import annotations

from typing import Any

from assistant.errors import QueryError


class CaseError(QueryError):
    """Refused as asked (400): `code` picks the console's message, `params` fill it; str() is the English detail."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = {k: str(v) for k, v in params.items()}


def target(conversation_id: str) -> str:
    """How audit entries name a conversation."""
    return f"conversation:{conversation_id}"


def checked_text(value: str, *, limit: int, code: str, what: str, required: bool = True) -> str:
    """A form's text, stripped; empty (when required) or over the limit is refused as <code>_empty / <code>_long."""
    text = (value or "").strip()
    if required and not text:
        raise CaseError(f"{code}_empty", f"{what} is empty")
    if len(text) > limit:
        raise CaseError(f"{code}_long", f"{what} is {len(text)} characters; the limit is {limit}", limit=limit)
    return text
