"""Input errors with a code and parameters, so a console can say them in its own language (the text stays English)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from assistant.errors import InputError


class CodedInputError(InputError):
    """An InputError whose `code` and `params` name the problem independently of its English text.

    The code is the key the web console looks up (web/i18n: op_problem_<code>); params fill its placeholders.
    The command line and logs keep printing the English message, which reads the same as before.
    """

    def __init__(self, file: str | Path, code: str, message: str, *, line: int | None = None,
                 field: str | None = None, params: Mapping[str, object] | None = None) -> None:
        super().__init__(file, message, line=line, field=field)
        self.code = code
        self.params = {k: str(v) for k, v in (params or {}).items()}


def coded(exc: InputError) -> tuple[str | None, dict[str, str]]:
    """(code, params) of an error; (None, {}) for a plain InputError, shown in English."""
    if isinstance(exc, CodedInputError):
        return exc.code, dict(exc.params)
    return None, {}
