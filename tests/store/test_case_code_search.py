"""The counsellor search finds a case by its code however it is typed, beside the usual word search."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.store.case_search import search_conversations
from assistant.store.conversation_keys import display_case_code
from assistant.store.models import Conversation
from tests.casework.seed import conversation

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def codes(factory: sessionmaker[Session]) -> dict[str, str]:
    with factory.begin() as s:
        conversation(s, "c1", now=T0)
        conversation(s, "c2", now=T0, said=["同意", "我想学做饭"])
        conversation(s, "declined", now=T0, consent=False)
        for cid, code in (("c1", "K7M2QX"), ("c2", "AB3CD4"), ("declined", "ZZ9ZZ9")):
            s.get(Conversation, cid).case_code = code  # type: ignore[union-attr]
    with factory() as s:
        return {cid: code for cid, code in s.execute(select(Conversation.id, Conversation.case_code))}


def _found(factory: sessionmaker[Session], *terms: str) -> list[str]:
    with factory() as s:
        return [c.id for c in search_conversations(s, terms=terms).conversations]


@pytest.mark.parametrize(
    "typed",
    [("K7M2QX",), ("k7m2qx",), ("K7M-2QX",), ("k7m-2qx",), ("K7M", "2QX"), ("k7m", "2qx"), ("K7M_2QX",)],
)
def test_a_case_is_found_by_its_code_however_typed(factory: sessionmaker[Session], codes: dict[str, str],
                                                   typed: tuple[str, ...]) -> None:
    assert codes["c1"] == "K7M2QX" and display_case_code(codes["c1"]) == "K7M-2QX"
    assert _found(factory, *typed) == ["c1"]


@pytest.mark.parametrize(("terms", "expected"), [(("K7M2QY",), []), (("ZZ9ZZ9",), []), (("做饭",), ["c2"]),
                                                 (("K7M",), [])])
def test_other_searches_are_unchanged(factory: sessionmaker[Session], codes: dict[str, str],
                                      terms: tuple[str, ...], expected: list[str]) -> None:
    # An unknown code finds nothing; a declined conversation's code neither (nothing of it is kept for counsellors).
    assert _found(factory, *terms) == expected
