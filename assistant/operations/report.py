"""What validating an upload found: the sources it holds, their record counts, problems and the change preview."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from dataclasses import field as dc_field  # Problem has a field named `field`
from typing import Any

from assistant.errors import InputError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the upload, printed the way the command line prints it: `file:line: field 'x': msg`."""

    file: str
    message: str  # English, as the command line prints it
    line: int | None = None
    field: str | None = None
    code: str | None = None  # the console says coded problems in its own language (op_problem_<code>)
    params: dict[str, str] = dc_field(default_factory=dict, hash=False, compare=False)

    def __str__(self) -> str:
        # The same text InputError makes, so the console and `skillpath ingest` name problems alike.
        return str(InputError(self.file, self.message, line=self.line, field=self.field))


@dataclass(frozen=True)
class TableDiff:
    """Rows one table would gain, change and lose."""

    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed


@dataclass
class SourcePreview:
    """One source of the upload (an ESCO export holds two: ESCO and ISCO-08) and what importing it would do."""

    name: str
    kind: str
    version: str
    counts: dict[str, int]  # records by type in the upload: occupations, groups, skills, relations, ...
    diff: dict[str, TableDiff] = field(default_factory=dict)  # store tables; empty when not computed
    unchanged: bool = False  # the same release is already in the store: nothing would be written
    replaces: list[str] = field(default_factory=list)  # sources this one supersedes, removed on import
    notes: list[str] = field(default_factory=list)


@dataclass
class ValidationReport:
    """Everything an operator needs before importing; an upload with any problem cannot be imported."""

    kind: str | None  # detected or declared; None when neither worked
    declared_kind: str | None
    sources: list[SourcePreview] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    diff_computed: bool = False  # the preview needs a problem-free parse; False when it was not run

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.sources:
            for key, n in s.counts.items():
                out[key] = out.get(key, 0) + n
        return out

    @property
    def diff(self) -> dict[str, TableDiff]:
        out: dict[str, TableDiff] = {}
        for s in self.sources:
            for table, d in s.diff.items():
                t = out.get(table, TableDiff())
                out[table] = TableDiff(t.added + d.added, t.changed + d.changed, t.removed + d.removed)
        return out

    @property
    def changes(self) -> int:
        """Rows the import would add, change or remove; 0 means re-importing changes nothing."""
        return sum(d.total for d in self.diff.values())

    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(ok=self.ok, counts=self.counts, changes=self.changes, messages=self.messages(),
                    diff={k: asdict(v) for k, v in self.diff.items()})
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValidationReport:
        sources = [
            SourcePreview(
                name=s["name"], kind=s["kind"], version=s["version"], counts=dict(s["counts"]),
                diff={t: TableDiff(**d) for t, d in s.get("diff", {}).items()}, unchanged=s.get("unchanged", False),
                replaces=list(s.get("replaces", [])), notes=list(s.get("notes", [])),
            )
            for s in data.get("sources", [])
        ]
        return cls(
            kind=data.get("kind"), declared_kind=data.get("declared_kind"), sources=sources,
            problems=[Problem(**{**p, "params": dict(p.get("params") or {})}) for p in data.get("problems", [])],
            diff_computed=data.get("diff_computed", False),
        )
