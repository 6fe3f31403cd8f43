"""Value parsers for offer fields: lists, numbers, yes/no and durations in Chinese or English."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from assistant.errors import InputError

# err(field, code, English message, **params): a CodedInputError naming the record's file and line.
ErrorFactory = Callable[..., InputError]

MODES = ("online", "in-person", "blended")
# Other words catalogues use for the three modes. 'onsite' was this schema's own word for in-person until the
# modes were renamed: files and stores written before then still say it.
MODE_WORDS = {
    "onsite": "in-person", "on-site": "in-person", "in person": "in-person", "offline": "in-person",
    "face-to-face": "in-person", "face to face": "in-person", "classroom": "in-person", "线下": "in-person",
    "面授": "in-person", "现场": "in-person", "online": "online", "remote": "online", "线上": "online",
    "网络": "online", "在线": "online", "网上": "online", "远程": "online", "hybrid": "blended", "混合": "blended",
    "线上线下": "blended", "线上线下结合": "blended", "线上线下混合": "blended",
}
TRUE = {"true", "yes", "y", "1", "是", "有"}
FALSE = {"false", "no", "n", "0", "否", "无"}
LIST_SPLIT = re.compile(r"\s*[;；|]\s*")
# Months per unit; hours of course content say nothing about calendar length, so they give None.
UNITS: dict[str, float | None] = {
    "year": 12, "years": 12, "年": 12, "month": 1, "months": 1, "个月": 1, "月": 1, "meses": 1, "mes": 1,
    "week": 12 / 52, "weeks": 12 / 52, "周": 12 / 52, "星期": 12 / 52, "day": 12 / 365, "days": 12 / 365,
    "天": 12 / 365, "日": 12 / 365, "hour": None, "hours": None, "小时": None, "课时": None, "学时": None,
}
DURATION = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:[-–~至到]\s*(\d+(?:\.\d+)?))?\s*(years?|months?|weeks?|days?|hours?|meses|mes|个月|月|年|周|星期|天|日|小时|课时|学时)",
    re.IGNORECASE,
)


def to_list(value: Any, separator: str | None, err: ErrorFactory, field: str) -> tuple[str, ...]:
    """JSON arrays as they are; text split on ';' '|' '；' (or the mapping's separator)."""
    if isinstance(value, list):
        items = value
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                items = json.loads(text)
            except json.JSONDecodeError:
                raise err(field, "list_not_json", "starts with '[' but is not a JSON array") from None
        elif separator:
            items = text.split(separator)
        else:
            items = LIST_SPLIT.split(text)
    else:
        raise err(field, "list_expected", f"expected a list, got {type(value).__name__}", type=type(value).__name__)
    if not all(isinstance(i, (str, int, float)) for i in items):
        raise err(field, "list_not_text", "list items must be text")
    return tuple(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))


def to_number(value: Any, err: ErrorFactory, field: str) -> float:
    if isinstance(value, bool):
        raise err(field, "not_number", f"'{value}' is not a number", value=value)
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace(",", "")
        if text.lower() in ("free", "免费"):
            return 0.0
        try:
            number = float(text)
        except ValueError:
            raise err(field, "not_number", f"'{value}' is not a number", value=value) from None
    if number < 0:
        raise err(field, "negative", f"must not be negative, got {value}", value=value)
    return number


def to_bool(value: Any, err: ErrorFactory, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise err(field, "not_bool", f"'{value}' is not true/false", value=value)


def mode_of(value: object) -> str | None:
    """The schema's mode for a value or one of its synonyms ('onsite' -> 'in-person'); None when unknown."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.strip().casefold().replace("_", "-").split())
    return text if text in MODES else MODE_WORDS.get(text)


def to_mode(value: Any, err: ErrorFactory, field: str) -> str:
    mode = mode_of(value)
    if mode is None:
        raise err(field, "not_one_of", f"'{value}' is not one of: {', '.join(MODES)}", value=value,
                  choices=", ".join(MODES))
    return mode


def parse_duration(text: str, default_unit: str | None = None) -> float | None:
    """'12个月' -> 12, '3 - 6 Months' -> 4.5, '1 - 4 Weeks' -> ~0.58; None when unknown."""
    m = DURATION.search(text)
    if m:
        low, high, unit = float(m.group(1)), float(m.group(2) or m.group(1)), m.group(3).lower()
    elif default_unit and re.fullmatch(r"\s*\d+(?:\.\d+)?\s*", text):
        low = high = float(text)
        unit = default_unit
    else:
        return None
    factor = UNITS.get(unit)
    return None if factor is None else round((low + high) / 2 * factor, 2)
