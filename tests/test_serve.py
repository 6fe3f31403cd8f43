"""The README's run command: `skillpath serve` ingests the defaults and builds the index on first run, then answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_first_run(tmp_path: Path) -> None:
    port = _free_port()
    # The fake embedder keeps this a test of the first-run flow (ingest, index, serve); the real model's build is
    # measured by benchmarks/build_index.py and exercised by tests/retrieval/test_normalise.py.
    env = {**os.environ, "SKILLPATH_HOME": str(tmp_path / "home"), "SKILLPATH_PORT": str(port),
           "SKILLPATH_EMBEDDER": "fake"}
    env.pop("SKILLPATH_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline, status, body = time.monotonic() + 120, 0, b""
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as res:
                    status, body = res.status, res.read()
                    break
            except OSError:
                time.sleep(0.5)
        assert status == 200, proc.stdout.read() if proc.poll() is not None else "no answer in time"
        assert b'"status":"ok"' in body
        assert (tmp_path / "home" / "skillpath.db").is_file()
        assert b'"state":"ok"' in body  # the first run built the index too
        query = urllib.parse.urlencode({"q": "焊工", "type": "occupation", "k": 3})
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?{query}", timeout=10) as res:
            hits = json.loads(res.read())["hits"]
        assert len(hits) == 3 and all(h["source"]["name"] for h in hits)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
