"""Repository functions for suggestion reviews (the latest decision counts); they never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.clock import as_utc
from assistant.store.models import SuggestionReview

__all__ = ["add_review", "latest_reviews", "review_history"]


def add_review(session: Session, conversation_id: str, *, kind: str, ref: str, decision: str, note: str,
               reviewer: str, snapshot: dict[str, Any], now: datetime) -> SuggestionReview:
    """Append a decision; earlier ones stay as history."""
    moment = as_utc(now)
    review = SuggestionReview(conversation_id=conversation_id, kind=kind, ref=ref, decision=decision, note=note,
                              reviewer=reviewer, at=moment, snapshot=dict(snapshot))
    session.add(review)
    session.flush()
    return review


def review_history(session: Session, conversation_id: str) -> list[SuggestionReview]:
    """Every decision on the conversation's suggestions, oldest first."""
    return list(session.scalars(
        select(SuggestionReview).where(SuggestionReview.conversation_id == conversation_id)
        .order_by(SuggestionReview.at, SuggestionReview.id)
    ))


def latest_reviews(session: Session, conversation_id: str) -> dict[tuple[str, str], SuggestionReview]:
    """(kind, ref) → the decision that counts: the newest, and of two at the same instant the later written."""
    latest: dict[tuple[str, str], SuggestionReview] = {}
    for review in review_history(session, conversation_id):  # oldest first, so later ones overwrite
        latest[(review.kind, review.ref)] = review
    return latest
