"""The conversation table: every (phase, intent) has a handler; the typed state reads every saved format."""

from __future__ import annotations

import pytest

from assistant.dialogue import flow
from assistant.dialogue.state import PHASES, ConversationState, LastShown, Phase, Quiz
from assistant.understanding.intents import Intent
from assistant.understanding.profile import Profile


@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize("intent", list(Intent))
def test_every_phase_and_intent_has_a_handler(phase: Phase, intent: Intent) -> None:
    handler = flow.FLOW.get((phase, intent)) or flow.FLOW.get((flow.ANY, intent))
    assert callable(handler), (phase, intent)


@pytest.mark.parametrize("intent", list(Intent))
def test_before_consent_nothing_is_read(intent: Intent) -> None:
    handler = flow.BEFORE_CONSENT.get(intent, flow.BEFORE_CONSENT_OTHERWISE)
    assert handler.__name__ in {"give_consent", "decline", "answer_question", "switch_language", "other_language",
                                "hold_until_consent"}


def test_phases_are_the_stored_values() -> None:
    assert PHASES[:3] == ("welcome", "experience", "confirm_skills") and "interests" in PHASES
    assert Phase.read("recommendations") is Phase.RECOMMENDATIONS
    assert Phase.read("from-a-newer-version") is Phase.EXPERIENCE and Phase.read(None) is Phase.WELCOME


def test_a_state_saved_by_the_previous_version_loads() -> None:
    old = {"profile": {"language": "zh", "experience": [], "skills": [], "goals": {"occupations": [], "text": ["x"]},
                       "constraints": {"location": "湖州市"}},
           "last": {"occupations": [["csco2022", "6-18-02-04"]], "pathway": [{"step": 1}]}, "pending": "我会电焊"}
    state = ConversationState.from_dict(old)
    assert state.profile.constraints.location == "湖州市" and state.pending == "我会电焊"
    assert state.last == LastShown([("csco2022", "6-18-02-04")], [{"step": 1}]) and state.unclear == 0
    again = ConversationState.from_dict(state.to_dict())
    assert again == state


def test_an_empty_state_stores_nothing_personal() -> None:
    assert ConversationState(Profile(language="en")).to_dict() == {"unclear": 0}


def test_the_quiz_round_trips() -> None:
    state = ConversationState(Profile(), quiz=Quiz({"r1": 3}, "s1"))
    assert ConversationState.from_dict(state.to_dict()).quiz == Quiz({"r1": 3}, "s1")
