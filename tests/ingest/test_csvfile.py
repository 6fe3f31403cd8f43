"""CSV reading: every malformation names the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.ingest.csvfile import read_rows


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "x.csv:1: empty file (no header row)"),
        (b"a,b\n1,2\n", "x.csv:1: missing column(s): c"),
        (b"a,b,c\n1,2,3\n4,5\n", "x.csv:3: expected 3 fields, found 2"),
        (b"a,b,c\n1,2,3\n4,5,6,7\n", "x.csv:3: expected 3 fields, found 4"),
        (b"a,b,c\n1,2,3\n4,\"5,6\n",
         "x.csv:3: malformed CSV: a quoted field is never closed (unexpected end of data)"),
        (b"a,b,c\n1,2,3\n\xff\xfe,2,3\n", "x.csv:3: not valid UTF-8 (byte 0xff)"),
    ],
)
def test_malformed_csv_names_file_and_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        list(read_rows(path, ("a", "b", "c")))
    assert str(err.value) == f"{tmp_path}/{message}"


def test_rows_carry_their_starting_line_across_multiline_fields(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text('a,b\n1,"two\nlines"\n3,4\n', encoding="utf-8")
    assert list(read_rows(path, ("a",))) == [(2, {"a": "1", "b": "two\nlines"}), (4, {"a": "3", "b": "4"})]


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffa,b\n甲,乙\n".encode())
    assert list(read_rows(path, ("a", "b"))) == [(2, {"a": "甲", "b": "乙"})]
