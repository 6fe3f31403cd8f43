"""The action plan's items: ordered steps chosen from approved suggestions plus free-text steps with target dates.

Items are plain JSON in the case_plans row, each with a short random id that forms point at:
{"id", "kind": "suggestion" | "step", "suggestion_kind", "ref", "title", "duration", "target_date", "source",
 "code", "sample", "added_by", "added_at"}.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from assistant.casework.errors import CaseError
from assistant.casework.suggestions import Suggestion

MAX_STEP_CHARS = 500
MAX_ITEMS = 30


@dataclass(frozen=True)
class PlanItem:
    """One step of the plan as pages and exports read it."""

    id: str
    kind: str
    title: str
    suggestion_kind: str | None = None
    ref: str | None = None
    duration: str | None = None
    target_date: str | None = None
    source: dict[str, Any] | None = None
    code: str | None = None
    sample: bool = False
    added_by: str = ""

    @classmethod
    def of(cls, item: dict[str, Any]) -> "PlanItem":
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in item.items() if k in names})


def target_date(text: str | None) -> str | None:
    """An ISO date (YYYY-MM-DD) or nothing; anything else is refused with the value in the message."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise CaseError("plan_date", f"target date '{text}' is not a date (YYYY-MM-DD)", value=text) from None


def _item(kind: str, title: str, by: str, now: datetime, **fields: Any) -> dict[str, Any]:
    return {"id": secrets.token_hex(4), "kind": kind, "title": title, "added_by": by,
            "added_at": now.isoformat(), **fields}


def _room(items: list[dict[str, Any]]) -> None:
    if len(items) >= MAX_ITEMS:
        raise CaseError("plan_full", f"a plan holds at most {MAX_ITEMS} steps", limit=MAX_ITEMS)


def add_suggestion(items: list[dict[str, Any]], suggestion: Suggestion, due: str | None, *, by: str,
                   now: datetime) -> dict[str, Any]:
    """Append an approved suggestion (the caller checks the approval); the same suggestion is not added twice."""
    if any(i.get("kind") == "suggestion" and (i.get("suggestion_kind"), i.get("ref")) == (suggestion.kind, suggestion.ref)
           for i in items):
        raise CaseError("plan_duplicate", f"'{suggestion.title}' is in the plan already", title=suggestion.title)
    _room(items)
    item = _item("suggestion", suggestion.title, by, now, suggestion_kind=suggestion.kind, ref=suggestion.ref,
                 duration=suggestion.duration, target_date=due, source=dict(suggestion.source), code=suggestion.code,
                 sample=suggestion.sample)
    items.append(item)
    return item


def add_step(items: list[dict[str, Any]], text: str, due: str | None, *, by: str, now: datetime) -> dict[str, Any]:
    """Append a step in the counsellor's words (e.g. "bring your ID card to the assessment centre")."""
    title = " ".join(text.split())
    if not title:
        raise CaseError("plan_step_empty", "describe the step")
    if len(title) > MAX_STEP_CHARS:
        raise CaseError("plan_step_long", f"the step is {len(title)} characters; the limit is {MAX_STEP_CHARS}",
                        limit=MAX_STEP_CHARS)
    _room(items)
    item = _item("step", title, by, now, target_date=due)
    items.append(item)
    return item


def _index(items: list[dict[str, Any]], item_id: str) -> int:
    for i, item in enumerate(items):
        if item.get("id") == item_id:
            return i
    raise CaseError("plan_item_missing", f"no step '{item_id}' in the plan (it may have been removed)", item=item_id)


def move(items: list[dict[str, Any]], item_id: str, direction: str) -> int:
    """Move an item one place up or down; returns its new position (0-based). At either end it stays."""
    if direction not in ("up", "down"):
        raise CaseError("plan_direction", f"move '{direction}': up or down", direction=direction)
    i = _index(items, item_id)
    j = max(0, i - 1) if direction == "up" else min(len(items) - 1, i + 1)
    items.insert(j, items.pop(i))
    return j


def remove(items: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
    return items.pop(_index(items, item_id))


def remove_suggestion(items: list[dict[str, Any]], kind: str, ref: str) -> bool:
    """Drop a suggestion's item (it was rejected after being planned); True if there was one."""
    kept = [i for i in items if not (i.get("kind") == "suggestion" and (i.get("suggestion_kind"), i.get("ref")) == (kind, ref))]
    removed = len(kept) != len(items)
    items[:] = kept
    return removed
