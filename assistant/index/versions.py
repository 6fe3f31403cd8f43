"""Versioned index folders: build in staging, publish by an atomic CURRENT switch, keep N, roll back."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from assistant.errors import IndexBusyError, IndexNotReadyError, NoPreviousVersionError
from assistant.index.manifest import MANIFEST, atomic_write, fsync_dir, read_manifest

STAGING = ".staging-"
DELETING = ".deleting-"  # a pruned version is renamed here first, so versions/ never holds a half-deleted one
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _check_id(version_id: str) -> str:
    # Ids become folder names: nothing that could climb out of versions/ or hide as a dotfile.
    if not _ID.fullmatch(version_id):
        raise ValueError(f"invalid index version id {version_id!r}")
    return version_id


def _fsync_tree(folder: Path) -> None:
    """Flush every file and directory entry under folder, so a rename publishes durable content."""
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(dirpath))


class IndexVersions:
    """The index folders under root. Readers use current_path(); writers hold build_lock().

    root/versions/<id>/      complete versions, each with manifest.json
    root/CURRENT             the serving id; always names a complete version, or is absent
    root/HISTORY             previously served ids, newest last, for rollback
    root/.staging-<id>/      a build in progress (removed by the next start() if its build died)
    root/.lock               the build lock
    """

    def __init__(self, root: Path, keep: int = 3) -> None:
        if keep < 2:
            raise ValueError(f"keep must be at least 2 (got {keep}): rollback needs the previous version")
        self.root, self.keep = Path(root), keep
        self._versions = self.root / "versions"
        self._current = self.root / "CURRENT"
        self._history = self.root / "HISTORY"
        self._lock = self.root / ".lock"
        self._locked = False

    # --- reading --------------------------------------------------------------------------------

    def _complete(self, version_id: str) -> bool:
        return bool(_ID.fullmatch(version_id)) and (self._versions / version_id / MANIFEST).is_file()

    def current_id(self) -> str | None:
        try:
            version_id = self._current.read_text(encoding="utf-8").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        return version_id if self._complete(version_id) else None

    def current_path(self) -> Path | None:
        version_id = self.current_id()
        return None if version_id is None else self._versions / version_id

    def marker(self) -> tuple[int, int] | None:
        # os.replace gives CURRENT a new inode on every switch, so two switches within one mtime tick still differ.
        try:
            st = self._current.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_ino

    def versions(self) -> list[str]:
        try:
            names = [p.name for p in self._versions.iterdir()]
        except FileNotFoundError:
            return []
        return sorted(n for n in names if self._complete(n))

    def _read_history(self) -> list[str]:
        try:
            lines = self._history.read_text(encoding="utf-8").split()
        except (FileNotFoundError, UnicodeDecodeError):
            return []
        return [line for line in lines if _ID.fullmatch(line)]

    def _write_history(self, ids: list[str]) -> None:
        atomic_write(self._history, "".join(f"{i}\n" for i in ids))

    def previous_id(self) -> str | None:
        """The version a rollback would switch to now, or None."""
        current = self.current_id()
        return self._previous(current) if current else None

    def _previous(self, current: str | None) -> str | None:
        """The version rollback would return to: newest usable HISTORY entry, else the newest older id."""
        for version_id in reversed(self._read_history()):
            if version_id != current and self._complete(version_id):
                return version_id
        older = [v for v in self.versions() if current is not None and v < current]
        return older[-1] if older else None

    # --- writing --------------------------------------------------------------------------------

    @contextmanager
    def build_lock(self) -> Iterator[None]:
        """Exclusive, non-blocking; the OS drops a flock when its holder dies, so a killed build never wedges it.

        Re-entrant on one instance: a refresh takes the lock when it is asked for and builds under it in a thread.
        """
        if self._locked:
            yield
            return
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise IndexBusyError(f"another `skillpath index` is running (lock: {self._lock})") from None
        self._locked = True
        try:
            yield
        finally:
            self._locked = False
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _writing(self) -> AbstractContextManager[None]:
        # Write methods called outside a build take the lock themselves, so a rollback cannot race a publish.
        return nullcontext() if self._locked else self.build_lock()

    def start(self, version_id: str) -> Path:
        if not self._locked:
            raise RuntimeError("IndexVersions.start() must be called inside build_lock()")
        _check_id(version_id)
        if (self._versions / version_id).exists():
            raise ValueError(f"index version {version_id} already exists in {self._versions}")
        self._versions.mkdir(parents=True, exist_ok=True)
        # Holding the lock means no other build is running: any staging or deleting folder is a dead one's.
        for stale in self.root.iterdir():
            if stale.is_dir() and stale.name.startswith((STAGING, DELETING)):
                shutil.rmtree(stale, ignore_errors=True)
        staging = self.root / f"{STAGING}{version_id}"
        staging.mkdir()
        return staging

    def _staging_id(self, staging: Path) -> str:
        staging = Path(staging)
        if staging.parent != self.root or not staging.name.startswith(STAGING):
            raise ValueError(f"{staging} is not a staging folder of {self.root}")
        return _check_id(staging.name[len(STAGING) :])

    def abandon(self, staging: Path) -> None:
        self._staging_id(staging)
        shutil.rmtree(staging, ignore_errors=True)

    def publish(self, staging: Path) -> str:
        version_id = self._staging_id(staging)
        if not (staging / MANIFEST).is_file():
            raise IndexNotReadyError(f"{staging}: no {MANIFEST}, the build is incomplete; not published")
        manifest = read_manifest(staging)  # a manifest that cannot be read back would make CURRENT unservable
        if manifest.version_id != version_id:
            raise IndexNotReadyError(
                f"{staging / MANIFEST}: version_id {manifest.version_id} does not match the staging folder {version_id}"
            )
        with self._writing():
            target = self._versions / version_id
            if target.exists():
                raise ValueError(f"index version {version_id} already exists in {self._versions}")
            self._versions.mkdir(parents=True, exist_ok=True)
            _fsync_tree(staging)
            os.rename(staging, target)
            fsync_dir(self._versions)
            fsync_dir(self.root)
            try:
                self._switch(version_id, remember=True)
            except BaseException:
                # CURRENT was written atomically, so it still names the old version: take the new one away again
                # (a disk full at this point would otherwise leave a version nobody serves taking up the space).
                if self.current_id() != version_id:
                    self._discard(version_id)
                raise
            self.prune()
        return version_id

    def _switch(self, version_id: str, *, remember: bool) -> None:
        previous = self.current_id()
        if remember and previous is not None and previous != version_id:
            # HISTORY first: a crash before CURRENT moves leaves the serving id on top, which rollback skips.
            self._write_history([i for i in self._read_history() if i != previous] + [previous])
        atomic_write(self._current, f"{version_id}\n")

    def switch(self, version_id: str) -> None:
        """Serve an existing complete version; the one it replaces goes on HISTORY, so rollback undoes this."""
        _check_id(version_id)
        with self._writing():
            if not self._complete(version_id):
                known = ", ".join(self.versions()) or "none"
                where = self._versions / version_id
                raise IndexNotReadyError(f"{where}: not a complete index version (complete: {known})")
            self._switch(version_id, remember=True)

    def rollback(self) -> str:
        with self._writing():
            current = self.current_id()
            if current is None:
                raise NoPreviousVersionError(f"nothing to roll back: no index version is being served from {self.root}")
            target = self._previous(current)
            if target is None:
                if self.versions() == [current]:
                    why = f"{current} is the only complete index version in {self._versions}"
                else:
                    why = f"no complete index version older than {current} in {self._versions}"
                raise NoPreviousVersionError(f"nothing to roll back to: {why}")
            self._switch(target, remember=False)
            # Then drop HISTORY down to the target, so a second rollback goes further back, not forward. In this
            # order a crash between the two leaves the target on top of HISTORY, which rollback skips as serving.
            history = self._read_history()
            while history and history[-1] != target:
                history.pop()
            self._write_history(history[:-1])
            return target

    def _discard(self, version_id: str) -> None:
        trash = self.root / f"{DELETING}{version_id}"
        os.rename(self._versions / version_id, trash)  # atomic: readers see the whole version or none
        fsync_dir(self._versions)
        shutil.rmtree(trash, ignore_errors=True)

    def prune(self) -> list[str]:
        """Remove the oldest complete versions beyond keep; never the serving one nor the one rollback would pick."""
        with self._writing():
            current = self.current_id()
            protected = {current, self._previous(current)}
            complete = self.versions()
            removable = [v for v in complete if v not in protected]
            removed = removable[: max(0, len(complete) - self.keep)]
            for version_id in removed:
                self._discard(version_id)
            if removed:
                history = self._read_history()
                kept = [i for i in history if self._complete(i)]
                if kept != history:
                    self._write_history(kept)
            return removed
