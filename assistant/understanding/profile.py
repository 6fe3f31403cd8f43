"""The person's profile: experience, skills with evidence, education, languages, goals, constraints (JSON round trip)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from assistant.understanding.interests import InterestProfile


@dataclass
class OccupationRef:
    """A pointer into a taxonomy, with the title shown to the person."""

    scheme: str
    code: str | None
    uri: str | None
    title: str
    score: float = 0.0


@dataclass
class Experience:
    """Something the person did: what (their words), the occupation it normalises to, where, how long."""

    what: str
    occupation: OccupationRef | None = None
    where: str | None = None
    years: float | None = None
    evidence: str = ""
    unpaid: bool = False  # caring for family, raising children, housework, volunteering: experience, not a payroll
    # The evidence's clauses that tell the work (no age, no "I can …"): what places it among occupations.
    story: str = ""

    @property
    def account(self) -> str:
        """The words that place this work among occupations: the story, else all that was said, else the what."""
        return self.story or self.evidence or self.what


@dataclass
class SkillClaim:
    """A skill anchored in a taxonomy (ESCO skill URI or a CSCO task), with the person's own words as evidence."""

    id: str  # esco:<uri> | csco2022:<code>#task<n> | text:<words> (no taxonomy match)
    label: str
    scheme: str | None
    uri: str | None
    code: str | None
    evidence: str  # the person's words
    confidence: float
    confirmed: bool = False
    origin: str = "said"  # said | experience | form | counsellor

    @property
    def key(self) -> str:
        return self.id


@dataclass
class Goals:
    """Target occupations (normalised) and the person's own words."""

    occupations: list[OccupationRef] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)  # a field rather than a job: 新能源, 网络相关, elderly care


LIMITS = ("no-shifts", "no-computer", "no-phone", "wheelchair", "home-based")


@dataclass
class Constraints:
    """What limits the options: place, time, money, mode, pay, needs."""

    location: str | None = None  # full name, e.g. 湖州市
    province: str | None = None
    hours_per_week: float | None = None
    budget: float | None = None
    currency: str | None = None
    mode: str | None = None  # online | onsite | blended
    wants_paid: bool | None = None
    wants_apprenticeship: bool | None = None
    needs: list[str] = field(default_factory=list)
    # Accepts travel or a move within the province (True), wants to stay where they are (False), unsaid (None).
    travel: bool | None = None
    # What the work itself must not ask (LIMITS): no shifts, no computer, no phone work, wheelchair, home-based.
    limits: list[str] = field(default_factory=list)


@dataclass
class Profile:
    """Everything SkillPath knows about the person, in the conversation's language."""

    language: str = "zh"
    experience: list[Experience] = field(default_factory=list)
    skills: list[SkillClaim] = field(default_factory=list)
    education: str | None = None
    languages: list[str] = field(default_factory=list)
    age: int | None = None
    goals: Goals = field(default_factory=Goals)
    constraints: Constraints = field(default_factory=Constraints)
    interests: InterestProfile = field(default_factory=InterestProfile)  # quiz answers and likes said in passing

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["interests"] = self.interests.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Profile":
        data = data or {}

        def occ(d: dict[str, Any] | None) -> OccupationRef | None:
            return OccupationRef(**_known(OccupationRef, d)) if d else None

        exp = [Experience(**{**_known(Experience, e), "occupation": occ(e.get("occupation"))})
               for e in data.get("experience", [])]
        goals = data.get("goals") or {}
        return cls(
            language=data.get("language", "zh"),
            experience=exp,
            skills=[SkillClaim(**_known(SkillClaim, s)) for s in data.get("skills", [])],
            education=data.get("education"),
            languages=list(data.get("languages", [])),
            age=data.get("age"),
            goals=Goals([o for o in (occ(x) for x in goals.get("occupations", [])) if o], list(goals.get("text", [])),
                        list(goals.get("topics", []))),
            constraints=Constraints(**_known(Constraints, data.get("constraints") or {})),
            interests=InterestProfile.from_dict(data.get("interests")),
        )

    def add_skill(self, claim: SkillClaim) -> bool:
        """Add a skill unless the same taxonomy id is there already (then keep the surer one); True if new."""
        for i, old in enumerate(self.skills):
            if old.id == claim.id:
                if claim.confidence > old.confidence and not old.confirmed:
                    self.skills[i] = claim
                return False
        self.skills.append(claim)
        return True

    def remove_skills(self, ids: set[str]) -> list[SkillClaim]:
        removed = [s for s in self.skills if s.id in ids]
        self.skills = [s for s in self.skills if s.id not in ids]
        return removed

    def evidence_texts(self) -> list[str]:
        """The person's own words about what they can do: skill evidence and experience descriptions."""
        texts = [s.evidence for s in self.skills if s.evidence] + [s.label for s in self.skills]
        texts += [e.what for e in self.experience if e.what]
        return list(dict.fromkeys(t for t in texts if t.strip()))

    def is_empty(self) -> bool:
        return not (self.experience or self.skills or self.goals.occupations or self.goals.text or self.goals.topics
                    or self.interests.top())


def _known(cls: type, data: dict[str, Any] | None) -> dict[str, Any]:
    """Only the fields the dataclass has: stored state from an older version must still load."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in (data or {}).items() if k in names}
