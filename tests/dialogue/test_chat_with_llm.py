"""The chat with an OpenAI-compatible model configured: rephrased when faithful, template kept when not."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from tests.conftest import IndexedHome
from tests.dialogue import fake_openai as _fake
from tests.dialogue.fake_openai import FakeOpenAI

fake_openai = _fake.fake_openai  # the fixture, used by name below


def _user_content(body: dict[str, Any]) -> str:
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


@pytest.mark.parametrize(
    ("answer", "rephrased"),
    [
        ("您好，这是我对政策资料的整理，供您参考：先前学习认定可以把已有技能变成证书。", True),
        ("根据资料，补贴标准是每人每年99999元。", False),  # an invented number: the template stays
    ],
)
def test_policy_reply_rephrased_only_when_faithful(indexed_home: IndexedHome, fake_openai: FakeOpenAI,
                                                   answer: str, rephrased: bool) -> None:
    fake_openai.responder = lambda body: "{}" if body.get("response_format") else answer
    settings = dataclasses.replace(indexed_home.settings, llm_base_url=fake_openai.base_url, llm_model="m")
    with TestClient(create_app(settings)) as client:
        session = client.post("/api/chat", json={"session_id": None, "message": "同意"}).json()["session_id"]
        body = client.post("/api/chat", json={"session_id": session, "message": "什么是先前学习认定？"}).json()
    assert body["cards"] and all(c["type"] == "policy" for c in body["cards"])  # cards never come from the model
    assert (body["reply"] == answer) is rephrased, body["reply"]
    prompts = [_user_content(r.body) for r in fake_openai.requests if not r.body.get("response_format")]
    assert prompts and "<data" in prompts[-1]  # the retrieved passages went in as data blocks
