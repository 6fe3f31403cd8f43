"""Index versions: publish and the CURRENT switch, keep-N pruning, rollback, the build lock, surviving SIGKILL."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest

from assistant.errors import IndexBusyError, IndexNotReadyError, NoPreviousVersionError
from assistant.index.manifest import Manifest, hash_files, read_manifest, verify_files, write_manifest
from assistant.index.versions import IndexVersions

ROOT = Path(__file__).resolve().parents[2]
ID = [f"20260101T10{i:02d}00Z-{i:06x}" for i in range(8)]  # sort by time, like new_version_id's
FILES = ["dense.faiss", "lexical.json", "docs/units.jsonl", "docs/meta.json"]


def stage(staging: Path, version_id: str, files: int = len(FILES), manifest: bool = True) -> None:
    """Write a build's artifacts (the first `files` of them) and, when asked, its manifest."""
    for name in FILES[:files]:
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_text(f"{version_id}:{name}", encoding="utf-8")
    if manifest:
        m = Manifest(
            version_id=version_id, embedder="fake", embedder_version="1", dim=64, counts={"skill": 2}, units=3,
            store_hash="00ff", built_at="2026-01-01T10:00:00+00:00", dense_kind="flat", build_seconds=0.1,
            files=hash_files(staging, FILES[:files]),
        )
        write_manifest(staging, m)


def build(v: IndexVersions, version_id: str) -> str:
    with v.build_lock():
        staging = v.start(version_id)
        stage(staging, version_id)
        return v.publish(staging)


def assert_serving(v: IndexVersions, version_id: str) -> None:
    """CURRENT names version_id and every folder under versions/ is a whole, verified version."""
    assert v.current_id() == version_id and v.current_path() == v.root / "versions" / version_id
    assert (v.root / "CURRENT").read_text(encoding="utf-8") == f"{version_id}\n"
    for folder in (v.root / "versions").iterdir():
        verify_files(folder, read_manifest(folder))


@pytest.mark.parametrize("keep", [0, 1])
def test_a_fresh_root_has_nothing_and_keep_must_be_two_or_more(tmp_path: Path, keep: int) -> None:
    v = IndexVersions(tmp_path / "index")
    assert (v.current_id(), v.current_path(), v.marker(), v.versions()) == (None, None, None, [])
    assert not v.root.exists()  # nothing is created until a write
    message = f"keep must be at least 2 (got {keep}): rollback needs the previous version"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        IndexVersions(tmp_path, keep=keep)


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, None), (f"{ID[5]}\n", None), ("../../etc\n", None), (f"{ID[0]}\n", ID[0]), (f"  {ID[0]}", ID[0])],
)
def test_current_id_is_none_unless_it_names_a_complete_version(
    tmp_path: Path, content: str | None, expected: str | None
) -> None:
    v = IndexVersions(tmp_path)
    build(v, ID[0])
    (tmp_path / "CURRENT").unlink()
    if content is not None:
        (tmp_path / "CURRENT").write_text(content, encoding="utf-8")
    assert v.current_id() == expected


def run_steps(v: IndexVersions, steps: str) -> None:
    """b3: build ID[3]; r1: roll back, expecting ID[1]; s0: switch to ID[0]; k2: keep 2 and prune;
    h-: delete HISTORY; hx: a HISTORY naming only a missing and the serving version."""
    for step in steps.split():
        op, arg = step[0], step[1:]
        if op == "b":
            assert build(v, ID[int(arg)]) == ID[int(arg)]
        elif op == "r":
            assert v.rollback() == ID[int(arg)]
        elif op == "s":
            v.switch(ID[int(arg)])
        elif op == "k":
            v.keep = int(arg)
            v.prune()
        elif arg == "-":
            (v.root / "HISTORY").unlink()
        else:
            (v.root / "HISTORY").write_text(f"{ID[7]}\n{v.current_id()}\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("keep", "steps", "serving", "complete"),
    [
        (2, "b0", 0, [0]),
        (2, "b1 b0", 0, [0, 1]),  # published later but an older id: versions() sorts by id, i.e. build time
        (2, "b0 b1", 1, [0, 1]),
        (2, "b0 b1 b2 b3", 3, [2, 3]),  # keep the newest N
        (3, "b0 b1 b2 b3 b4", 4, [2, 3, 4]),
        (4, "b0 b1 b2 b3 s0 k2", 0, [0, 3]),  # prune keeps the serving version and the rollback target
        (4, "b0 b1 b2 b3 s0 k2 r3", 3, [0, 3]),
        (3, "b0 b1 b2 r1 r0", 0, [0, 1, 2]),  # rollback twice; the versions rolled away from are kept
        (2, "b0 b1 r0 b2", 2, [0, 2]),  # ID[1] was rolled away from: pruned before ID[0], the rollback target
        (2, "b0 b1 r0 b2 r0", 0, [0, 2]),
        (3, "b0 b1 b2 s0", 0, [0, 1, 2]),
        (3, "b0 b1 b2 s0 r2", 2, [0, 1, 2]),  # rollback undoes a switch
        (3, "b0 b1 b2 h- r1 r0", 0, [0, 1, 2]),  # no HISTORY: the next older id
        (3, "b0 b1 b2 hx r1 r0", 0, [0, 1, 2]),  # HISTORY naming only gone or serving versions: the same
    ],
)
def test_publish_prune_switch_and_rollback(
    tmp_path: Path, keep: int, steps: str, serving: int, complete: list[int]
) -> None:
    v = IndexVersions(tmp_path, keep=keep)
    run_steps(v, steps)
    assert_serving(v, ID[serving])
    assert v.versions() == [ID[i] for i in complete]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".staging-", ".deleting-")) or p.suffix == ".tmp"]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ("", "nothing to roll back: no index version is being served from {root}"),
        ("b0", "nothing to roll back to: {id0} is the only complete index version in {root}/versions"),
        ("b0 b1 r0", "nothing to roll back to: no complete index version older than {id0} in {root}/versions"),
    ],
)
def test_rollback_with_nothing_to_go_back_to(tmp_path: Path, steps: str, message: str) -> None:
    v = IndexVersions(tmp_path)
    run_steps(v, steps)
    with pytest.raises(NoPreviousVersionError, match=f"^{re.escape(message.format(root=tmp_path, id0=ID[0]))}$"):
        v.rollback()
    assert v.current_id() == (ID[0] if steps else None)


def test_marker_changes_on_every_switch_and_history_lists_served_ids(tmp_path: Path) -> None:
    v = IndexVersions(tmp_path)
    markers = [v.marker()]
    for steps in ("b0", "b1", "b2", "s0", "r2"):
        run_steps(v, steps)
        markers.append(v.marker())
    assert markers[0] is None and all(a != b for a, b in zip(markers, markers[1:]))
    assert (tmp_path / "HISTORY").read_text(encoding="utf-8") == f"{ID[0]}\n{ID[1]}\n"


@pytest.mark.parametrize(
    ("manifest_id", "message"),
    [
        (None, "{staging}: no manifest.json, the build is incomplete; not published"),
        (ID[2], "{staging}/manifest.json: version_id {id2} does not match the staging folder {id1}"),
    ],
)
def test_publish_refuses_an_incomplete_build(tmp_path: Path, manifest_id: str | None, message: str) -> None:
    v = IndexVersions(tmp_path)
    build(v, ID[0])
    with v.build_lock():
        staging = v.start(ID[1])
        stage(staging, manifest_id or ID[1], manifest=manifest_id is not None)
        message = message.format(staging=staging, id1=ID[1], id2=ID[2])
        with pytest.raises(IndexNotReadyError, match=f"^{re.escape(message)}$"):
            v.publish(staging)
        v.abandon(staging)
    assert_serving(v, ID[0])
    assert v.versions() == [ID[0]] and not staging.exists()


NOT_STAGING = "{root}/versions/{id0} is not a staging folder of {root}"
NOT_COMPLETE = "{root}/versions/{id5}: not a complete index version (complete: {id0})"


@pytest.mark.parametrize(
    ("method", "arg", "locked", "error", "message"),
    [
        ("start", ID[1], False, RuntimeError, "IndexVersions.start() must be called inside build_lock()"),
        ("start", "../evil", True, ValueError, "invalid index version id '../evil'"),
        ("start", ".hidden", True, ValueError, "invalid index version id '.hidden'"),
        ("start", ID[0], True, ValueError, "index version {id0} already exists in {root}/versions"),
        ("switch", ID[5], False, IndexNotReadyError, NOT_COMPLETE),
        ("switch", "../x", False, ValueError, "invalid index version id '../x'"),
        ("publish", "{root}/versions/{id0}", True, ValueError, NOT_STAGING),
        ("abandon", "{root}/versions/{id0}", True, ValueError, NOT_STAGING),
    ],
)
def test_refusals_change_nothing(
    tmp_path: Path, method: str, arg: str, locked: bool, error: type[Exception], message: str
) -> None:
    v = IndexVersions(tmp_path)
    build(v, ID[0])
    names = {"root": tmp_path, "id0": ID[0], "id5": ID[5]}
    arg, message = arg.format(**names), message.format(**names)
    with v.build_lock() if locked else nullcontext():
        with pytest.raises(error, match=f"^{re.escape(message)}$"):
            getattr(v, method)(Path(arg) if method in ("publish", "abandon") else arg)
    assert_serving(v, ID[0])
    assert v.versions() == [ID[0]]


def test_next_start_removes_stale_staging_and_deleting_folders(tmp_path: Path) -> None:
    v = IndexVersions(tmp_path)
    build(v, ID[0])
    for stale in (f".staging-{ID[1]}", f".deleting-{ID[7]}", f".staging-{ID[2]}/docs"):
        (tmp_path / stale).mkdir(parents=True)
        (tmp_path / stale / "half.bin").write_bytes(b"\x00")
    with v.build_lock():
        staging = v.start(ID[3])
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".") and p.is_dir()) == [staging.name]
    assert_serving(v, ID[0])


@contextmanager
def _held_by_fd(lock: Path) -> Iterator[None]:
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)  # a second open file description: flock conflicts in-process too
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        yield
    finally:
        os.close(fd)


@contextmanager
def _held_by_process(lock: Path) -> Iterator[None]:
    code = "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
    code += "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", code, str(lock)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "locked\n"
        yield
    finally:
        child.kill()
        child.wait()


@pytest.mark.parametrize("holder", [_held_by_fd, _held_by_process])
def test_a_held_lock_makes_builds_and_rollbacks_busy(tmp_path: Path, holder: Callable[[Path], Iterator[None]]) -> None:
    v = IndexVersions(tmp_path)
    build(v, ID[0])
    build(v, ID[1])
    message = f"another `skillpath index` is running (lock: {tmp_path / '.lock'})"
    with holder(tmp_path / ".lock"):
        with pytest.raises(IndexBusyError, match=f"^{re.escape(message)}$"):
            with v.build_lock():
                pass
        with pytest.raises(IndexBusyError, match=f"^{re.escape(message)}$"):
            v.rollback()  # write methods outside a build take the lock themselves
    assert v.rollback() == ID[0]  # released by the holder (closed, or killed)


def test_the_lock_is_released_when_the_build_fails(tmp_path: Path) -> None:
    v = IndexVersions(tmp_path)
    with pytest.raises(OSError, match="^disk full$"):
        with v.build_lock():
            v.start(ID[0])
            raise OSError("disk full")
    with v.build_lock():
        assert v.start(ID[1]).name == f".staging-{ID[1]}"


def test_a_loaded_version_survives_being_pruned(tmp_path: Path) -> None:
    v = IndexVersions(tmp_path, keep=2)
    build(v, ID[0])
    current = v.current_path()
    assert current is not None
    with open(current / "lexical.json", encoding="utf-8") as reader:  # a server mid-load, file already open
        for i in range(1, 4):
            build(v, ID[i])
        assert not current.exists()
        assert reader.read() == f"{ID[0]}:lexical.json"


CHILD = """
import os, shutil, signal, sys
from pathlib import Path
from assistant.index.versions import IndexVersions
from tests.index.test_versions import FILES, stage

root, version_id, where = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
die = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
replace, rmtree = os.replace, shutil.rmtree
if where == "before-rename":
    os.rename = die
elif where == "before-switch":
    os.replace = lambda src, dst: die() if Path(dst).name == "CURRENT" else replace(src, dst)
elif where == "mid-prune":
    shutil.rmtree = lambda path, **kw: (os.remove(next(Path(path).rglob("*.json"))), die())
v = IndexVersions(root, keep=2)
with v.build_lock():
    staging = v.start(version_id)
    if where == "half-files":
        stage(staging, version_id, files=len(FILES) // 2, manifest=False)
        die()
    stage(staging, version_id)
    v.publish(staging)
print("not killed")
"""


@pytest.mark.parametrize(
    ("where", "serving", "complete", "leftover"),
    [
        ("half-files", ID[1], [ID[0], ID[1]], f".staging-{ID[2]}"),
        ("before-rename", ID[1], [ID[0], ID[1]], f".staging-{ID[2]}"),
        ("before-switch", ID[1], [ID[0], ID[1], ID[2]], None),  # complete but never served; prune will take it
        ("mid-prune", ID[2], [ID[1], ID[2]], f".deleting-{ID[0]}"),
    ],
    ids=["half-files", "before-rename", "before-switch", "mid-prune"],
)
def test_a_build_killed_anywhere_leaves_a_servable_index(
    tmp_path: Path, where: str, serving: str, complete: list[str], leftover: str | None
) -> None:
    v = IndexVersions(tmp_path, keep=2)
    build(v, ID[0])
    build(v, ID[1])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), ID[2], where], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert_serving(v, serving)
    assert v.versions() == complete
    if leftover:
        assert (tmp_path / leftover).is_dir()
    with v.build_lock():  # the OS released the dead build's lock
        staging = v.start(ID[3])
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".") and p.is_dir()) == [staging.name]
    assert_serving(v, serving)
