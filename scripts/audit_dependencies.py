"""Dependency audit for CI: pip-audit over an installed environment, with a verdict that says what it could check.

    python3 scripts/audit_dependencies.py --pip-audit TOOL --site-packages .venv/lib/python3.11/site-packages

Exit 1 when a known vulnerability is found (each printed with its fixed versions). When the vulnerability service
cannot be reached, pip-audit skips every package and would report "No known vulnerabilities found": this script
says instead that the audit did not run, and fails only with --require (or SKILLPATH_AUDIT_REQUIRED=1), because a
third-party service being down says nothing about this code and must not block its tests. Packages that are not on
PyPI under their installed version (our own editable package, a local build such as torch's +cpu) are listed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

NOT_ON_PYPI = "not found on PyPI"


def verdict(report: dict[str, Any], *, require: bool) -> tuple[int, list[str]]:
    """(exit status, lines to print) for pip-audit's JSON report."""
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = len(deps) - len(skipped)
    lines = [f"dependency audit: {audited} of {len(deps)} packages checked, {len(vulnerable)} with known "
             f"vulnerabilities"]
    for d in vulnerable:
        for v in d["vulns"]:
            fixed = ", ".join(v.get("fix_versions") or []) or "no fixed version yet"
            aliases = f" ({', '.join(v['aliases'])})" if v.get("aliases") else ""
            lines.append(f"  VULNERABLE {d['name']} {d['version']}: {v['id']}{aliases}; fixed in {fixed}")
    lookups_failed = [d for d in skipped if NOT_ON_PYPI in d["skip_reason"]]
    if (deps and audited == 0) or len(lookups_failed) > len(deps) // 2:
        lines.append(f"  WARNING: the audit did not run: {len(lookups_failed)} packages could not be looked up "
                     "(the vulnerability service is unreachable or answers nothing); this is not a clean result")
        if require:
            lines.append("  failing because the audit is required (--require / SKILLPATH_AUDIT_REQUIRED=1)")
            return (1 if vulnerable else 2), lines
    else:
        lines += [f"  not checked: {d['name']}: {d['skip_reason']}" for d in skipped]
    return (1 if vulnerable else 0), lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pip-audit", default="pip-audit", help="the pip-audit executable (in its own environment)")
    ap.add_argument("--site-packages", required=True, help="the installed environment to audit")
    ap.add_argument("--require", action="store_true", default=os.environ.get("SKILLPATH_AUDIT_REQUIRED") == "1",
                    help="fail when the vulnerability service cannot be reached")
    args = ap.parse_args(argv)
    run = subprocess.run([args.pip_audit, "--path", args.site_packages, "--skip-editable", "--progress-spinner", "off",
                          "--format", "json"], capture_output=True, text=True)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(f"dependency audit: pip-audit failed (exit {run.returncode}):\n{run.stderr.strip()}", file=sys.stderr)
        return 2 if args.require else 0
    status, lines = verdict(report, require=args.require)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
