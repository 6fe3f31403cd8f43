"""Every refusal the casework service can give has the console's words for it, in Chinese and in English."""

from __future__ import annotations

import re

import pytest

from assistant.api.templating import load_strings
from assistant.casework import errors
from assistant.config import WEB_DIR
from tests.conftest import ROOT

STRINGS = load_strings(WEB_DIR / "i18n")
SOURCES = [*(ROOT / "assistant" / "casework").glob("*.py"), ROOT / "assistant" / "api" / "counsellor.py"]


def codes() -> set[str]:
    found = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'CaseError\(\s*"([a-z_]+)"', text))
        # _text(..., code="note") raises note_empty and note_long
        for code in re.findall(r'code="([a-z_]+)"', text):
            found |= {f"{code}_empty", f"{code}_long"}
    return found


def test_the_scan_finds_the_codes() -> None:
    assert {"handover_unknown", "handover_inactive", "plan_date", "note_empty", "search_phase"} <= codes()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_code_has_a_message(lang: str) -> None:
    missing = sorted(c for c in codes() if f"cw_error_{c}" not in STRINGS[lang])
    assert missing in ([], ["handover_note_empty"])  # a handover note is optional: never empty-refused


def test_params_are_text() -> None:
    assert errors.CaseError("x", "m", limit=30).params == {"limit": "30"}
