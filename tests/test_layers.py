"""Data flows one way: knowledge sources → store → index → retrieval → reading → matching → dialogue → HTTP.
Each package may import only packages of a lower layer (checked on the source, so a lazy import counts too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
LAYERS = [
    {"errors", "text", "progress", "labels"},
    {"config"},
    {"store"},
    {"accounts", "ingest", "index"},
    {"retrieval", "operations"},
    {"understanding"},
    {"guidance"},
    {"dialogue"},
    {"casework"},
    {"api"},
    {"cli"},
]
RANK = {name: n for n, names in enumerate(LAYERS) for name in names}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
            [a.name for a in node.names] if isinstance(node, ast.Import) else []
        found |= {n.split(".")[1] for n in names if n.startswith("assistant.")}
    return found


def test_every_package_has_a_layer() -> None:
    packages = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
                if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.stem != "__init__")}
    assert packages == set(RANK), packages ^ set(RANK)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_imports_upward(path: Path) -> None:
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    if own == "__init__":
        return
    upward = {name for name in _imports(path) if name != own and RANK[name] >= RANK[own]}
    assert not upward, f"{path.relative_to(PACKAGE)} imports {sorted(upward)} (layer {RANK[own]}: {own})"
