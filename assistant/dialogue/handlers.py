"""What each step of a conversation does: one function per (phase, intent) cell of dialogue.flow's table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.dialogue import policy
from assistant.dialogue.llm import LanguageModel
from assistant.dialogue.llm_reading import extract_findings
from assistant.dialogue.render import occupation_card, offer_card, policy_card, render, skill_card, step_card
from assistant.dialogue.state import ConversationState, LastShown, Phase, Quiz
from assistant.guidance.corrections import Corrections
from assistant.guidance.service import GuidanceService
from assistant.understanding.extract import Findings, apply
from assistant.understanding.intents import Intent, Intents
from assistant.understanding.interests import ITEMS, QuizItem, next_item, read_answer
from assistant.understanding.profile import Profile
from assistant.understanding.sentences import asking_part

# After this many turns in a row with nothing read, the interest questions are offered with the follow-up.
UNCLEAR_BEFORE_OFFER = 2


@dataclass
class Reply:
    """What a handler answers: text, cards, the phase to move to (None: stay), evidence for a rephrasing model."""

    text: str
    cards: list[dict[str, Any]] = field(default_factory=list)
    phase: Phase | None = None
    evidence: list[str] = field(default_factory=list)
    suggestions: list[str] | None = None  # None: the phase's usual ones
    replay: str | None = None  # a message to handle next, in the new phase (one held until consent)


@dataclass
class Context:
    """One turn's inputs and the conversation they change (handlers mutate `state`, `phase`, `consent`)."""

    message: str
    intents: Intents
    language: str
    phase: Phase
    consent: bool | None
    state: ConversationState
    guidance: GuidanceService
    llm: LanguageModel | None = None
    corrections: Corrections | None = None  # what the person's counsellors changed (guidance honours it)

    @property
    def profile(self) -> Profile:
        return self.state.profile

    def read(self, message: str | None = None) -> Findings:
        """The reading of a message (this turn's by default); a configured model fills the same findings."""
        message = self.message if message is None else message
        found = extract_findings(self.llm, self.guidance.extractor, message, self.language) if self.llm else None
        return found or self.guidance.extractor.extract(message, self.language)


Handler = Callable[[Context], Reply]


# -- consent ---------------------------------------------------------------------------------------------------------

def give_consent(t: Context) -> Reply:
    t.consent = True
    pending, t.state.pending = t.state.pending, None
    if pending:  # the held message now goes through the table like any other
        return Reply("", phase=Phase.EXPERIENCE, replay=pending)
    return Reply(render(t.language, "ask_experience"), phase=Phase.EXPERIENCE)


def decline(t: Context) -> Reply:
    t.consent = False
    discarded = t.state.pending is not None
    t.state.pending = None
    return Reply(render(t.language, "consent_declined", discarded=discarded))


def hold_until_consent(t: Context) -> Reply:
    """Anything said before the consent answer is kept (not read, not stored as a message) until it comes."""
    if t.intents.main is not Intent.GREETING:
        t.state.pending = t.message
    return Reply(render(t.language, "welcome"))


def declined(t: Context) -> Reply:
    return Reply(render(t.language, "consent_declined", discarded=False))


# -- anywhere --------------------------------------------------------------------------------------------------------

def switch_language(t: Context) -> Reply:
    t.language = t.intents.switch_to or t.language
    t.profile.language = t.language
    return Reply(render(t.language, "language_switched") + "\n\n" + prompt_for(t))


def restart(t: Context) -> Reply:
    t.state.profile, t.state.last, t.state.quiz, t.state.unclear = Profile(language=t.language), None, None, 0
    return Reply(render(t.language, "ask_experience"), phase=Phase.EXPERIENCE)


def other_language(t: Context) -> Reply:
    return Reply(render(t.language, "other_language"))


def greet(t: Context) -> Reply:
    return Reply(prompt_for(t))


def answer_question(t: Context) -> Reply:
    """A question alone: a cited answer (or an honest "not in the knowledge base"); the phase stays."""
    text, cards, evidence = _answers(t, [t.message])
    if t.consent:
        text += "\n\n" + prompt_for(t) if t.phase in (Phase.EXPERIENCE, Phase.CONFIRM_SKILLS, Phase.GOALS,
                                                       Phase.INTERESTS) else ""
    return Reply(text, cards, evidence=evidence)


def remove_skills(t: Context) -> Reply:
    removed = []
    for asked in t.intents.remove:
        ids = {s.id for s in t.profile.skills if asked in s.evidence or asked in s.label or s.evidence in asked}
        removed += t.profile.remove_skills(ids)
    text = render(t.language, "skills_removed", removed=removed, asked=t.intents.remove)
    return Reply(text + render(t.language, "confirm_skills", experience=[], skills=t.profile.skills, ask=""),
                 [skill_card(s.__dict__, t.language) for s in t.profile.skills], phase=Phase.CONFIRM_SKILLS)


# -- reading what people tell --------------------------------------------------------------------------------------

def understand(t: Context) -> Reply:
    """A statement (questions inside it are answered too): read it, then show what was understood, the new
    picture, or ask one targeted question."""
    found = t.read()
    if t.intents.changes_goal and (found.goals or found.topics):
        t.profile.goals.occupations, t.profile.goals.topics = [], []  # a changed goal replaces the old one
    apply(t.profile, found)
    prefix, cards, evidence = _answers(t, [q.text for q in found.questions]) if found.questions else ("", [], [])
    reply = _after_reading(t, found)
    return Reply((prefix + "\n\n" + reply.text).strip(), cards + reply.cards, reply.phase,
                 evidence + reply.evidence, reply.suggestions)


def _after_reading(t: Context, found: Findings) -> Reply:
    if found.is_empty() and not found.questions:
        return ask_more(t)
    t.state.unclear = 0
    if found.experience or found.skills:
        cards = [skill_card(s.__dict__, t.language) for s in t.profile.skills]
        ask = _missing_detail(t, found)
        return Reply(render(t.language, "confirm_skills", experience=found.experience, skills=found.skills, ask=ask),
                     cards, phase=Phase.CONFIRM_SKILLS)
    if found.no_experience and not t.profile.interests.top():
        return start_interests(t, intro=True)
    if found.is_empty():
        return Reply("", phase=None)  # only questions: the answer is the reply
    if has_picture(t.profile):
        return recommend(t)
    return ask_more(t)


def _missing_detail(t: Context, found: Findings) -> str:
    """One targeted question about what the story left out (how long), else the usual confirmation."""
    last = found.experience[-1] if found.experience else None
    if last and last.years is None and len(last.what) <= 12:
        return render(t.language, "ask_more", ask="how_long", what=last.what, unclear=0, offer_interests=False)
    return ""


def ask_more(t: Context) -> Reply:
    """Never a dead end: ask for the one thing most missing; after repeated unclear turns, offer the quiz."""
    t.state.unclear += 1
    p = t.profile
    ask = ("what" if not (p.experience or p.skills) else "goal" if not (p.goals.occupations or p.goals.topics)
           else "where" if not p.constraints.location else "other")
    offer = t.state.unclear >= UNCLEAR_BEFORE_OFFER or ask == "what" and t.state.unclear > 1
    text = render(t.language, "ask_more", ask=ask, what="", unclear=t.state.unclear, offer_interests=offer)
    suggestions = _suggest(t.language, "offer_interests") if offer else None
    return Reply(text, phase=t.phase if t.phase is not Phase.WELCOME else Phase.EXPERIENCE, suggestions=suggestions)


def confirm_skills(t: Context) -> Reply:
    for s in t.profile.skills:
        s.confirmed = True
    p = t.profile
    if p.goals.occupations or p.goals.topics or p.constraints.wants_apprenticeship or p.constraints.location:
        return recommend(t)
    return Reply(render(t.language, "ask_goals"), phase=Phase.GOALS)


def not_right(t: Context) -> Reply:
    return Reply(render(t.language, "confirm_skills", experience=[], skills=t.profile.skills,
                        ask=_say(t.language, "which_wrong")), phase=Phase.CONFIRM_SKILLS)


# -- the interest path ---------------------------------------------------------------------------------------------

def start_interests(t: Context, intro: bool = False) -> Reply:
    """Likes said along the way count; then the first unanswered question."""
    if t.intents.main is Intent.UNSURE:
        apply(t.profile, t.read())  # 不知道能干什么，我动手能力还行: the rest of the message is read too
    t.state.quiz = Quiz(dict(t.profile.interests.answers))
    return _ask_item(t, first=True, intro=_say(t.language, "no_experience") if intro else "")


def quiz_answer(t: Context) -> Reply:
    quiz = t.state.quiz or Quiz()
    item = ITEMS.get(quiz.asking or "")
    answer = read_answer(t.message, t.language, item) if item else None
    if item is None or answer is None:
        if t.intents.main in (Intent.STATEMENT, Intent.QUESTION) and len(t.message) > 6:
            t.state.quiz = None  # something else entirely: leave the questions, read it as usual
            return understand(t) if t.intents.main is Intent.STATEMENT else answer_question(t)
        return Reply(render(t.language, "interest_retry", question=item.text(t.language) if item else ""),
                     phase=Phase.INTERESTS)
    t.profile.interests.add_answer(item, answer)
    quiz.answers[item.id] = answer
    if len(t.message) > 6:
        apply(t.profile, t.read())  # 喜欢，我还会修自行车: the answer, then something more to read
    return _ask_item(t, first=False)


def _ask_item(t: Context, *, first: bool, intro: str = "") -> Reply:
    quiz = t.state.quiz or Quiz()
    item: QuizItem | None = next_item(quiz.answers, t.profile.interests)
    if item is None:
        t.state.quiz = None
        return recommend(t)
    quiz.asking = item.id
    t.state.quiz = quiz
    text = render(t.language, "interest_question", first=first, intro=intro, number=len(quiz.answers) + 1,
                  question=item.text(t.language))
    return Reply(text, phase=Phase.INTERESTS, suggestions=_suggest(t.language, "quiz"))


# -- results -------------------------------------------------------------------------------------------------------

def has_picture(p: Profile) -> bool:
    return bool(p.experience or p.skills or p.goals.occupations or p.goals.topics or p.interests.top())


def recommend(t: Context) -> Reply:
    p = t.profile
    if not has_picture(p):
        return start_interests(t) if t.state.unclear or p.education or p.age else ask_more(t)
    t.state.quiz = None
    lang = t.language
    result = t.guidance.recommend(p, k=5, corrections=t.corrections).to_dict()
    t.state.last = LastShown([(o["scheme"], o["code"] or o["uri"]) for o in result["occupations"]], result["pathway"])
    cards = [occupation_card(o, lang) for o in result["occupations"]]
    cards += [offer_card(o, lang) for o in result["apprenticeships"] + result["training"]]
    place = p.constraints.location or p.constraints.province
    text = render(lang, "recommendations", occupations=result["occupations"], basis=_basis(p, lang),
                  apprenticeships=result["apprenticeships"], training=result["training"], place=place,
                  no_apprenticeship_nearby="no-apprenticeship-nearby" in result["notes"],
                  no_offer_reachable="no-offer-reachable" in result["notes"])
    evidence = [f"{c['title']} {c.get('code') or ''} {c['why']}" for c in cards]
    return Reply(text, cards, phase=Phase.RECOMMENDATIONS, evidence=evidence)


def pathway(t: Context) -> Reply:
    result = t.guidance.recommend(t.profile, k=5, corrections=t.corrections).to_dict()
    cards = [step_card(s, t.language) for s in result["pathway"]]
    return Reply(render(t.language, "pathway", steps=result["pathway"]), cards,
                 phase=Phase.PATHWAY if cards else None,
                 evidence=[f"{c['title']} {c.get('duration') or ''}" for c in cards])


def yes_elsewhere(t: Context) -> Reply:
    return Reply(prompt_for(t))


# -- helpers -------------------------------------------------------------------------------------------------------

def _answers(t: Context, questions: list[str]) -> tuple[str, list[dict[str, Any]], list[str]]:
    """Cited answers to the questions in a message (together, so that 能领吗 keeps 失业 from the sentence before)."""
    search, catalog = t.guidance.retrieval.service, t.guidance.catalog.get()
    answers = policy.answer(search, catalog, " ".join(questions), t.language)
    if not answers:  # the story told before a question can drown it: try the asking part alone
        asking = " ".join(asking_part(q) for q in questions)
        answers = policy.answer(search, catalog, asking, t.language) if asking != " ".join(questions) else []
    if not answers:
        return render(t.language, "policy_none"), [], []
    t.state.answered = [*t.state.answered, *(a.hit.id for a in answers)]
    return (render(t.language, "policy_answer", answers=answers), [policy_card(a) for a in answers],
            [a.quote for a in answers])


def _basis(p: Profile, lang: str) -> str:
    """What the picture rests on, in a few words: 你的经历 / your experience and interests."""
    parts = [w for have, w in ((p.experience, "经历|your experience"), (p.skills and not p.experience, "技能|your skills"),
                               (p.goals.occupations or p.goals.topics, "目标|your goal"),
                               (p.interests.top(), "兴趣|your interests")) if have]
    words = [w.split("|")[0 if lang == "zh" else 1] for w in parts]
    if not words:
        return ""
    return ("你的" + "和".join(words)) if lang == "zh" else " and ".join(words)


def prompt_for(t: Context) -> str:
    """What to say to carry on from the current phase."""
    if t.consent is None:
        return render(t.language, "welcome")
    if t.phase is Phase.CONFIRM_SKILLS:
        return render(t.language, "confirm_skills", experience=t.profile.experience, skills=t.profile.skills, ask="")
    if t.phase in (Phase.EXPERIENCE, Phase.WELCOME):
        return render(t.language, "ask_experience")
    if t.phase is Phase.GOALS:
        return render(t.language, "ask_goals")
    if t.phase is Phase.INTERESTS and t.state.quiz and t.state.quiz.asking in ITEMS:
        return ITEMS[t.state.quiz.asking].text(t.language)
    return render(t.language, "follow_up")


_SAY = {
    "which_wrong": ("哪一项不对？可以说“我不会……”去掉，或说“我还会……”补充。",
                    "Which one is wrong? Say \"I can't …\" to remove it, or \"I can also …\" to add one."),
    "no_experience": ("没上过班也没关系。", "No work experience yet is fine."),
}


def _say(lang: str, key: str) -> str:
    return _SAY[key][0 if lang == "zh" else 1]


_SUGGEST = {
    "quiz": (["喜欢", "还行", "不喜欢"], ["Yes", "Sort of", "No"]),
    "offer_interests": (["不知道自己适合做什么", "我在工厂做过三年", "推荐"],
                        ["I don't know what suits me", "I worked in a factory for three years", "Recommend"]),
}


def _suggest(lang: str, key: str) -> list[str]:
    return list(_SUGGEST[key][0 if lang == "zh" else 1])
