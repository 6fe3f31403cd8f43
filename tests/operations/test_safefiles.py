"""Untrusted names and archives: sanitised file names, zip-slip, links, zip bombs, debris."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from assistant.operations.safefiles import UploadError, UploadLimits, extract_zip, safe_name, size_text
from tests.operations.conftest import LIMITS, zip_bytes


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("offers.csv", "offers.csv"),
        ("培训课程 2027.csv", "培训课程 2027.csv"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\op\\offers.csv", "offers.csv"),
        ("..", "upload"),
        ("", "upload"),
        (".bashrc", "bashrc"),
        ("a;rm -rf ~.csv", "a_rm -rf _.csv"),
        ("x" * 300 + ".csv", "x" * 116 + ".csv"),
    ],
)
def test_safe_name(given: str, safe: str) -> None:
    assert safe_name(given) == safe


@pytest.mark.parametrize(("n", "text"), [(12, "12 bytes"), (3584, "3.5 KiB"), (64 * 1024 * 1024, "64.0 MiB"),
                                         (5 * 1024 ** 3 // 2, "2.5 GiB")])
def test_size_text(n: int, text: str) -> None:
    assert size_text(n) == text


def _extract(tmp_path: Path, data: bytes, limits: UploadLimits = LIMITS) -> Path:
    archive = tmp_path / "a.zip"
    archive.write_bytes(data)
    return extract_zip(archive, tmp_path / "out", limits, "a.zip")


def _symlink_zip() -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link.csv")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "limits", "message"),
    [
        (zip_bytes({"../evil.csv": "x"}), LIMITS,
         "a.zip: archive member '../evil.csv' points outside the archive (absolute path or '..')"),
        (zip_bytes({"ok/../../evil.csv": "x"}), LIMITS,
         "a.zip: archive member 'ok/../../evil.csv' points outside the archive (absolute path or '..')"),
        (zip_bytes({"/etc/cron.d/evil": "x"}), LIMITS,
         "a.zip: archive member '/etc/cron.d/evil' points outside the archive (absolute path or '..')"),
        (zip_bytes({"C:/evil.csv": "x"}), LIMITS,
         "a.zip: archive member 'C:/evil.csv' points outside the archive (absolute path or '..')"),
        (_symlink_zip(), LIMITS, "a.zip: archive member 'link.csv' is a symbolic link; links are not accepted"),
        (zip_bytes({"zeros.csv": b"0" * 200_000}), LIMITS,
         "a.zip: archive unpacks to 195.3 KiB; the limit is 128.0 KiB"),
        (zip_bytes({f"f{i}.md": "x" for i in range(21)}), LIMITS, "a.zip: archive holds 21 files; the limit is 20"),
        (b"PK\x03\x04 not really", LIMITS, "a.zip: not a readable zip archive (File is not a zip file)"),
        (zip_bytes({"__MACOSX/._a.md": "x"}), LIMITS, "a.zip: archive holds no files"),
    ],
)
def test_unsafe_archives_are_refused_before_anything_is_written(
    tmp_path: Path, data: bytes, limits: UploadLimits, message: str
) -> None:
    with pytest.raises(UploadError) as err:
        _extract(tmp_path, data, limits)
    assert str(err.value) == message
    assert not (tmp_path / "out").exists()
    assert not (tmp_path.parent / "evil.csv").exists()


def test_archive_debris_is_skipped_and_a_single_top_folder_is_the_root(tmp_path: Path) -> None:
    data = zip_bytes({"esco-v1.2/occupations.csv": "a", "esco-v1.2/sub/skills.csv": "b",
                      "__MACOSX/esco-v1.2/._occupations.csv": "junk", "esco-v1.2/.DS_Store": "junk"})
    root = _extract(tmp_path, data)
    assert root == tmp_path / "out" / "esco-v1.2"
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == [
        "occupations.csv", "sub/skills.csv"]


def test_flat_archive_root_is_the_target(tmp_path: Path) -> None:
    assert _extract(tmp_path, zip_bytes({"a.md": "# A", "b.md": "# B"})) == tmp_path / "out"
