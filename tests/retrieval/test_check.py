"""The check screen's search: each group asked as the chat asks it, every hit with its source."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from assistant.retrieval.check import GROUPS, PER_GROUP, CheckHit, check_search
from assistant.retrieval.search import Hit, Query


@dataclass
class RecordingSearch:
    """Stands in for SearchService: answers one hit per query and remembers the queries."""

    queries: list[Query] = field(default_factory=list)

    def search(self, query: Query) -> list[Hit]:
        self.queries.append(query)
        extra = {"provider": "湖州示例企业", "citation": "湖州人社局 2027"} if query.type != "occupation" else {}
        return [Hit(f"{query.type}:1", query.type or "", "hz", "h1", None, f"{query.type} 焊工", 0.5, "片段",
                    {"name": "huzhou", "version": "v2", "url": "https://example.org/hz"}, "zh", "湖州市", [], extra)]


@pytest.mark.parametrize(
    ("text", "location", "only", "asked"),
    [
        ("焊工学徒", "湖州", "", [("occupation", None), ("apprenticeship", "湖州"), ("training", "湖州"), ("policy", None)]),
        ("焊工学徒", "", "training", [("training", None)]),
        ("   ", "湖州", "", []),  # nothing typed: nothing asked
    ],
)
def test_groups_asked_as_a_job_seeker_sees_them(text: str, location: str, only: str,
                                                asked: list[tuple[str, str | None]]) -> None:
    search = RecordingSearch()
    result = check_search(search, text, location=location, only=only)  # type: ignore[arg-type]
    assert [(q.type, q.location) for q in search.queries] == asked
    assert all(q.k == PER_GROUP and q.text == text.strip() for q in search.queries)
    assert list(result.groups) == [g for g, _ in asked] and result.total == len(asked)
    assert set(result.groups) <= set(GROUPS)


def test_each_hit_carries_its_citation() -> None:
    result = check_search(RecordingSearch(), "焊工", only="apprenticeship")  # type: ignore[arg-type]
    assert result.groups["apprenticeship"] == [CheckHit(
        title="apprenticeship 焊工", type="apprenticeship", code="h1", snippet="片段", score=0.5, source="huzhou",
        source_version="v2", url="https://example.org/hz", citation="湖州人社局 2027", location="湖州市",
        detail="湖州示例企业")]
