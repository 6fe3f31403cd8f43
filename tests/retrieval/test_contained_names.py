"""The normaliser's exact-name signal: names found verbatim inside a job-ad title, longest first."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index.documents import IndexDoc
from assistant.retrieval.normalise import _contained_names, _spans


@pytest.mark.parametrize(
    ("text", "first", "present", "absent"),
    [
        ("电话客服", "电话客服", {"电话", "客服", "话客"}, {"电", "服"}),  # Han: substrings of 2+ characters
        ("welder helper", "welder helper", {"welder", "helper"}, {"weld", "elper"}),  # Latin: whole words
        ("Python开发", "python", {"开发", "python"}, {"p"}),
        ("", None, set(), {""}),
    ],
)
def test_spans(text: str, first: str | None, present: set[str], absent: set[str]) -> None:
    spans = _spans(text)
    assert (spans[0] if spans else None) == first
    assert present <= set(spans) and not absent & set(spans)


class _Index:
    """Just what _contained_names reads from a loaded index."""

    def __init__(self, docs: list[IndexDoc]) -> None:
        self.docs = docs

    def names(self) -> dict[str, list[int]]:
        table: dict[str, list[int]] = {}
        for i, d in enumerate(self.docs):
            for n in {d.title.casefold(), *(a.casefold() for a in d.aliases)}:
                table.setdefault(n, []).append(i)
        return table


def _doc(title: str, *aliases: str) -> IndexDoc:
    return IndexDoc(id=title, type="occupation", title=title, language="zh", source={"name": "t"},
                    aliases=list(aliases))


def test_longer_names_rank_first_and_masked_documents_never_appear() -> None:
    docs = [_doc("呼叫中心服务员", "电话客服"), _doc("客服"), _doc("营销员", "电话销售")]
    index = _Index(docs)
    ranked = _contained_names(index, "电话客服/周末双休", np.array([True, True, True]))  # type: ignore[arg-type]
    assert ranked.docs == [0, 1] and ranked.scores == [4.0, 2.0]
    masked = _contained_names(index, "电话客服", np.array([False, True, True]))  # type: ignore[arg-type]
    assert masked.docs == [1]
