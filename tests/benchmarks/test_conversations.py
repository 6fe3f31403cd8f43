"""The scripted conversations of ../shared/conversations, played against the real model: a change that breaks people
other than the welder cannot land (slow: runs in CI with the e5-indexed home)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.config import Settings
from benchmarks.conversations import play_all, scorer
from tests.conftest import IndexedHome, shared_path

MIN_SHARE = 0.90


@pytest.mark.slow
def test_the_development_conversations_pass(copy_e5_home: IndexedHome) -> None:
    conversations, score = shared_path("conversations", "dev.jsonl"), shared_path("conversations", "score.py")
    env = {**copy_e5_home.env, "SKILLPATH_RATE_ADDRESS_PER_MINUTE": "0", "SKILLPATH_RATE_CONVERSATION_PER_MINUTE": "0"}
    with TestClient(create_app(Settings.from_env(env))) as client:
        summary = play_all(client, Path(conversations), scorer(Path(score)))
    failed = {p.id: [k for k, v in p.checks.items() if not v] for p in summary.played if not p.ok}
    assert summary.share >= MIN_SHARE, f"{summary.line()}; failing: {failed}"
