"""The newcomer job: what a new user meets, checked on every change (`.ci/run` calls it before the test suite).

In a fresh clone of the committed tree, with nothing installed, it runs the README's first command verbatim (a venv
of its own, `pip install -e .` with no extras, `skillpath serve` on the bundled knowledge base), then checks that
every module of the package imports in that venv, that /healthz answers with the index ready, that a chat turn and a
search answer, and that the server stops when asked. Any failure exits non-zero with the server's log.

Standard library only: it runs before anything is installed.
Usage: python3 scripts/newcomer.py [--keep-cache PATH]   (copy the built embedding cache there, for the test suite)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STARTUP_S = 1800  # install (torch and friends from scratch) plus the first ingest and index build
IMPORT_ALL = """
import importlib, pkgutil, assistant
names = [m.name for m in pkgutil.walk_packages(assistant.__path__, "assistant.") if ".migrations" not in m.name]
for name in names:
    importlib.import_module(name)
print(len(names), "modules imported")
"""


def readme_run_command() -> str:
    """The README's first command: the first line that installs and runs `skillpath serve`."""
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if "pip install" in line and "skillpath serve" in line:
            return line.strip().strip("`")
    raise SystemExit("README.md: no command that installs and runs `skillpath serve`")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(url: str, body: dict[str, Any] | None = None, timeout: float = 60) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def fail(message: str, log: Path) -> None:
    tail = log.read_text(errors="replace")[-6000:] if log.exists() else "(no log)"
    raise SystemExit(f"newcomer job FAILED: {message}\n--- serve log (tail) ---\n{tail}")


def main(argv: list[str]) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--keep-cache", type=Path, help="copy the embedding cache the first run built to this file")
    opts = args.parse_args(argv)
    command = readme_run_command()
    work = Path(tempfile.mkdtemp(prefix="skillpath-newcomer-"))
    clone = work / "skillpath"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    port = free_port()
    # A newcomer's shell: no SKILLPATH_* left over from this machine, only the port (a CI machine may use 8000).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SKILLPATH_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(SKILLPATH_PORT=str(port), SKILLPATH_HOST="127.0.0.1")
    log = work / "serve.log"
    print(f"newcomer: {command}  (in {clone}, port {port})", flush=True)
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(["bash", "-c", command], cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                fail(f"the command exited with status {proc.returncode} before answering", log)
            if time.monotonic() - started > STARTUP_S:
                fail(f"no answer from {base}/healthz within {STARTUP_S} s", log)
            try:
                status, health = call(base + "/healthz", timeout=5)
                if status == 200 and health["index"]["state"] == "ok":
                    break
            except (OSError, ValueError):
                pass
            time.sleep(2)
        print(f"newcomer: /healthz ok after {time.monotonic() - started:.0f} s (install, ingest, index build)",
              flush=True)
        for line in log.read_text(errors="replace").splitlines():
            if re.match(r"(ingest|index): ", line) or line.startswith("SkillPath on"):
                print("  | " + line, flush=True)

        imported = subprocess.run([str(clone / ".venv" / "bin" / "python"), "-c", IMPORT_ALL], cwd=work, env=env,
                                  capture_output=True, text=True)
        if imported.returncode != 0:
            fail(f"a module does not import in the newcomer's venv:\n{imported.stderr[-3000:]}", log)
        print(f"newcomer: {imported.stdout.strip()} (no extras installed)", flush=True)

        status, first = call(base + "/api/chat", {"session_id": None, "message": "同意"})
        if status != 200:
            fail(f"chat consent turn answered {status}: {first}", log)
        message = "我在工厂做了三年电焊，会看图纸，想在湖州找个学徒岗位"
        status, turn = call(base + "/api/chat", {"session_id": first["session_id"], "message": message})
        if status != 200 or not turn.get("reply"):
            fail(f"chat turn answered {status}: {turn}", log)
        print(f"newcomer: chat turn ok: {turn['reply'][:60]}… ({len(turn.get('cards', []))} cards)", flush=True)

        query = urllib.parse.urlencode({"q": "焊工", "type": "occupation", "k": 3})
        status, found = call(f"{base}/api/search?{query}")
        if status != 200 or not found.get("hits"):
            fail(f"search answered {status}: {found}", log)
        print(f"newcomer: search ok: {[h['title'] for h in found['hits']]}", flush=True)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            fail("the server did not stop within 60 s of SIGTERM", log)
    if code not in (0, -signal.SIGTERM):
        fail(f"the server stopped with status {code}", log)
    print(f"newcomer: server stopped (status {code}); {time.monotonic() - started:.0f} s in all", flush=True)
    cache = clone / "var" / "cache" / "embeddings.sqlite"
    if opts.keep_cache and cache.is_file():
        shutil.copy(cache, opts.keep_cache)
        print(f"newcomer: embedding cache kept at {opts.keep_cache}", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
