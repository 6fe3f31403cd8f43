"""The import's progress file: stages in order with counts that move, the error when it fails, any reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.operations import imports
from assistant.operations.import_progress import ImportProgress, ProgressFile
from assistant.operations.imports import import_upload
from assistant.operations.uploads import Uploads
from tests.operations.conftest import GOOD_CSV


@pytest.mark.parametrize(
    ("progress", "percent", "running"),
    [(ImportProgress(), 0.0, True), (ImportProgress("reading", 0, 1), 2.0, True),
     (ImportProgress("writing", 1, 2), 65.0, True), (ImportProgress("recording", 0, 1), 90.0, True),
     (ImportProgress("done", 1, 1), 100.0, False), (ImportProgress("failed", error="x"), 100.0, False)],
)
def test_percent_moves_with_the_stage_and_its_counts(progress: ImportProgress, percent: float, running: bool) -> None:
    assert (progress.percent, progress.running) == (percent, running)


def test_an_import_reports_each_stage(uploads: Uploads, monkeypatch: pytest.MonkeyPatch) -> None:
    upload = uploads.receive(GOOD_CSV.encode(), "offers.csv", actor="olga")
    seen: list[tuple[str, int, int]] = []
    write = ProgressFile.write

    def watch(self: ProgressFile, progress: ImportProgress) -> None:
        seen.append((progress.stage, progress.done, progress.total))
        write(self, progress)

    monkeypatch.setattr(ProgressFile, "write", watch)
    import_upload(uploads, upload.id, actor="olga")
    assert seen == [("waiting", 0, 0), ("reading", 0, 1), ("writing", 0, 1), ("recording", 0, 1), ("done", 1, 1)]
    assert uploads.progress(upload.id).read().to_dict() == {
        "stage": "done", "done": 1, "total": 1, "error": None, "percent": 100.0, "running": False}


def test_a_failed_import_says_why(uploads: Uploads, monkeypatch: pytest.MonkeyPatch) -> None:
    upload = uploads.receive(GOOD_CSV.encode(), "offers.csv", actor="olga")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports, "sync_source", broken)
    with pytest.raises(RuntimeError):
        import_upload(uploads, upload.id, actor="olga")
    assert uploads.progress(upload.id).read() == ImportProgress("failed", error="disk on fire")


def test_no_progress_yet_reads_as_waiting(tmp_path: Path) -> None:
    assert ProgressFile(tmp_path).read() == ImportProgress()
