"""Untrusted file names and archives: sanitised names, zip extraction guarded against zip-slip and zip bombs."""

from __future__ import annotations

import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from assistant.errors import InputError

NAME_MAX_CHARS = 120
_UNSAFE = re.compile(r"[^\w.\-()+ ]")  # \w keeps CJK and other letters: 培训课程.csv stays readable
# Archive debris from macOS and Windows; never part of a source.
_JUNK_DIRS = {"__MACOSX"}
_JUNK_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}
_CHUNK = 1 << 20


class UploadError(InputError):
    """An upload refused before anything is kept: too large, an unsafe archive, an unknown kind (HTTP 400)."""


@dataclass(frozen=True)
class UploadLimits:
    """What one upload may hold; the defaults take a zipped official ESCO export (about 250 MB unpacked)."""

    max_bytes: int = 64 * 1024 * 1024  # the uploaded file itself
    max_unpacked_bytes: int = 512 * 1024 * 1024  # everything an archive holds, once extracted
    max_files: int = 5000  # members of an archive


def size_text(n: int) -> str:
    """12 bytes, 3.5 KiB, 64.0 MiB, 4.0 GiB: limits and sizes as a person reads them."""
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 ** 2:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 ** 2:.1f} MiB" if n < 1024 ** 3 else f"{n / 1024 ** 3:.1f} GiB"


def safe_name(filename: str) -> str:
    """A file name that is safe to join to a folder: no directories, no leading dot, no odd characters."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", filename or ""))[-1]
    base = _UNSAFE.sub("_", base).strip(" .")  # strip: '..' and '.bashrc' must not survive as such
    if len(base) > NAME_MAX_CHARS:
        suffix = Path(base).suffix[:16]
        base = base[: NAME_MAX_CHARS - len(suffix)] + suffix
    return base or "upload"


def _member_parts(info: zipfile.ZipInfo, archive: str) -> tuple[str, ...] | None:
    """The member's path parts, None for debris to skip; refuses anything that could land outside the folder."""
    name = info.filename
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise UploadError(archive, f"archive member '{name}' is a symbolic link; links are not accepted")
    if info.flag_bits & 0x1:
        raise UploadError(archive, f"archive member '{name}' is encrypted")
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or re.match(r"^[A-Za-z]:", name) or ".." in path.parts:
        raise UploadError(archive, f"archive member '{name}' points outside the archive (absolute path or '..')")
    parts = tuple(p for p in path.parts if p not in ("", "."))
    if not parts or parts[0] in _JUNK_DIRS or parts[-1] in _JUNK_FILES or parts[-1].startswith("._"):
        return None
    return tuple(safe_name(p) for p in parts)


def extract_zip(archive: Path, target: Path, limits: UploadLimits, label: str) -> Path:
    """Extract into target (which must not exist yet); return the folder to read: the single top folder, if any.

    The sizes an archive declares can lie, so the bytes actually written are counted too.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UploadError(label, f"not a readable zip archive ({exc})") from None
    with zf:
        members = [(info, _member_parts(info, label)) for info in zf.infolist() if not info.is_dir()]
        members = [(info, parts) for info, parts in members if parts is not None]
        if len(members) > limits.max_files:
            raise UploadError(label, f"archive holds {len(members)} files; the limit is {limits.max_files}")
        declared = sum(info.file_size for info, _ in members)
        if declared > limits.max_unpacked_bytes:
            limit = size_text(limits.max_unpacked_bytes)
            raise UploadError(label, f"archive unpacks to {size_text(declared)}; the limit is {limit}")
        if not members:
            raise UploadError(label, "archive holds no files")
        target.mkdir(parents=True)
        root = target.resolve()
        written = 0
        for info, parts in members:
            dest = root.joinpath(*parts)
            if not dest.resolve().is_relative_to(root):  # belt and braces after the checks on the name
                raise UploadError(label, f"archive member '{info.filename}' points outside the archive")
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(dest, "xb") as out:
                    while chunk := src.read(_CHUNK):
                        written += len(chunk)
                        if written > limits.max_unpacked_bytes:
                            limit = size_text(limits.max_unpacked_bytes)
                            raise UploadError(label, f"archive unpacks to more than {limit} (the limit)")
                        out.write(chunk)
            except FileExistsError:
                clash = f"archive member '{info.filename}' clashes with another of the same name"
                raise UploadError(label, clash) from None
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
                raise UploadError(label, f"archive member '{info.filename}' cannot be read ({exc})") from None
    entries = list(target.iterdir())
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else target
