"""A disk that fills up while an index version is written: the build is refused, saying so, and the old one serves.

The real fault runs on a small tmpfs (root only; CI runs as root); the same refusal path is also checked everywhere
by making one write fail with ENOSPC or EDQUOT, at each place a build writes.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.index import manifest as manifest_module
from assistant.index.dense import DenseIndex
from assistant.index.lexical import LexicalIndex
from assistant.index.versions import IndexVersions
from assistant.operations.refresh import RefreshRunner
from assistant.retrieval.runtime import make_retrieval
from assistant.retrieval.search import Query
from assistant.store.db import make_engine, make_sessionmaker
from tests.conftest import IndexedHome
from tests.faults.conftest import tmpfs
from tests.operations.conftest import audit_actions


def refusal_line(err: str) -> str:
    """stderr without the build's progress lines ("index: read 9 documents (0.0 s)"), which come before it."""
    lines = err.splitlines(keepends=True)
    assert all(line.startswith("index: ") for line in lines[:-1]), err
    return "".join(lines[-1:])


def refusal(index: Path, old: str, *, code: str = "ENOSPC", at: str | None = None, total: str = r"[\d.]+ [kMG]B") -> str:
    """The DiskFullError message as a regular expression; the new version's id is the group `id`."""
    root = re.escape(str(index))
    reason = re.escape(f"{code} ({os.strerror(getattr(errno, code))})")
    where = "" if at is None else f" at {root}/{at}"
    return (rf"disk full while writing index version (?P<id>\S+): {reason}{where}; the build was abandoned and "
            rf"{root}/\.staging-(?P=id) removed\. [\d.]+ [kMG]B free of {total} on that disk "
            rf"\(the serving version takes [\d.]+ kB\); index version {re.escape(old)} is still served\. "
            r"Free some space and build the index again\.")


def assert_old_version_serves(home: IndexedHome, old: str) -> None:
    """Nothing of the refused build is left, CURRENT is untouched, and the old version verifies, loads and answers."""
    index = home.settings.index_dir
    leftovers = [p.name for p in index.iterdir() if p.name.startswith((".staging-", ".deleting-")) or
                 p.suffix == ".tmp"]
    assert leftovers == []
    versions = IndexVersions(index)
    assert (versions.current_id(), versions.versions()) == (old, [old])
    assert (index / "CURRENT").read_text(encoding="utf-8") == f"{old}\n"
    engine = make_engine(home.settings.database_url)
    try:
        retrieval = make_retrieval(home.settings, make_sessionmaker(engine))
        assert retrieval.holder.status()["state"] == "ok"  # loading verifies every file against the manifest
        assert retrieval.service.search(Query("焊工", type="occupation", k=1))[0].title == "焊工"
    finally:
        engine.dispose()


# --- the write fails at one place (always runs) -------------------------------------------------------------------

def _enospc(code: str, filename: str | None = None) -> OSError:
    number = getattr(errno, code)
    return OSError(number, os.strerror(number)) if filename is None else OSError(number, os.strerror(number), filename)


def _fail_dense(code: str) -> Callable[..., Any]:
    def save(self: DenseIndex, folder: Path) -> list[str]:
        with open(folder / "dense.faiss", "wb") as fh:  # half the file is there when the disk fills
            fh.write(b"\0" * 4096)
        raise _enospc(code)  # as write() raises it: no file name

    return save


def _fail_lexical(code: str) -> Callable[..., Any]:
    def save(self: LexicalIndex, folder: Path) -> list[str]:
        folder.mkdir(parents=True, exist_ok=True)
        raise _enospc(code, str(folder / "lexical.json"))  # as open() raises it: with the file name

    return save


def _fail_fsync_of(name: str) -> Callable[[str], Callable[..., Any]]:
    """fsync of the file called `name` fails: its data written but not on disk, as a filesystem with delayed
    allocation reports a full disk (atomic_write's temporary file: the manifest's, or CURRENT's in the switch)."""
    real = os.fsync

    def make(code: str) -> Callable[..., Any]:
        def fsync(fd: int) -> None:
            if os.readlink(f"/proc/self/fd/{fd}").endswith(f"/{name}"):
                raise _enospc(code)
            real(fd)

        return fsync

    return make


SEAMS: dict[str, tuple[Any, str, Callable[[str], Callable[..., Any]]]] = {
    "dense": (DenseIndex, "save", _fail_dense),
    "lexical": (LexicalIndex, "save", _fail_lexical),
    "manifest": (os, "fsync", _fail_fsync_of("manifest.json.tmp")),
    "switch": (os, "fsync", _fail_fsync_of("CURRENT.tmp")),  # the new version is in versions/, CURRENT not switched
}


@pytest.mark.parametrize(
    ("seam", "code", "at"),
    [
        ("dense", "ENOSPC", None),
        ("dense", "EDQUOT", None),
        ("lexical", "ENOSPC", r"\.staging-(?P=id)/lexical-occupation/lexical\.json"),
        ("manifest", "ENOSPC", None),
        ("switch", "ENOSPC", None),
    ],
)
def test_a_failed_write_refuses_the_build(
    small_home: IndexedHome, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    seam: str, code: str, at: str | None,
) -> None:
    index = small_home.settings.index_dir
    old = IndexVersions(index).current_id()
    assert old is not None
    owner, name, make = SEAMS[seam]
    capsys.readouterr()
    with monkeypatch.context() as patch:
        patch.setattr(owner, name, make(code))
        assert main(["index"], environ=small_home.env) == 2
    out, err = capsys.readouterr()
    err = refusal_line(err)
    assert out == "" and re.fullmatch(f"error: {refusal(index, old, code=code, at=at)}\n", err), err
    assert_old_version_serves(small_home, old)
    assert main(["index"], environ=small_home.env) == 0  # with the space back, the next build goes through
    assert IndexVersions(index).current_id() != old


def test_the_atomic_write_leaves_no_temporary_file_when_it_fails(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "CURRENT"
    target.write_text("v1\n", encoding="utf-8")
    monkeypatch.setattr(os, "fsync", _fail_fsync_of("CURRENT.tmp")("ENOSPC"))
    with pytest.raises(OSError, match=r"^\[Errno 28\] No space left on device$"):
        manifest_module.atomic_write(target, "v2\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CURRENT"] and target.read_text() == "v1\n"


def test_the_console_refresh_reports_the_full_disk_while_the_old_index_serves(
    small_home: IndexedHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = small_home.settings
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    retrieval = make_retrieval(settings, sessions)  # as a running server holds it
    old = retrieval.holder.get().manifest.version_id
    monkeypatch.setattr(DenseIndex, "save", _fail_dense("ENOSPC"))
    runner = RefreshRunner(sessions, retrieval.embedder, retrieval.versions)
    runner.start("olga")
    failed = runner.wait(30)
    pattern = refusal(settings.index_dir, old)
    assert (failed.phase, failed.running, failed.version_id) == ("failed", False, None)
    assert failed.error is not None and re.fullmatch(pattern, failed.error), failed.error
    assert failed.message == f"failed: {failed.error}" and failed.to_dict()["error"] == failed.error
    assert audit_actions(sessions, "index") == [("olga", "index.refresh.start", old),
                                                ("olga", "index.refresh.failed", old)]
    status = retrieval.holder.status()
    assert (status["state"], status["version"]) == ("ok", old)
    assert retrieval.service.search(Query("焊工", type="occupation", k=1))[0].title == "焊工"
    engine.dispose()
    assert_old_version_serves(small_home, old)


# --- a real full disk: a tmpfs holding the index ------------------------------------------------------------------

def _fill(folder: Path, leave: int) -> None:
    """Write a filler file until only `leave` bytes are free on folder's filesystem."""
    st = os.statvfs(folder)
    size = st.f_bavail * st.f_frsize - leave
    with open(folder / "filler", "wb") as fh:
        while size > 0:
            size -= fh.write(b"\0" * min(size, 1 << 20))


@pytest.mark.parametrize("how", ["cli", "console"])
def test_a_full_disk_refuses_the_build_and_keeps_the_old_index(
    small_home: IndexedHome, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    settings = small_home.settings
    index = settings.index_dir
    built = index.rename(index.with_name("index.built"))
    with tmpfs(index, "1m"):
        shutil.copytree(built, index, dirs_exist_ok=True)
        versions = IndexVersions(index)
        old = versions.current_id()
        assert old is not None
        st = os.statvfs(index)
        # Room for about half of a new version: the build gets some files written before the disk is full.
        _fill(index, leave=(st.f_blocks - st.f_bfree) * st.f_frsize // 2)
        pattern = refusal(index, old, total=r"1\.0 MB")
        capsys.readouterr()
        if how == "cli":
            assert main(["index"], environ=small_home.env) == 2
            out, err = capsys.readouterr()
            err = refusal_line(err)
            assert out == "" and re.fullmatch(f"error: {pattern}\n", err), err
        else:
            engine = make_engine(settings.database_url)
            runner = RefreshRunner(make_sessionmaker(engine), make_retrieval(settings, make_sessionmaker(engine))
                                   .embedder, versions)
            runner.start("olga")
            failed = runner.wait(30)
            engine.dispose()
            assert failed.phase == "failed" and re.fullmatch(pattern, failed.error or ""), failed.error
        assert_old_version_serves(small_home, old)
        (index / "filler").unlink()
        assert main(["index"], environ=small_home.env) == 0
        assert versions.current_id() not in (None, old)
