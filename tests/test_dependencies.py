"""Every third-party module the package imports is declared in [project].dependencies (a fresh `pip install -e .`
has nothing else: the test extra, or a package another dependency used to bring along, hides the gap)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "assistant"


def _name(requirement: str) -> str:
    """The distribution name of a requirement string, normalised (PEP 503)."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\s<>=!~\[;(@]", requirement.strip(), maxsplit=1)[0]).lower()


def declared_closure(requirements: list[str]) -> set[str]:
    """The declared distributions and, recursively, what they require unconditionally (fastapi brings starlette)."""
    todo, seen = [_name(r) for r in requirements], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            todo += [_name(r) for r in requires(name) or [] if "extra ==" not in r]
        except PackageNotFoundError:
            pass
    return seen


def imported_modules(package: Path) -> dict[str, Path]:
    """Top-level modules imported anywhere in the package (absolute imports), with one file that imports each."""
    found: dict[str, Path] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path)
    return found


def undeclared(package: Path, requirements: list[str]) -> list[str]:
    """One line per third-party module imported but not brought by the declared dependencies."""
    declared = declared_closure(requirements)
    owners = packages_distributions()
    problems = []
    for module, path in sorted(imported_modules(package).items()):
        if module in sys.stdlib_module_names or module == package.name:
            continue
        dists = {_name(d) for d in owners.get(module, [])}
        if not dists:
            problems.append(f"{module} (imported in {path.relative_to(ROOT)}) is not installed at all")
        elif not dists & declared:
            problems.append(f"{module} (imported in {path.relative_to(ROOT)}) comes from {', '.join(sorted(dists))}, "
                            "which [project].dependencies does not declare")
    return problems


def test_every_imported_module_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert undeclared(PACKAGE, project["dependencies"]) == []


@pytest.mark.parametrize(
    ("source", "requirements", "expected"),
    [
        ("import httpx\n", ["fastapi"], "httpx (imported in pkg/m.py) comes from httpx"),
        ("from starlette.requests import Request\n", ["fastapi>=0.110"], None),  # brought by fastapi
        ("import json, os.path\nfrom . import sibling\n", [], None),  # standard library, relative import
        ("import surely_not_a_module_here\n", [], "surely_not_a_module_here (imported in pkg/m.py) is not installed"),
    ],
)
def test_the_check_finds_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str,
                                         requirements: list[str], expected: str | None) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "m.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    problems = undeclared(package, requirements)
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith(expected), problems
