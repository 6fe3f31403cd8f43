"""The access log without personal data: ids in paths become placeholders and query strings are left out.

Paths hold conversation ids (/plan/<id>, /api/chat/<id>, the console's case pages) and query strings hold what
counsellors search for (a name, a phone number). `serve` hands uvicorn a logging configuration whose access
handler rewrites each line through `RedactPaths` before it is written, in every worker.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

PLACEHOLDER = "{id}"
# Segments that name a thing of the app ("api", "sessions", "plan.docx"): kept. Anything else (an id, a code) is not.
_WORD = re.compile(r"^[a-z]+(?:[-_][a-z]+)*(?:\.[a-z]+)?$")
# A segment after one of these is an id whatever it looks like.
_COLLECTIONS = frozenset({"chat", "plan", "sessions", "uploads", "notes"})
_PATH_ARG = 2  # uvicorn logs (client, method, path with query, HTTP version, status)


def redact_path(path: str) -> str:
    """'/api/chat/5f0c…/export?x=1' → '/api/chat/{id}/export'. Static files are kept as they are."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    if path.startswith("/static/"):
        return path
    segments = path.split("/")
    out = []
    for i, segment in enumerate(segments):
        after_collection = i > 1 and segments[i - 1] in _COLLECTIONS
        if segment and (after_collection or not _WORD.match(segment)):
            out.append(PLACEHOLDER)
        else:
            out.append(segment)
    return "/".join(out)


class RedactPaths(logging.Filter):
    """Rewrites the path of uvicorn's access records; every record goes on (a filter that drops would hide load)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > _PATH_ARG and isinstance(args[_PATH_ARG], str):
            record.args = args[:_PATH_ARG] + (redact_path(args[_PATH_ARG]),) + args[_PATH_ARG + 1:]
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's default logging configuration with the access handler going through RedactPaths."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_paths"] = {"()": "assistant.api.accesslog.RedactPaths"}
    config["handlers"]["access"].setdefault("filters", []).append("redact_paths")
    return config
