"""The action plan's items: the goal (an occupation) and dated steps, each an action: learn, apply, get certified, meet.

An occupation is what the plan aims at, never a step; steps are sorted by their target date (a step without one,
kept from before dates were asked, goes last). Items are plain JSON in the case_plans row, each with a short random
id that forms point at: {"id", "kind": "goal" | "suggestion" | "step", "action", "suggestion_kind", "ref", "title",
"duration", "target_date", "source", "code", "sample", "added_by", "added_at"}.
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
ACTIONS = ("learn", "apply", "certify", "meet")
# What taking a suggestion means; an occupation (or the pathway's "work as" step) is the goal instead.
SUGGESTION_ACTIONS = {"apprenticeship": "apply", "training": "learn"}
STEP_ACTIONS = {"recognition": "certify", "certificate": "certify", "apprenticeship": "apply", "training": "learn"}


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
    action: str | None = None  # learn | apply | certify | meet; None for the goal

    @property
    def is_goal(self) -> bool:
        return self.kind == "goal" or self.suggestion_kind == "occupation"

    @classmethod
    def of(cls, item: dict[str, Any]) -> "PlanItem":
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in item.items() if k in names})


def target_date(text: str | None, *, required: bool = False) -> str | None:
    """An ISO date (YYYY-MM-DD) or nothing; anything else is refused with the value in the message."""
    text = (text or "").strip()
    if not text:
        if required:
            raise CaseError("plan_date_missing", "give the step a target date: the plan is ordered by date")
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


def action_of(suggestion: Suggestion) -> str | None:
    """What taking the suggestion means for the person; None: it is an occupation, the plan's goal."""
    if suggestion.kind == "step":
        return STEP_ACTIONS.get(suggestion.step_kind or "")
    return SUGGESTION_ACTIONS.get(suggestion.kind)


def add_suggestion(items: list[dict[str, Any]], suggestion: Suggestion, due: str | None, *, by: str,
                   now: datetime) -> dict[str, Any]:
    """Add an approved suggestion (the caller checks the approval): an occupation as the goal, anything else as a
    dated step. The same suggestion is not added twice."""
    if any(i.get("kind") in ("suggestion", "goal")
           and (i.get("suggestion_kind"), i.get("ref")) == (suggestion.kind, suggestion.ref) for i in items):
        raise CaseError("plan_duplicate", f"'{suggestion.title}' is in the plan already", title=suggestion.title)
    _room(items)
    action = action_of(suggestion)
    title = suggestion.title
    if action is None:  # the pathway's "work as …" step names the occupation it aims at
        kind, due = "goal", None
        title = title.split("：", 1)[-1].split(": ", 1)[-1] if suggestion.kind == "step" else title
    elif due is None:
        raise CaseError("plan_date_missing", "give the step a target date: the plan is ordered by date")
    else:
        kind = "suggestion"
    item = _item(kind, title, by, now, suggestion_kind=suggestion.kind, ref=suggestion.ref, action=action,
                 duration=suggestion.duration, target_date=due, source=dict(suggestion.source), code=suggestion.code,
                 sample=suggestion.sample)
    items.append(item)
    ordered(items)
    return item


def add_step(items: list[dict[str, Any]], text: str, due: str | None, action: str, *, by: str,
             now: datetime) -> dict[str, Any]:
    """Add a step in the counsellor's words (e.g. "bring your ID card to the assessment centre"): an action, dated."""
    title = " ".join(text.split())
    if not title:
        raise CaseError("plan_step_empty", "describe the step")
    if len(title) > MAX_STEP_CHARS:
        raise CaseError("plan_step_long", f"the step is {len(title)} characters; the limit is {MAX_STEP_CHARS}",
                        limit=MAX_STEP_CHARS)
    if action not in ACTIONS:
        raise CaseError("plan_action", f"action: '{action}' is not one of {', '.join(ACTIONS)}", value=action)
    if due is None:
        raise CaseError("plan_date_missing", "give the step a target date: the plan is ordered by date")
    _room(items)
    item = _item("step", title, by, now, target_date=due, action=action)
    items.append(item)
    ordered(items)
    return item


def ordered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Goals first, then steps by target date; equal dates (and undated steps, last) keep the order they came in."""
    def key(pair: tuple[int, dict[str, Any]]) -> tuple[int, str, int]:
        n, item = pair
        goal = PlanItem.of(item).is_goal
        return (0 if goal else 1, "" if goal else item.get("target_date") or "9999-12-31", n)

    items[:] = [item for _, item in sorted(enumerate(items), key=key)]
    return items


def _index(items: list[dict[str, Any]], item_id: str) -> int:
    for i, item in enumerate(items):
        if item.get("id") == item_id:
            return i
    raise CaseError("plan_item_missing", f"no step '{item_id}' in the plan (it may have been removed)", item=item_id)


def remove(items: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
    return items.pop(_index(items, item_id))


def remove_suggestion(items: list[dict[str, Any]], kind: str, ref: str) -> bool:
    """Drop a suggestion's item (it was rejected after being planned); True if there was one."""
    kept = [i for i in items if not (i.get("kind") in ("suggestion", "goal") and (i.get("suggestion_kind"), i.get("ref")) == (kind, ref))]
    removed = len(kept) != len(items)
    items[:] = kept
    return removed
