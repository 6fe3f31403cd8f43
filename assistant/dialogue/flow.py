"""The whole conversation on one screen: (phase, intent) → handler. Phases and intents are enums; ANY is a row that
applies in every phase once consent is given. The first matching row wins: the phase's own row, then ANY's."""

from __future__ import annotations

from assistant.dialogue import handlers as h
from assistant.dialogue.handlers import Handler, Context
from assistant.dialogue.state import Phase
from assistant.understanding.intents import Intent

ANY = None

# Before consent (phase WELCOME, consent unanswered) nothing is read or kept except a message held for the answer.
BEFORE_CONSENT: dict[Intent, Handler] = {
    Intent.YES: h.give_consent,
    Intent.NO: h.decline,
    Intent.QUESTION: h.answer_question,  # policy questions need no personal data
    Intent.SWITCH_LANGUAGE: h.switch_language,
    Intent.OTHER_LANGUAGE: h.other_language,
}
BEFORE_CONSENT_OTHERWISE: Handler = h.hold_until_consent

# Consent declined: questions are still answered; "yes" gives consent after all.
DECLINED: dict[Intent, Handler] = {
    Intent.YES: h.give_consent,
    Intent.QUESTION: h.answer_question,
    Intent.SWITCH_LANGUAGE: h.switch_language,
}
DECLINED_OTHERWISE: Handler = h.declined

FLOW: dict[tuple[Phase | None, Intent], Handler] = {
    # phase-specific rows
    (Phase.CONFIRM_SKILLS, Intent.YES): h.confirm_skills,
    (Phase.CONFIRM_SKILLS, Intent.NO): h.not_right,
    (Phase.RECOMMENDATIONS, Intent.YES): h.pathway,
    (Phase.INTERESTS, Intent.YES): h.quiz_answer,
    (Phase.INTERESTS, Intent.NO): h.quiz_answer,
    (Phase.INTERESTS, Intent.STATEMENT): h.quiz_answer,  # 喜欢 / 还行 / a story that leaves the questions
    (Phase.INTERESTS, Intent.QUESTION): h.quiz_answer,
    (Phase.INTERESTS, Intent.UNSURE): h.quiz_answer,  # 不知道，还行吧 answers the question asked
    # rows for every phase
    (ANY, Intent.SWITCH_LANGUAGE): h.switch_language,
    (ANY, Intent.RESTART): h.restart,
    (ANY, Intent.GREETING): h.greet,
    (ANY, Intent.OTHER_LANGUAGE): h.other_language,
    (ANY, Intent.YES): h.yes_elsewhere,
    (ANY, Intent.NO): h.yes_elsewhere,
    (ANY, Intent.REMOVE_SKILL): h.remove_skills,
    (ANY, Intent.UNSURE): h.start_interests,
    (ANY, Intent.RECOMMEND): h.recommend,
    (ANY, Intent.PATHWAY): h.pathway,
    (ANY, Intent.QUESTION): h.answer_question,
    (ANY, Intent.STATEMENT): h.understand,
}


def route(t: Context) -> Handler:
    intent = t.intents.main
    if t.consent is None:
        return BEFORE_CONSENT.get(intent, BEFORE_CONSENT_OTHERWISE)
    if t.consent is False:
        return DECLINED.get(intent, DECLINED_OTHERWISE)
    return FLOW.get((t.phase, intent)) or FLOW[(ANY, intent)]
