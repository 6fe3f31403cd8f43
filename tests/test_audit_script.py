"""scripts/audit_dependencies.py, the CI's dependency audit: its verdict on pip-audit's JSON report."""

from __future__ import annotations

import importlib.util
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import ROOT


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_dependencies", ROOT / "scripts" / "audit_dependencies.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ok(name: str) -> dict[str, Any]:
    return {"name": name, "version": "1.0", "vulns": []}


def lost(name: str) -> dict[str, Any]:
    return {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} (1.0)"}


EDITABLE = {"name": "skillpath", "skip_reason": "distribution marked as editable"}
VULNERABLE = {"name": "jinja2", "version": "3.1.2", "vulns": [
    {"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": ["CVE-2024-22195"], "description": "xss"}]}


@pytest.mark.parametrize(
    ("deps", "require", "status", "expected"),
    [
        ([ok("fastapi"), ok("jinja2"), EDITABLE], False, 0,
         ["dependency audit: 2 of 3 packages checked, 0 with known vulnerabilities",
          "  not checked: skillpath: distribution marked as editable"]),
        ([ok("fastapi"), VULNERABLE, EDITABLE], False, 1,
         ["dependency audit: 2 of 3 packages checked, 1 with known vulnerabilities",
          "  VULNERABLE jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (CVE-2024-22195); fixed in 3.1.3",
          "  not checked: skillpath: distribution marked as editable"]),
        ([ok("fastapi"), ok("jinja2"), ok("uvicorn"), lost("torch")], True, 0,  # a local build (+cpu): listed only
         ["dependency audit: 3 of 4 packages checked, 0 with known vulnerabilities",
          "  not checked: torch: Dependency not found on PyPI and could not be audited: torch (1.0)"]),
        ([lost("fastapi"), lost("jinja2"), EDITABLE], False, 0,  # the service is unreachable: said, not hidden
         ["dependency audit: 0 of 3 packages checked, 0 with known vulnerabilities",
          "  WARNING: the audit did not run: 2 packages could not be looked up (the vulnerability service is "
          "unreachable or answers nothing); this is not a clean result"]),
        ([lost("fastapi"), lost("jinja2"), EDITABLE], True, 2, [
            "dependency audit: 0 of 3 packages checked, 0 with known vulnerabilities",
            "  WARNING: the audit did not run: 2 packages could not be looked up (the vulnerability service is "
            "unreachable or answers nothing); this is not a clean result",
            "  failing because the audit is required (--require / SKILLPATH_AUDIT_REQUIRED=1)"]),
    ],
    ids=["clean", "vulnerable", "local-build", "unreachable", "unreachable-required"],
)
def test_verdict(deps: list[dict[str, Any]], require: bool, status: int, expected: list[str]) -> None:
    got_status, lines = _script().verdict({"dependencies": deps, "fixes": []}, require=require)
    assert (got_status, lines) == (status, expected)
