"""CSV reading that reports the file, line and field of anything malformed."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from assistant.errors import InputError
from assistant.ingest.problems import CodedInputError

csv.field_size_limit(16 * 1024 * 1024)  # ESCO descriptions exceed the 128 KiB default


def file_sha256(*paths: Path) -> str:
    """Checksum of one or more files, in the order given."""
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def read_text(path: Path) -> str:
    """Decode UTF-8 (BOM allowed); name the line of the first bad byte."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = f"0x{data[exc.start]:02x}"
        raise CodedInputError(path, "not_utf8", f"not valid UTF-8 (byte {byte})", line=line,
                              params={"byte": byte}) from None


def _csv_reason(exc: csv.Error) -> str:
    # The csv module's wording for a quote opened and never closed says nothing about quotes.
    reason = str(exc)
    return "a quoted field is never closed (unexpected end of data)" if reason == "unexpected end of data" else reason


def read_rows(
    path: Path, required: Sequence[str] = (), *, delimiter: str = ","
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number where the row starts, row) with every required column present."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CodedInputError(path, "empty_csv", "empty file (no header row)", line=1) from None
    except csv.Error as exc:
        raise CodedInputError(path, "malformed_csv", f"malformed CSV: {_csv_reason(exc)}", line=1,
                              params={"reason": _csv_reason(exc)}) from None
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise CodedInputError(path, "missing_columns", f"missing column(s): {', '.join(missing)}", line=1,
                              params={"columns": ", ".join(missing)})
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CodedInputError(path, "malformed_csv", f"malformed CSV: {_csv_reason(exc)}", line=start,
                                  params={"reason": _csv_reason(exc)}) from None
        if values:
            if len(values) != len(header):
                raise CodedInputError(
                    path, "field_count", f"expected {len(header)} fields, found {len(values)}", line=start,
                    params={"expected": len(header), "found": len(values)},
                )
            yield start, dict(zip(header, values))
        start = reader.line_num + 1
