"""A conversation's typed state: its phase and what it remembers between turns, with a reader for stored rows."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from assistant.understanding.profile import Profile


class Phase(enum.Enum):
    """Where a conversation is. Values are what the store's `phase` column holds (older rows included)."""

    WELCOME = "welcome"  # consent not given yet (or declined)
    EXPERIENCE = "experience"  # asking what the person has done
    CONFIRM_SKILLS = "confirm_skills"  # showing what was understood, asking to confirm
    GOALS = "goals"  # asking what and where they want
    INTERESTS = "interests"  # the interest questions, one at a time
    RECOMMENDATIONS = "recommendations"
    PATHWAY = "pathway"
    FOLLOW_UP = "follow_up"

    @classmethod
    def read(cls, value: str | None) -> "Phase":
        """A stored phase; an unknown one (a newer version's) restarts at asking for experience, losing nothing."""
        try:
            return cls(value or "welcome")
        except ValueError:
            return cls.EXPERIENCE


PHASES = tuple(p.value for p in Phase)


@dataclass
class LastShown:
    """The last recommendations shown: occupations as (scheme, code or uri), the pathway steps as shown."""

    occupations: list[tuple[str, str]] = field(default_factory=list)
    pathway: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"occupations": [list(o) for o in self.occupations], "pathway": self.pathway}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "LastShown | None":
        if not data:
            return None
        return cls([(str(o[0]), str(o[1])) for o in data.get("occupations") or [] if len(o) == 2],
                   list(data.get("pathway") or []))


@dataclass
class Quiz:
    """The interest questions: answers so far by item id, and the item waiting for an answer."""

    answers: dict[str, int] = field(default_factory=dict)
    asking: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"answers": dict(self.answers), "asking": self.asking}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Quiz | None":
        if not data:
            return None
        return cls({str(k): int(v) for k, v in (data.get("answers") or {}).items()}, data.get("asking"))


@dataclass
class ConversationState:
    """Everything a conversation remembers besides its messages.

    Stored as JSON in the conversation row. `from_dict` reads every format saved so far: the original one was the
    same keys without `unclear` and `quiz`."""

    profile: Profile
    pending: str | None = None  # a message said before consent, kept only until the consent answer
    last: LastShown | None = None
    unclear: int = 0  # turns in a row nothing could be read from
    quiz: Quiz | None = None
    answered: list[str] = field(default_factory=list)  # passage ids already quoted, so a repeat says more
    counsellor_seen: str = ""  # the version of the counsellors' corrections the person was last told about

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"unclear": self.unclear}
        if self.profile != Profile(language=self.profile.language):  # nothing known: nothing personal stored
            out["profile"] = self.profile.to_dict()
        if self.pending is not None:
            out["pending"] = self.pending
        if self.last is not None:
            out["last"] = self.last.to_dict()
        if self.quiz is not None:
            out["quiz"] = self.quiz.to_dict()
        if self.answered:
            out["answered"] = list(self.answered[-20:])
        if self.counsellor_seen:
            out["counsellor_seen"] = self.counsellor_seen
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None, language: str = "zh") -> "ConversationState":
        data = data or {}
        profile = Profile.from_dict(data.get("profile")) if data.get("profile") else Profile(language=language)
        return cls(profile=profile, pending=data.get("pending"), last=LastShown.from_dict(data.get("last")),
                   unclear=int(data.get("unclear") or 0), quiz=Quiz.from_dict(data.get("quiz")),
                   answered=list(data.get("answered") or []),
                   counsellor_seen=str(data.get("counsellor_seen") or ""))
