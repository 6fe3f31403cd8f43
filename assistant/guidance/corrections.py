"""What counsellors corrected for one person, as the chat and guidance use it: rejected occupations, replaced lines.

Read from the store by `read_corrections` (the dialogue manager calls it with its session each turn), so the
dialogue layer never imports casework: data flows one way. `Corrections.apply` re-applies every replacement, so a
line the next message reads again ("离家近" → 家庭教育指导师) does not bring the corrected reading back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assistant.store.clock import as_utc
from assistant.store.corrections import list_corrections
from assistant.store.plans import get_plan
from assistant.store.reviews import latest_reviews
from assistant.understanding.profile import Experience, OccupationRef, Profile, SkillClaim

OCCUPATION_GOALS = ("goal", "occupation")  # plan items that are the plan's aim, not a step to take


def goal_key(goal: OccupationRef | str) -> str:
    """A goal line's key: occupation:<scheme>:<code or uri>, or text:<the person's words>."""
    if isinstance(goal, OccupationRef):
        return f"occupation:{goal.scheme}:{goal.code or goal.uri}"
    return f"text:{goal}"


@dataclass(frozen=True)
class LineCorrection:
    """One profile line replaced (`new` set) or removed (`new` None): a skill, an experience or a goal."""

    field: str  # skill | experience | goal
    old: str  # the old line's key: a skill id, an experience's words, goal_key()
    new: SkillClaim | Experience | OccupationRef | str | None


@dataclass(frozen=True)
class AgreedStep:
    """A step of the plan agreed with the counsellor, as the job seeker's plan page shows it."""

    title: str
    action: str  # learn | apply | certify | meet
    target_date: str | None = None
    duration: str | None = None
    where: str = ""  # the provider or document it comes from


@dataclass(frozen=True)
class AgreedPlan:
    goals: list[str]
    steps: list[AgreedStep]
    agreed_at: datetime


@dataclass(frozen=True)
class Corrections:
    """Everything counsellors changed that the chat must honour; `version` moves whenever that changes."""

    rejected: frozenset[tuple[str, str]] = frozenset()  # (scheme, code or uri) of rejected occupations
    lines: tuple[LineCorrection, ...] = ()
    plan: AgreedPlan | None = None
    version: str = ""  # "" when no counsellor changed anything

    def allows(self, scheme: str, code: str | None, uri: str | None = None) -> bool:
        return (scheme, code or uri or "") not in self.rejected and (scheme, uri or "") not in self.rejected

    def apply(self, profile: Profile) -> None:
        """Replace or drop the lines counsellors corrected, wherever they are now; idempotent."""
        for c in self.lines:
            if c.field == "skill":
                _replace(profile.skills, lambda s, c=c: s.id == c.old, c.new, lambda a, b: a.id == b.id)
            elif c.field == "experience":
                _replace(profile.experience, lambda e, c=c: e.what == c.old, c.new, lambda a, b: a.what == b.what)
            elif c.field == "goal":  # an occupation read wrongly may be replaced by the person's words, or back
                goals = profile.goals
                is_old = lambda g, c=c: goal_key(g) == c.old  # noqa: E731
                found = any(is_old(g) for g in goals.occupations) or any(is_old(g) for g in goals.text)
                _replace(goals.occupations, is_old, c.new if isinstance(c.new, OccupationRef) else None, _same_goal)
                _replace(goals.text, is_old, c.new if isinstance(c.new, str) else None, _same_goal)
                if found and isinstance(c.new, OccupationRef) and c.new not in goals.occupations:
                    goals.occupations.insert(0, c.new)
                elif found and isinstance(c.new, str) and c.new not in goals.text:
                    goals.text.append(c.new)
        if self.rejected:
            profile.goals.occupations = [g for g in profile.goals.occupations if self.allows(g.scheme, g.code, g.uri)]


def _same_goal(a: OccupationRef | str, b: OccupationRef | str) -> bool:
    return goal_key(a) == goal_key(b)


def _replace(lines: list[Any], is_old: Callable[[Any], bool], new: Any, same: Callable[[Any, Any], bool]) -> None:
    """The first old line becomes `new` (dropped when `new` is None or already there); further old lines go."""
    at = next((i for i, line in enumerate(lines) if is_old(line)), None)
    if at is None:
        return
    rest = [line for line in lines if not is_old(line)]
    if new is not None and not any(same(line, new) for line in rest):
        rest.insert(at, new)
    lines[:] = rest


def _line(field_name: str, new: dict[str, Any]) -> SkillClaim | Experience | OccupationRef | str | None:
    if not new:
        return None
    if field_name == "skill":
        return SkillClaim(**{k: v for k, v in new.items() if k in SkillClaim.__dataclass_fields__})
    if field_name == "experience":
        exp = Profile.from_dict({"experience": [new]}).experience
        return exp[0] if exp else None
    if new.get("occupation"):
        occ = Profile.from_dict({"goals": {"occupations": [new["occupation"]]}}).goals.occupations
        return occ[0] if occ else None
    return str(new.get("text") or "") or None


def line_dict(new: SkillClaim | Experience | OccupationRef | str | None) -> dict[str, Any]:
    """How the store keeps a line (the inverse of reading it back)."""
    if new is None:
        return {}
    if isinstance(new, OccupationRef):
        return {"occupation": asdict(new)}
    if isinstance(new, str):
        return {"text": new}
    return asdict(new)


def read_corrections(session: Session, conversation_id: str) -> Corrections:
    """The corrections for one conversation: rejections that count now, line corrections in order, an agreed plan."""
    moments: list[datetime] = []
    rejected = set()
    for (kind, ref), review in latest_reviews(session, conversation_id).items():
        if kind == "occupation" and review.decision == "rejected":
            scheme, _, code = ref.partition(":")
            rejected.add((scheme, code))
            moments.append(as_utc(review.at))
    lines = []
    for row in list_corrections(session, conversation_id):
        if row.old:
            lines.append(LineCorrection(row.field, row.old, _line(row.field, row.new)))
        moments.append(as_utc(row.at))
    plan = None
    row_plan = get_plan(session, conversation_id)
    if row_plan is not None and row_plan.status == "agreed" and row_plan.agreed_at is not None:
        plan = _agreed(row_plan.items or [], as_utc(row_plan.agreed_at))
        moments.append(plan.agreed_at)
    version = max(moments).isoformat() if moments else ""
    return Corrections(frozenset(rejected), tuple(lines), plan, version)


def _agreed(items: list[dict[str, Any]], at: datetime) -> AgreedPlan:
    goals = [str(i.get("title") or "") for i in items if _is_goal(i)]
    steps = [AgreedStep(str(i.get("title") or ""), str(i.get("action") or "learn"), i.get("target_date"),
                        i.get("duration"), _where(i.get("source") or {})) for i in items if not _is_goal(i)]
    steps.sort(key=lambda s: s.target_date or "9999-12-31")  # stable: undated steps keep their order, last
    return AgreedPlan(goals, steps, at)


def _is_goal(item: dict[str, Any]) -> bool:
    return item.get("kind") == "goal" or item.get("suggestion_kind") == "occupation"


def _where(source: dict[str, Any]) -> str:
    document = str(source.get("document") or "").partition(" — ")[0]
    return str(source.get("provider") or (f"《{document}》" if document else ""))


__all__ = ["AgreedPlan", "AgreedStep", "Corrections", "LineCorrection", "goal_key", "line_dict", "read_corrections"]
