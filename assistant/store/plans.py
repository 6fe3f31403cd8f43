"""Repository functions for a case's action plan (one per conversation); they never commit."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from assistant.store.clock import as_utc
from assistant.store.models import CasePlan

__all__ = ["get_plan", "save_plan"]

PLAN_STATUSES = ("draft", "agreed")


def get_plan(session: Session, conversation_id: str) -> CasePlan | None:
    return session.get(CasePlan, conversation_id)


def save_plan(session: Session, conversation_id: str, *, items: list[dict[str, Any]], status: str, by: str,
              now: datetime) -> CasePlan:
    """Create or replace the plan's items and status; agreeing stamps who agreed and when."""
    if status not in PLAN_STATUSES:
        raise ValueError(f"plan status {status!r}: one of {', '.join(PLAN_STATUSES)}")
    moment = as_utc(now)
    plan = session.get(CasePlan, conversation_id)
    if plan is None:
        plan = CasePlan(conversation_id=conversation_id, status=status, items=[], updated_at=moment, updated_by=by)
        session.add(plan)
    # A deep copy plus flag_modified: a JSON column only notices assignment of a different value.
    plan.items = copy.deepcopy(items)
    flag_modified(plan, "items")
    plan.status, plan.updated_at, plan.updated_by = status, moment, by
    plan.agreed_at, plan.agreed_by = (moment, by) if status == "agreed" else (None, None)
    session.flush()
    return plan
