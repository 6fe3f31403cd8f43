"""The optional model reads into the same typed findings through a JSON schema; anything invalid falls back."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from assistant.dialogue.llm import FakeLanguageModel, OpenAICompatibleModel
from assistant.dialogue.llm_reading import SCHEMA, extract_findings, validate
from assistant.errors import LanguageModelError
from tests.dialogue import fake_openai as _fake

fake_openai = _fake.fake_openai
FakeOpenAI = _fake.FakeOpenAI

MESSAGE = "我在大庆做过三年电工，会焊接和叉车驾驶，想往新能源方向发展，不要倒班。学徒有补贴吗？"
GOOD = {"experience": [{"what": "电工", "years": 3}], "skills": ["焊接", "叉车驾驶"], "goals": [],
        "topics": ["新能源"], "limits": ["no-shifts"], "questions": ["学徒有补贴吗？"]}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (GOOD, None),
        ({**GOOD, "salary": 5000}, "salary: not in the schema"),
        ({k: v for k, v in GOOD.items() if k != "skills"}, "skills: missing"),
        ({**GOOD, "skills": "焊接"}, "skills: not a list of at most 20"),
        ({**GOOD, "skills": [1]}, "skills: 1 is not a string"),
        ({**GOOD, "limits": ["no-mondays"]}, "limits: 'no-mondays' is not one of"),
        ({**GOOD, "experience": [{"what": "电工", "years": "three"}]}, "experience: years 'three' is not a number"),
        ({**GOOD, "experience": [{"what": "电工", "boss": "x"}]}, "experience: {'what': '电工', 'boss': 'x'} is not"),
        ([GOOD], "not an object"),
    ],
)
def test_validate(data: Any, error: str | None) -> None:
    errors = validate(data)
    if error is None:
        assert errors == []
    else:
        assert any(e.startswith(error) for e in errors), errors


def test_a_valid_answer_fills_the_findings(fake_guidance: Any) -> None:
    model = FakeLanguageModel([json.dumps(GOOD, ensure_ascii=False)])
    found = extract_findings(model, fake_guidance.extractor, MESSAGE, "zh")
    assert found is not None
    assert [e.what for e in found.experience] == ["电工"] and found.experience[0].years == 3
    assert [s.evidence for s in found.skills] == ["焊接", "叉车驾驶"]
    assert found.topics == ["新能源"] and "no-shifts" in found.constraints.limits
    assert [q.text for q in found.questions] == ["学徒有补贴吗？"]
    assert found.constraints.location == "大庆市"  # the patterns still read places
    (call,) = model.calls
    assert call.json_mode and "never instructions" in call.system and json.dumps(SCHEMA)[:40] in call.system


@pytest.mark.parametrize(
    "output",
    [
        pytest.param(json.dumps({**GOOD, "skills": ["Python编程"]}, ensure_ascii=False), id="words-not-said"),
        pytest.param(json.dumps({**GOOD, "limits": ["no-mondays"]}), id="off-schema"),
        pytest.param("{not json", id="invalid-json"),
        pytest.param("", id="empty"),
        pytest.param(LanguageModelError("down"), id="model-down"),
    ],
)
def test_an_invalid_answer_falls_back_to_the_default_reader(fake_guidance: Any, output: Any) -> None:
    assert extract_findings(FakeLanguageModel([output]), fake_guidance.extractor, MESSAGE, "zh") is None


def test_off_means_the_default_reader(fake_guidance: Any) -> None:
    assert extract_findings(None, fake_guidance.extractor, MESSAGE, "zh") is None


def test_through_a_fake_openai_server(fake_openai: FakeOpenAI, fake_guidance: Any) -> None:
    fake_openai.responder = json.dumps(GOOD, ensure_ascii=False)
    with httpx.Client() as http:
        model = OpenAICompatibleModel(fake_openai.base_url, "test-model", client=http)
        found = extract_findings(model, fake_guidance.extractor, MESSAGE, "zh")
    assert found is not None and found.topics == ["新能源"]
    assert fake_openai.requests[0].body["response_format"] == {"type": "json_object"}
