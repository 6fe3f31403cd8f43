"""Fixtures for the operator services: an uploads folder over a migrated store, archives built in memory."""

from __future__ import annotations

import io
import itertools
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts.audit import list_events
from assistant.index import build as build_module
from assistant.index.build import build_index
from assistant.index.embedders import FakeEmbedder
from assistant.index.manifest import new_version_id
from assistant.index.versions import IndexVersions
from assistant.operations.safefiles import UploadLimits
from assistant.operations.uploads import Uploads
from tests.index.test_build import small_store

# Small enough that the refusal tests need only small files; large enough for every good case.
LIMITS = UploadLimits(max_bytes=64 * 1024, max_unpacked_bytes=128 * 1024, max_files=20)

GOOD_CSV = (
    "id,kind,title,provider,city,duration_text\n"
    "h1,apprenticeship,焊工学徒,湖州示例企业,湖州市,12个月\n"
    "t1,training,Welding course,Rizhao College,Rizhao,3 months\n"
)


def zip_bytes(members: dict[str, str | bytes]) -> bytes:
    """A zip archive holding the given member names (used verbatim, so they can be hostile) and contents."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def zip_folder(folder: Path, prefix: str = "") -> bytes:
    """Every file under folder, named relative to it (with prefix: inside one top folder)."""
    return zip_bytes({prefix + p.relative_to(folder).as_posix(): p.read_bytes()
                      for p in sorted(folder.rglob("*")) if p.is_file()})


def audit_actions(sessions: sessionmaker[Session], family: str) -> list[tuple[str | None, str, str]]:
    """(actor, action, target) of the audit entries in a family, oldest first."""
    with sessions() as session:
        return [(e.actor, e.action, e.target) for e in reversed(list_events(session, action=f"{family}.*"))]


@pytest.fixture
def uploads(sqlite_factory: sessionmaker[Session], tmp_path: Path) -> Uploads:
    return Uploads(tmp_path / "uploads", sqlite_factory, limits=LIMITS)


@pytest.fixture
def small_index(
    sqlite_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> IndexVersions:
    """The small store of the index tests, with one version built from it; later builds get later ids."""
    small_store(sqlite_factory)
    # Ids one second apart: real ids sort by the second, and these builds take less than one.
    clock = (datetime(2026, 11, 21, 10, 0, tzinfo=UTC) + timedelta(seconds=i) for i in itertools.count())
    monkeypatch.setattr(build_module, "new_version_id", lambda: new_version_id(next(clock)))
    versions = IndexVersions(tmp_path / "index")
    build_index(sqlite_factory, FakeEmbedder(), versions)
    return versions
