"""SIGKILL during an index refresh (`skillpath index`, or the console's RefreshRunner in a process of its own).

The child stops at an exact point of the build (a hook prints where it is and waits), the test kills it there
with SIGKILL, then checks: CURRENT still names the old version, which loads and answers a search; the build lock
is free; the store is intact; the next build succeeds and sweeps the dead build's staging folder away.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from assistant.index.versions import IndexVersions
from assistant.operations.refresh import RefreshRunner
from assistant.retrieval.runtime import make_retrieval
from assistant.retrieval.search import Query
from assistant.store.db import make_engine, make_sessionmaker
from tests.conftest import ROOT, IndexedHome
from tests.faults.conftest import assert_store_consistent
from tests.helpers import snapshot
from tests.operations.conftest import audit_actions

# argv: the callable to stop at ("module:Class.attr"), then "cli" (`skillpath index`) or "console" (RefreshRunner).
CHILD = """
import importlib, sys
target, how = sys.argv[1], sys.argv[2]
module, _, path = target.partition(":")
owner = importlib.import_module(module)
*parents, name = path.split(".")
for part in parents:
    owner = getattr(owner, part)
real = getattr(owner, name)

def stop_here(*args, **kwargs):
    print("stopped at", target, flush=True)
    sys.stdin.read()  # until the test kills us; returns at once if the test went away
    return real(*args, **kwargs)

setattr(owner, name, stop_here)
if how == "cli":
    from assistant.cli import main
    sys.exit(main(["index"]))
from assistant.config import Settings
from assistant.index.embedders import FakeEmbedder
from assistant.index.versions import IndexVersions
from assistant.operations.refresh import RefreshRunner
from assistant.store.db import make_engine, make_sessionmaker
settings = Settings.from_env()
runner = RefreshRunner(make_sessionmaker(make_engine(settings.database_url)), FakeEmbedder(),
                       IndexVersions(settings.index_dir))
runner.start("olga")
print("refresh ended:", runner.wait(60).phase, flush=True)
"""

EMBEDDING = "assistant.index.embedders:FakeEmbedder.embed_passages"
WRITING = "assistant.index.dense:DenseIndex.save"  # documents and unit table written, vectors not yet
PUBLISHING = "assistant.index.versions:IndexVersions.publish"  # every file and the manifest written, not moved


@pytest.mark.slow
@pytest.mark.parametrize(
    ("how", "target", "staged"),
    [
        ("cli", EMBEDDING, []),
        ("cli", WRITING, ["docs.jsonl", "units.npz"]),
        ("cli", PUBLISHING, ["dense.faiss", "docs.jsonl", "lexical-occupation", "lexical-offer", "lexical-policy",
                             "lexical-skill", "manifest.json", "skill-views-en", "units.npz"]),
        ("console", WRITING, ["docs.jsonl", "units.npz"]),
    ],
    ids=["index-embedding", "index-writing", "index-publishing", "console-writing"],
)
def test_a_refresh_killed_midway_changes_nothing_served(
    small_home: IndexedHome, how: str, target: str, staged: list[str]
) -> None:
    settings = small_home.settings
    versions = IndexVersions(settings.index_dir)
    old = versions.current_id()
    engine = make_engine(settings.database_url)
    before = snapshot(engine)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SKILLPATH_")}, **small_home.env,
           "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, target, how], cwd=ROOT, env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        if line != f"stopped at {target}\n":
            child.kill()
            pytest.fail(f"the child did not stop at {target}: {line!r} {child.communicate()[1]}")
        child.kill()  # SIGKILL: no handler, no finally, no atexit
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()

    # The dead build's staging folder is there, as far as it got; nothing else moved.
    dead = [p for p in settings.index_dir.iterdir() if p.name.startswith(".staging-")]
    assert len(dead) == 1 and sorted(p.name for p in dead[0].iterdir()) == staged
    assert (versions.current_id(), versions.versions()) == (old, [old])
    assert (settings.index_dir / "CURRENT").read_text(encoding="utf-8") == f"{old}\n"

    # The old version loads and answers.
    sessions = make_sessionmaker(engine)
    retrieval = make_retrieval(settings, sessions)
    status = retrieval.holder.status()
    assert (status["state"], status["version"], status["problems"]) == ("ok", old, [])
    hits = retrieval.service.search(Query("焊工", type="occupation", k=3))
    assert hits and hits[0].title == "焊工", [h.title for h in hits]

    # The store: the same rows (the console wrote its start to the audit log before building), intact, at head.
    after = snapshot(engine)
    if how == "console":
        assert audit_actions(sessions, "index") == [("olga", "index.refresh.start", old)]
        after.pop("audit_events"), before.pop("audit_events")
    assert after == before
    assert_store_consistent(settings.database_url)
    engine.dispose()

    # The lock died with its holder: another refresh may start, and the next build works and sweeps up.
    with versions.build_lock():
        pass
    runner = RefreshRunner(sessions, retrieval.embedder, versions)
    assert not runner.status().running  # a dead refresh is not shown as running forever
    runner.start("olga")
    done = runner.wait(30)
    assert (done.phase, done.error) == ("done", None)
    assert versions.current_id() == done.version_id != old and versions.versions() == sorted([old, done.version_id])
    assert not [p.name for p in settings.index_dir.iterdir() if p.name.startswith((".staging-", ".deleting-"))]
    assert retrieval.holder.status()["version"] == done.version_id  # a running server picks it up unasked

