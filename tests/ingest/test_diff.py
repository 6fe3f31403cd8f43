"""The read-only preview agrees with what sync_source then does, table by table, for offers and documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.ingest.diff import readonly_diff
from assistant.ingest.documents import parse_documents
from assistant.ingest.offers import parse_offers
from assistant.ingest.records import OccupationRecord, SourceBundle
from assistant.ingest.sync import sync_source

HEAD = "id,kind,title,provider,city\n"
V1 = HEAD + "a,apprenticeship,焊工学徒,湖州示例企业,湖州市\nb,training,电工培训,湖州示例企业,湖州市\n"
V2 = HEAD + "a,apprenticeship,焊工学徒（夜班）,湖州示例企业,湖州市\nc,training,叉车培训,湖州示例企业,湖州市\n"


def offers(tmp_path: Path, text: str, name: str = "hz") -> SourceBundle:
    path = tmp_path / f"{name}-{abs(hash(text))}.csv"
    path.write_text(text, encoding="utf-8")
    return parse_offers(path, name=name)


def documents(tmp_path: Path, files: dict[str, str]) -> SourceBundle:
    folder = tmp_path / f"docs-{abs(hash(tuple(files.items())))}"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return parse_documents(folder, name="policy-hz")


def figures(report: object) -> tuple[bool, dict[str, tuple[int, int, int]]]:
    changes = report.tables.items()  # type: ignore[attr-defined]
    return report.unchanged, {t: (c.inserted, c.updated, c.deleted) for t, c in changes if c.total}  # type: ignore


STEPS = {
    "offers: new, then changed (one added, one changed, one removed), then unchanged": [
        lambda p: offers(p, V1), lambda p: offers(p, V2), lambda p: offers(p, V2)],
    "offers: the same rows from another file are unchanged rows": [
        lambda p: offers(p, V1), lambda p: offers(p, V1 + "\n")],
    "documents: new, one changed and one added, one removed": [
        lambda p: documents(p, {"a.md": "# 补贴\n\n每人补贴。\n", "b.md": "# 条件\n\n年满16岁。\n"}),
        lambda p: documents(p, {"a.md": "# 补贴\n\n每人补贴五千元。\n", "b.md": "# 条件\n\n年满16岁。\n",
                                "c.md": "# 流程\n\n先报名。\n"}),
        lambda p: documents(p, {"c.md": "# 流程\n\n先报名。\n"})],
}


@pytest.mark.parametrize("steps", STEPS.values(), ids=STEPS.keys())
def test_preview_matches_the_sync(sqlite_factory: sessionmaker[Session], tmp_path: Path, steps: list) -> None:
    for step in steps:
        bundle = step(tmp_path)
        with sqlite_factory() as session:
            previewed = readonly_diff(session, bundle)
        assert previewed is not None
        with sqlite_factory.begin() as session:
            synced = sync_source(session, bundle)
        assert figures(previewed) == figures(synced)


def test_preview_writes_nothing(sqlite_factory: sessionmaker[Session], tmp_path: Path) -> None:
    with sqlite_factory() as session:
        report = readonly_diff(session, offers(tmp_path, V1))
        assert report is not None and figures(report) == (False, {"offers": (2, 0, 0)})
    with sqlite_factory() as session:
        assert figures(readonly_diff(session, offers(tmp_path, V1))) == (False, {"offers": (2, 0, 0)})  # still all new


def test_what_only_a_trial_sync_can_tell_is_left_to_it(sqlite_factory: sessionmaker[Session], tmp_path: Path) -> None:
    taxonomy = SourceBundle("occ", "taxonomy", "1", "x", "here",
                            occupations=[OccupationRecord("csco2022", "1-01", "厂长")])
    with sqlite_factory.begin() as session:
        sync_source(session, offers(tmp_path, V1, name="shared"))
    docs = documents(tmp_path, {"a.md": "# 补贴\n\n每人补贴。\n"})
    docs.name = "shared"  # a documents upload named like a source of offers: sync would delete its offers
    with sqlite_factory() as session:
        assert readonly_diff(session, taxonomy) is None
        assert readonly_diff(session, docs) is None
