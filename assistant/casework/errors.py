"""The casework error: a request a counsellor can correct, with a code the console turns into its own words."""

from __future__ import annotations

from typing import Any

from assistant.errors import QueryError


class CaseError(QueryError):
    """Refused as asked (400): `code` picks the console's message, `params` fill it; str() is the English detail."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = {k: str(v) for k, v in params.items()}
