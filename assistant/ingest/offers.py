"""Apprenticeship and training offers from CSV, JSON or JSONL (schema: docs/offers-schema.md)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import fields as dc_fields
from datetime import date
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.ingest.csvfile import file_sha256, read_rows, read_text
from assistant.ingest.offer_fields import parse_duration, to_bool, to_list, to_mode, to_number
from assistant.ingest.records import OfferRecord, SourceBundle

FORMATS = (".csv", ".json", ".jsonl")
KINDS = ("apprenticeship", "training")
LANGUAGES = ("zh", "en")
LIST_FIELDS = {"start_dates", "target_occupations", "target_skills", "tags"}
RECORD_FIELDS = {f.name for f in dc_fields(OfferRecord)} - {"extra", "line"}
REQUIRED = ("id", "kind", "title", "provider")
CJK = re.compile(r"[\u4e00-\u9fff]")


def load_mapping(path: Path | None) -> dict[str, Any]:
    """A mapping file renames a foreign catalogue's columns to schema fields and sets defaults."""
    if path is None:
        return {}
    try:
        mapping = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    unknown = set(mapping) - {"fields", "defaults", "id_from", "list_separator", "duration_unit", "name"}
    if unknown:
        raise InputError(path, f"unknown mapping key(s): {', '.join(sorted(unknown))}")
    bad = set(mapping.get("fields", {})) - RECORD_FIELDS - {"id"}
    if bad:
        raise InputError(path, f"mapping names unknown schema field(s): {', '.join(sorted(bad))}", field="fields")
    return mapping


def _json_records(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    """Records of a JSON array (or {"offers": [...]}) with the line each one starts on."""
    decoder = json.JSONDecoder()
    m = re.match(r"\s*(\{\s*\"offers\"\s*:\s*)?\[", text)
    if not m:
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
        raise InputError(path, 'expected a JSON array of offers or {"offers": [...]}', line=1)
    pos, out = m.end(), []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text):
            raise InputError(path, "invalid JSON: unterminated array", line=text.count("\n") + 1)
        if text[pos] == "]":
            break
        line = text.count("\n", 0, pos) + 1
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            # Name the record's first line; the decoder's own position may be at the end of the file.
            raise InputError(
                path, f"invalid JSON: {exc.msg} (at line {exc.lineno}, column {exc.colno})", line=line
            ) from None
        if not isinstance(obj, dict):
            raise InputError(path, "each offer must be a JSON object", line=line)
        out.append((line, obj))
    return out


def _jsonl_records(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    out = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"invalid JSON: {exc.msg} (column {exc.colno})", line=n) from None
        if not isinstance(obj, dict):
            raise InputError(path, "each line must be a JSON object", line=n)
        out.append((n, obj))
    return out


def read_raw(path: Path, mapping: dict[str, Any] | None = None) -> list[tuple[int, dict[str, Any]]]:
    """(line, raw mapping) for every record of a CSV, JSON or JSONL file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        # Without a mapping the header must name the schema's required columns: a wrong header is one problem
        # on line 1, not 'required field is missing' on every row. A mapping renames columns, so it decides.
        return [(line, dict(row)) for line, row in read_rows(path, () if mapping else REQUIRED)]
    text = read_text(path)
    if suffix == ".jsonl":
        return _jsonl_records(path, text)
    if suffix == ".json":
        return _json_records(path, text)
    raise InputError(path, f"unsupported offers format '{suffix}' (expected .csv, .json or .jsonl)")


def _apply_mapping(raw: dict[str, Any], mapping: dict[str, Any]) -> dict[str, Any]:
    if not mapping:
        return dict(raw)
    rec: dict[str, Any] = dict(mapping.get("defaults", {}))
    for target, column in mapping.get("fields", {}).items():
        value = raw.get(column)
        if value not in (None, "", "None"):
            rec[target] = value
    id_from = mapping.get("id_from")
    if id_from and "id" not in rec:
        cols = sorted(raw) if id_from == "*" else id_from
        blob = "\x1f".join(str(raw.get(c, "")) for c in cols)
        rec["id"] = hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
    return rec


def _build(path: Path, line: int, rec: dict[str, Any], mapping: dict[str, Any]) -> OfferRecord:
    def err(field: str, msg: str) -> InputError:
        return InputError(path, msg, line=line, field=field)

    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in rec.items()}
    for name in REQUIRED:
        if clean.get(name) in (None, ""):
            raise err(name, "required field is empty" if name in clean else "required field is missing")
    if clean["kind"] not in KINDS:
        raise err("kind", f"'{clean['kind']}' is not one of: {', '.join(KINDS)}")
    lang = clean.get("language") or ("zh" if CJK.search(str(clean["title"])) else "en")
    if lang not in LANGUAGES:
        raise err("language", f"'{lang}' is not one of: {', '.join(LANGUAGES)}")
    sep = mapping.get("list_separator")
    values: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        v = clean.get(name)
        if v in (None, ""):
            continue
        if name in LIST_FIELDS:
            values[name] = to_list(v, sep, err, name)
        elif name in ("duration_months", "cost"):
            values[name] = to_number(v, err, name)
        elif name in ("paid", "sample"):
            values[name] = to_bool(v, err, name)
        elif name == "mode":
            values[name] = to_mode(v, err, name)
        else:
            values[name] = str(v)
    for d in values.get("start_dates", ()):
        try:
            date.fromisoformat(d)
        except ValueError:
            raise err("start_dates", f"'{d}' is not a date (YYYY-MM-DD)") from None
    unit = mapping.get("duration_unit")
    if unit and re.fullmatch(r"\d+(?:\.\d+)?", values.get("duration_text", "")):
        values["duration_text"] = f"{values['duration_text']} {unit}"  # '1.5' -> '1.5 hours'
    if "duration_months" not in values and "duration_text" in values:
        values["duration_months"] = parse_duration(values["duration_text"])
    values["external_id"] = str(clean["id"])
    values["language"] = lang
    extra = {k: str(v) for k, v in clean.items() if k not in RECORD_FIELDS and k != "id" and v not in (None, "")}
    if mapping:
        extra = {}  # a foreign catalogue's other columns are not ours to keep
    return OfferRecord(**values, extra=extra, line=line)


def offer_errors(path: Path, mapping: dict[str, Any] | None = None) -> list[InputError]:
    """Every invalid record of one offers file, each naming its line and field (a syntax error ends the file).

    parse_offers stops at the first bad record, or with skip_invalid keeps a short note; an upload's validation
    report lists them all.
    """
    mapping = mapping or {}
    errors: list[InputError] = []
    try:
        rows = read_raw(path, mapping)
    except InputError as exc:
        return [exc]
    for line, raw in rows:
        try:
            _build(path, line, _apply_mapping(raw, mapping), mapping)
        except InputError as exc:
            errors.append(exc)
    return errors


def parse_offers(
    path: Path,
    *,
    name: str | None = None,
    version: str | None = None,
    mapping_path: Path | None = None,
    skip_invalid: bool = False,
) -> SourceBundle:
    """Parse one offers file; every record is validated before anything is returned.

    With skip_invalid, records that fail validation are left out and listed in the notes
    (for scraped catalogues); syntax errors in the file itself still refuse it.
    """
    mapping = load_mapping(mapping_path)
    offers: dict[str, OfferRecord] = {}
    repeated, skipped = 0, []
    for line, raw in read_raw(path, mapping):
        try:
            rec = _build(path, line, _apply_mapping(raw, mapping), mapping)
        except InputError as exc:
            if not skip_invalid:
                raise
            skipped.append(str(exc))
            continue
        first = offers.get(rec.external_id)
        if first is not None:
            same = {**first.__dict__, "line": None} == {**rec.__dict__, "line": None}
            if not same:
                raise InputError(
                    path, f"duplicate id '{rec.external_id}' (first at line {first.line}) with different content",
                    line=line, field="id",
                )
            repeated += 1
            continue
        offers[rec.external_id] = rec
    if not offers:
        raise InputError(path, "no offers found")
    checksum = file_sha256(*(p for p in (path, mapping_path) if p))
    notes = [f"merged {repeated} repeated identical record(s)"] if repeated else []
    if skipped:
        notes.append(f"skipped {len(skipped)} invalid record(s): " + "; ".join(skipped[:10]))
    return SourceBundle(
        name=name or mapping.get("name") or path.stem, kind="offers", version=version or checksum[:12],
        checksum=checksum, location=str(path), offers=list(offers.values()), notes=notes,
    )
