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
from assistant.ingest.problems import CodedInputError
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


class RecordErrors(InputError):
    """Every problem of one record (a bad kind and a bad date on one row are both named); reads as the first."""

    def __init__(self, errors: list[InputError]) -> None:
        first = errors[0]
        super().__init__(first.file, first.reason, line=first.line, field=first.field)
        self.errors = errors


def _build(path: Path, line: int, rec: dict[str, Any], mapping: dict[str, Any]) -> OfferRecord:
    """One offer from one raw record; RecordErrors listing each bad value when there are any."""
    errors: list[InputError] = []

    def err(field: str, code: str, msg: str, **params: object) -> InputError:
        return CodedInputError(path, code, msg, line=line, field=field, params=params)

    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in rec.items()}
    for name in REQUIRED:
        if clean.get(name) in (None, ""):
            errors.append(err(name, "required_empty", "required field is empty") if name in clean
                          else err(name, "required_missing", "required field is missing"))
    kind = clean.get("kind")
    if kind not in (None, "") and kind not in KINDS:
        errors.append(err("kind", "not_one_of", f"'{kind}' is not one of: {', '.join(KINDS)}", value=kind,
                          choices=", ".join(KINDS)))
    lang = clean.get("language") or ("zh" if CJK.search(str(clean.get("title") or "")) else "en")
    if lang not in LANGUAGES:
        errors.append(err("language", "not_one_of", f"'{lang}' is not one of: {', '.join(LANGUAGES)}", value=lang,
                          choices=", ".join(LANGUAGES)))
    sep = mapping.get("list_separator")
    values: dict[str, Any] = {}
    for name in sorted(RECORD_FIELDS):  # sorted: problems come in the same order every time
        v = clean.get(name)
        if v in (None, ""):
            continue
        try:
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
        except InputError as exc:
            errors.append(exc)
    for d in values.get("start_dates", ()):
        try:
            date.fromisoformat(d)
        except ValueError:
            errors.append(err("start_dates", "not_date", f"'{d}' is not a date (YYYY-MM-DD)", value=d))
    if errors:
        raise RecordErrors(errors)
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


def _each_error(exc: InputError) -> list[InputError]:
    return list(exc.errors) if isinstance(exc, RecordErrors) else [exc]


def offer_errors(path: Path, mapping: dict[str, Any] | None = None) -> list[InputError]:
    """Every invalid value of every record of one offers file, each naming its line and field (a syntax error ends
    the file). parse_offers stops at the first bad record unless given a list to collect them in."""
    errors: list[InputError] = []
    try:
        parse_offers_collecting(path, errors, mapping=mapping or {})
    except InputError as exc:
        if not errors or exc.line is not None:  # 'no offers found' after every row was refused says nothing new
            errors.extend(_each_error(exc))
    return errors


def parse_offers_collecting(
    path: Path, errors: list[InputError], *, name: str | None = None, version: str | None = None,
    mapping: dict[str, Any] | None = None,
) -> SourceBundle:
    """One pass for a validation report: the valid records in a bundle, every problem of the others in `errors`.

    Raises InputError for what ends the file (a syntax error, no valid offer at all)."""
    return _parse(path, mapping or {}, name=name, version=version, errors=errors)


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
    return _parse(path, load_mapping(mapping_path), name=name, version=version, mapping_path=mapping_path,
                  skip_invalid=skip_invalid)


def _parse(
    path: Path, mapping: dict[str, Any], *, name: str | None, version: str | None, mapping_path: Path | None = None,
    skip_invalid: bool = False, errors: list[InputError] | None = None,
) -> SourceBundle:
    offers: dict[str, OfferRecord] = {}
    repeated, skipped = 0, []
    for line, raw in read_raw(path, mapping):
        try:
            rec = _build(path, line, _apply_mapping(raw, mapping), mapping)
        except InputError as exc:
            if errors is not None:
                errors.extend(_each_error(exc))
                continue
            if not skip_invalid:
                raise
            skipped.append(str(exc))
            continue
        first = offers.get(rec.external_id)
        if first is not None:
            same = {**first.__dict__, "line": None} == {**rec.__dict__, "line": None}
            if not same:
                dup = CodedInputError(
                    path, "duplicate_id", f"duplicate id '{rec.external_id}' (first at line {first.line}) with "
                    "different content", line=line, field="id", params={"id": rec.external_id, "first": first.line},
                )
                if errors is None:
                    raise dup
                errors.append(dup)
                continue
            repeated += 1
            continue
        offers[rec.external_id] = rec
    if not offers:
        raise CodedInputError(path, "no_offers", "no offers found")
    checksum = file_sha256(*(p for p in (path, mapping_path) if p))
    notes = [f"merged {repeated} repeated identical record(s)"] if repeated else []
    if skipped:
        notes.append(f"skipped {len(skipped)} invalid record(s): " + "; ".join(skipped[:10]))
    return SourceBundle(
        name=name or mapping.get("name") or path.stem, kind="offers", version=version or checksum[:12],
        checksum=checksum, location=str(path), offers=list(offers.values()), notes=notes,
    )
