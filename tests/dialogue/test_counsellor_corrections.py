"""A counsellor's corrections reach the job seeker's chat from their next turn on: a rejected occupation is not
recommended again, a corrected goal or experience replaces the old reading, and the chat says so once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.deps import require_services
from assistant.casework.service import Casework
from assistant.config import Settings
from assistant.guidance.corrections import goal_key
from assistant.understanding.profile import Profile
from tests.conftest import IndexedHome
from tests.helpers import conversation_id, converse

NOTE = {"zh": "你的就业指导员更新了你的档案或计划", "en": "Your counsellor has updated your profile or plan"}
WELDER = {"zh": ["同意", "我在工厂做了三年电焊，会看图纸，想做焊工，想在湖州找个学徒岗位", "对"],
          "en": ["I agree", "I did welding in a factory for three years and can read drawings; I want to be a welder",
                 "yes"]}
AGAIN = {"zh": "推荐", "en": "Recommend"}


@pytest.fixture(scope="module")
def client(indexed_home: IndexedHome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    home = tmp_path_factory.mktemp("corrections") / "home"
    shutil.copytree(indexed_home.home, home)
    env = {**indexed_home.env, "SKILLPATH_HOME": str(home), "SKILLPATH_RATE_CONVERSATION_PER_MINUTE": "0",
           "SKILLPATH_RATE_ADDRESS_PER_MINUTE": "0"}
    with TestClient(create_app(Settings.from_env(env))) as c:
        yield c


def casework(client: TestClient) -> Casework:
    return require_services(client.app).casework  # type: ignore[arg-type]


def occupations(reply: dict[str, Any]) -> list[str]:
    return [f"{c['scheme']}:{c['code'] or c['uri']}" for c in reply["cards"] if c["type"] == "occupation"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_rejected_occupation_is_gone_from_the_next_turn(client: TestClient, lang: str) -> None:
    replies = converse(client, WELDER[lang])
    shown = occupations(replies[-1])
    assert len(shown) >= 2, replies[-1]["reply"]
    handle = replies[-1]["session_id"]
    casework(client).review(conversation_id(handle), "occupation", shown[0], "rejected", "他不想做这个", actor="ada")

    [again] = converse(client, [AGAIN[lang]], handle)
    assert shown[0] not in occupations(again) and occupations(again)
    assert again["reply"].startswith(("（" if lang == "zh" else "(") + NOTE[lang]), again["reply"]
    [later] = converse(client, [AGAIN[lang]], handle)
    assert NOTE[lang] not in later["reply"]  # said once, not on every turn
    assert shown[0] not in occupations(later)


def test_a_corrected_goal_stays_corrected_when_the_person_says_it_again(client: TestClient) -> None:
    replies = converse(client, WELDER["zh"])
    handle = replies[-1]["session_id"]
    goals = Profile.from_dict(replies[-1]["profile"]).goals.occupations
    assert goals, replies[-1]["profile"]
    cid = conversation_id(handle)
    casework(client).edit_line(cid, "goal", goal_key(goals[0]), "电工", "他想做电工，不是焊工", actor="ada")
    detail = casework(client).detail(cid)
    [correction] = detail.corrections
    assert (correction.by.username, correction.note, correction.field) == ("ada", "他想做电工，不是焊工", "goal")

    [again] = converse(client, ["我想做焊工"], handle)  # the old reading comes back from the person's words…
    keys = [goal_key(g) for g in Profile.from_dict(again["profile"]).goals.occupations]
    assert goal_key(goals[0]) not in keys  # …and the correction replaces it again
    assert NOTE["zh"] in again["reply"]


def test_a_removed_experience_line_is_not_read_back(client: TestClient) -> None:
    replies = converse(client, ["同意", "我在家带了五年孩子", "对"])
    handle = replies[-1]["session_id"]
    lines = Profile.from_dict(replies[-1]["profile"]).experience
    assert lines, replies[-1]["profile"]
    casework(client).remove_line(conversation_id(handle), "experience", lines[0].what, actor="ada")
    [again] = converse(client, ["我在家带了五年孩子"], handle)
    assert lines[0].what not in [e.what for e in Profile.from_dict(again["profile"]).experience]


def matched(res: Any) -> list[str]:
    assert res.status_code == 200, res.text
    return [f"{o['scheme']}:{o['code'] or o['uri']}" for o in res.json()["occupations"]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_match_for_the_person_honours_their_counsellors_rejection(client: TestClient, lang: str) -> None:
    """/api/match with the conversation's handle leaves out what was rejected; without it, the text alone counts;
    the id without its key opens nothing."""
    replies = converse(client, WELDER[lang])
    handle = replies[-1]["session_id"]
    body = {"text": WELDER[lang][1], "k": 5}
    before = matched(client.post("/api/match", json=body))
    assert before, body
    casework(client).review(conversation_id(handle), "occupation", before[0], "rejected", "不合适", actor="ada")

    assert before[0] not in matched(client.post("/api/match", json={**body, "session_id": handle}))
    assert matched(client.post("/api/match", json=body))[0] == before[0]  # anyone else's match is unchanged
    res = client.post("/api/match", json={**body, "session_id": conversation_id(handle)})
    assert res.status_code == 404 and "no conversation" in res.text
