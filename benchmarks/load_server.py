"""The load benchmark's server: a private home made from the bench home, `skillpath serve` started, waited for, stopped."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_sqlite(src: Path, dst: Path) -> None:
    """An online backup: consistent even while another process writes the source, its WAL included."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)


def prepare_home(bench: Path, home: Path, *, copy_store: bool = True) -> None:
    """A private home: a fresh copy of the bench store for each level, and copies of its index and embedding cache.

    Nothing is shared with the bench home, where another benchmark may be working: the server writes the embedding
    cache (knowledge-base query vectors, warmed in the background, kept here across runs) and would build an index
    into its index folder if the store it is given (--database-url) does not match the bench index.
    """
    (home / "cache").mkdir(parents=True, exist_ok=True)
    if copy_store:
        _copy_sqlite(bench / "skillpath.db", home / "skillpath.db")
    cache = home / "cache" / "embeddings.sqlite"
    if not cache.exists() and (bench / "cache" / "embeddings.sqlite").exists():
        _copy_sqlite(bench / "cache" / "embeddings.sqlite", cache)
    index = home / "index"
    if index.is_symlink():  # the layout of an earlier version of this script
        index.unlink()
    if _current(index) != _current(bench / "index"):
        shutil.rmtree(index, ignore_errors=True)
        shutil.copytree(bench / "index", index, symlinks=True)


def _current(index: Path) -> str | None:
    try:
        return (index / "CURRENT").read_text().strip()
    except OSError:
        return None


def serve_command(port: int, workers: int | None) -> list[str]:
    script = Path(sys.executable).with_name("skillpath")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]
    command = [*base, "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers:
        helptext = subprocess.run([*base, "serve", "--help"], capture_output=True, text=True).stdout
        if "--workers" in helptext:
            command += ["--workers", str(workers)]
        else:
            print(f"note: `skillpath serve` has no --workers option yet; running one process, not {workers}")
    return command


def _health(url: str) -> dict[str, Any] | None:
    try:
        res = httpx.get(url, timeout=5)
    except httpx.HTTPError:
        return None
    return res.json() if res.status_code == 200 else None


def start_server(command: list[str], home: Path, embedder: str, log: Path, *, database_url: str | None = None,
                 wait_s: float = 240, warm_s: float = 600) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """Started and healthy, then given up to warm_s to warm its query vectors (a restarted service finds them on
    disk, so a run measures the steady state); returns the process and the warm-up's state when the level began."""
    # The generator stands in for the service's reverse proxy on loopback: each simulated person's X-Forwarded-For
    # is their address, so the per-address limits count people, as they do in a deployment behind its proxy.
    env = {**os.environ, "SKILLPATH_HOME": str(home), "SKILLPATH_EMBEDDER": embedder,
           "SKILLPATH_TRUSTED_PROXIES": "127.0.0.1"}
    env.pop("SKILLPATH_DATABASE_URL", None)
    if database_url:  # e.g. PostgreSQL for several workers; on first use the server ingests the defaults into it
        env["SKILLPATH_DATABASE_URL"] = database_url
    # Its own process group, so that stopping it also stops any workers it forked; the log keeps stdout unblocked.
    proc = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        return proc, _wait_ready(proc, f"http://127.0.0.1:{command[command.index('--port') + 1]}/healthz", home, log,
                                 wait_s=wait_s, warm_s=warm_s)
    except BaseException:  # Ctrl-C or a server that never came up: never leave it running
        stop_server(proc)
        raise


def _wait_ready(proc: subprocess.Popen[bytes], url: str, home: Path, log: Path, *, wait_s: float,
                warm_s: float) -> dict[str, Any]:
    started = time.monotonic()
    while (health := _health(url)) is None:
        if proc.poll() is not None or time.monotonic() > started + wait_s:
            sys.exit(f"the server did not answer /healthz within {wait_s:.0f} s; its log ({log}):\n"
                     + log.read_text(errors="replace")[-3000:])
        time.sleep(0.5)
    warm = health.get("query_warmup") or {"state": "not reported"}
    healthy = time.monotonic()

    def warming() -> bool:  # "waiting" for good when SKILLPATH_WARM_QUERIES=0: a thread just started leaves it soon
        return warm["state"] == "running" or (warm["state"] == "waiting" and time.monotonic() < healthy + 10)

    if warming():
        print(f"  the server is warming knowledge-base query vectors (kept in {home / 'cache'} for later runs); "
              f"waiting up to {warm_s:.0f} s", flush=True)
        said = time.monotonic()
        while warming() and time.monotonic() < started + warm_s and proc.poll() is None:
            time.sleep(2)
            warm = (_health(url) or {}).get("query_warmup") or warm
            if time.monotonic() - said > 60:
                print(f"  ... {warm.get('done')}/{warm.get('total')} texts", flush=True)
                said = time.monotonic()
        print(f"  query warm-up: {warm['state']}, {warm.get('done')}/{warm.get('total')} texts after "
              f"{time.monotonic() - started:.0f} s" + ("" if warm["state"] == "done" else
                                                      " (measuring anyway: guidance is slower until it is done)"),
              flush=True)
    return warm


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
