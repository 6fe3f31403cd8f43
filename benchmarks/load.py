"""Load benchmark: simulated job seekers chat and search against `skillpath serve` on loopback, 50 and 200 at once.

The server runs as a subprocess on the default knowledge base with the real e5-small index, in a home of its own
(var/load: the bench home's store copied for each level, so conversations written under load start from none; its
index and embedding cache copied once and kept). This process is the load generator: asyncio + httpx, each
simulated person a closed loop of 4-7-turn conversations (about 70% Chinese) followed by 0-3 searches, with a
uniform think time between requests, and X-Forwarded-For 10.x.y.z unique per person (the server trusts it from
127.0.0.1 through SKILLPATH_TRUSTED_PROXIES, as it would from the service's proxy). Messages come from the store (CSCO titles, esco-lite skills,
offers) and the gazetteer, seeded per person: reproducible, and different from one person to the next.

Per level: a warm-up with staggered starts (not measured), then the measured window: client-side p50/p95/p99 per
endpoint, per chat turn kind (told by the reply's cards) and per search type; throughput; errors by status and
exception (429s counted, and still errors); server CPU (its process tree, from /proc) and peak RSS; generator CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from assistant.config import Settings
from benchmarks.common import ROOT, bench_settings, ensure_index
from benchmarks.load_report import Sample, Window, level_figures, print_level, process_tree, tree_memory_kib, turn_kind
from benchmarks.load_scripts import Seeker, Vocabulary, load_vocabulary
from benchmarks.load_server import free_port, prepare_home, serve_command, start_server, stop_server

RUN_HOME = ROOT / "var" / "load"


def _pair(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    return float(low), float(high or low)


class Level:
    """One load level against a running server: people, their samples, the measured window."""

    def __init__(self, args: argparse.Namespace, users: int, vocab: Vocabulary, base_url: str, pid: int) -> None:
        self.args, self.users, self.vocab, self.base_url = args, users, vocab, base_url
        self.samples: list[Sample] = []
        self.window = Window(pid)
        self.t0 = time.perf_counter()
        self.measure_from = self.t0 + args.warmup
        self.measure_to = self.measure_from + args.duration
        self.query_vectors: dict[str, int] | None = None  # counted by the server over the window

    def _record(self, endpoint: str, kind: str, lang: str, timing: tuple[float, float], outcome: str) -> None:
        start, ms = timing
        if self.measure_from <= start < self.measure_to:  # requests started in the window, however long they take
            self.samples.append(Sample(endpoint, kind, lang, start, ms, outcome))

    async def _request(self, client: httpx.AsyncClient, method: str, url: str, headers: dict[str, str],
                       **kw: Any) -> tuple[dict[str, Any] | None, str, tuple[float, float]]:
        """The JSON body or None, the outcome, and (start, milliseconds until the whole response was read)."""
        start = time.perf_counter()
        try:
            res = await client.request(method, url, headers=headers, **kw)
        except httpx.HTTPError as exc:
            return None, type(exc).__name__, (start, (time.perf_counter() - start) * 1000)
        timing = (start, (time.perf_counter() - start) * 1000)
        if res.status_code != 200:
            return None, f"HTTP {res.status_code}", timing
        try:
            return res.json(), "ok", timing
        except ValueError:
            return None, "bad body", timing

    def _client(self, connections: int) -> httpx.AsyncClient:
        # Idle connections are dropped after 4 s, before uvicorn closes them at 5 s: reusing one the server is
        # closing gave a ReadError now and then, a race between two keep-alive timers rather than a server fault.
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections,
                              keepalive_expiry=4.0)
        return httpx.AsyncClient(base_url=self.base_url, limits=limits, timeout=self.args.timeout)

    async def person(self, i: int) -> None:
        # A client of their own, as a browser has: one pool shared by 200 people cost the generator most of a
        # core (httpcore scans every pooled connection for every request) and its queueing showed as latency.
        async with self._client(2) as client:
            await self._person(client, i)

    async def _person(self, client: httpx.AsyncClient, i: int) -> None:
        await asyncio.sleep(self.args.ramp * i / self.users)
        seeker = Seeker(self.vocab, self.args.seed * 100_003 + i, zh_share=self.args.zh_share)
        pause = random.Random(-(self.args.seed * 100_003 + i))  # apart from the seeker's, so texts stay the same

        async def think() -> None:
            await asyncio.sleep(pause.uniform(*self.args.think))

        n = i + 1
        headers = {"X-Forwarded-For": f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"}
        for action, payload in seeker.actions():
            if action == "search":
                if time.perf_counter() >= self.measure_to:
                    return
                body, outcome, timing = await self._request(client, "GET", "/api/search", headers, params=payload)
                if outcome == "ok" and not isinstance((body or {}).get("hits"), list):
                    outcome = "bad body"
                self._record("search", payload.get("type") or "any type", seeker.lang, timing, outcome)
                await think()
                continue
            session = None
            for message in payload:
                if time.perf_counter() >= self.measure_to:
                    return
                body, outcome, timing = await self._request(client, "POST", "/api/chat", headers,
                                                           json={"session_id": session, "message": message})
                if outcome == "ok" and not (body or {}).get("session_id"):
                    outcome = "bad body"
                self._record("chat", turn_kind(body or {}) if outcome == "ok" else "failed", seeker.lang, timing,
                             outcome)
                await think()
                if outcome != "ok":
                    break  # the conversation cannot go on; start a new one
                session = body["session_id"]  # type: ignore[index]

    async def meter(self, client: httpx.AsyncClient) -> None:
        await asyncio.sleep(max(0.0, self.measure_from - time.perf_counter()))
        before = await self._query_vectors(client)
        self.window.open()
        while time.perf_counter() < self.measure_to:
            self.window.sample_rss()
            await asyncio.sleep(min(1.0, max(0.0, self.measure_to - time.perf_counter())))
        self.window.close()
        after = await self._query_vectors(client)
        if before and after:
            self.query_vectors = {k: after[k] - before.get(k, 0) for k in after}

    async def _query_vectors(self, client: httpx.AsyncClient) -> dict[str, int] | None:
        """The server's query-vector counters (memory, stored, embedded by the model); one worker's, if several."""
        try:
            res = await client.get("/healthz")
            return res.json().get("query_vectors")
        except (httpx.HTTPError, ValueError):
            return None

    async def run(self) -> None:
        async with self._client(2) as client:  # the meter's, for the server's counters
            people = [asyncio.create_task(self.person(i)) for i in range(self.users)]
            meter = asyncio.create_task(self.meter(client))
            # Bounded: after the window, requests in flight get the request timeout to finish, then are cancelled.
            hard = self.args.warmup + self.args.duration + self.args.timeout + self.args.think[1] + 5
            done, pending = await asyncio.wait([*people, meter], timeout=hard - (time.perf_counter() - self.t0))
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            for task in done:
                if task.exception():
                    raise task.exception()  # type: ignore[misc]
            if not self.window.used:
                self.window.close()


def run_level(args: argparse.Namespace, users: int, vocab: Vocabulary, bench: Settings) -> dict[str, Any]:
    prepare_home(bench.home, args.home, copy_store=not args.database_url)
    port = args.port or free_port()
    log = args.home / f"server-{users}.log"
    load_before = os.getloadavg()[0]
    proc, warm = start_server(serve_command(port, args.workers), args.home, bench.embedder, log,
                              database_url=args.database_url, wait_s=900 if args.database_url else 240,
                              warm_s=args.warm_wait)
    if warm.get("state") == "running":
        args.warm_wait = 0  # it did not finish in the time given: the next levels do not wait for it again
    try:
        level = Level(args, users, vocab, f"http://127.0.0.1:{port}", proc.pid)
        asyncio.run(level.run())
        hwm_kib = tree_memory_kib(proc.pid)[0]
        processes = len(process_tree(proc.pid))
        exited = proc.poll()
    finally:
        stop_server(proc)
    if exited is not None:
        print(f"WARNING: the server exited during the level (status {exited}); see {log}")
    figures = level_figures(users, level.samples, level.window, warmup=args.warmup, duration=args.duration,
                            think=args.think, processes=processes, hwm_kib=hwm_kib)
    figures["load_average_before"] = load_before
    figures["query_vectors"] = level.query_vectors
    figures["query_warmup_at_start"] = warm
    figures["server_log"] = str(log)
    figures["server_exited"] = exited
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", default="50,200", help="concurrent people per level, comma-separated (default 50,200)")
    ap.add_argument("--duration", type=float, default=60, help="measured seconds per level (default 60)")
    ap.add_argument("--warmup", type=float, default=15, help="unmeasured seconds first, people starting (default 15)")
    ap.add_argument("--ramp", type=float, help="seconds over which people start (default: 2/3 of the warm-up)")
    ap.add_argument("--think", type=_pair, default=(1.0, 3.0), help="think time range in seconds (default 1,3)")
    ap.add_argument("--timeout", type=float, default=30, help="per-request timeout in seconds (default 30)")
    ap.add_argument("--zh-share", type=float, default=0.7, help="share of people who write Chinese (default 0.7)")
    ap.add_argument("--workers", type=int, help="server worker processes, if `skillpath serve` supports --workers")
    ap.add_argument("--warm-wait", type=float, default=300,
                    help="seconds to let the server warm its query vectors before measuring (default 300; needed once: "
                    "they are kept in the run home's cache)")
    ap.add_argument("--database-url", help="the server's store, e.g. PostgreSQL (default: a copy of the bench SQLite "
                    "store per level); an empty one is filled with the defaults on first use")
    ap.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--home", type=Path, default=Path(os.environ.get("SKILLPATH_LOAD_HOME", RUN_HOME)),
                    help="run home (its store is replaced by a copy of the bench home's each level)")
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    args = ap.parse_args(argv)
    args.ramp = args.warmup * 2 / 3 if args.ramp is None else min(args.ramp, args.warmup)
    levels = [int(x) for x in args.users.split(",") if x.strip()]

    settings = bench_settings()
    ensure_index(settings)
    args.home = args.home.resolve()
    vocab = load_vocabulary(settings.database_url)
    print(f"load benchmark: levels {levels}, {args.warmup:g} s warm-up + {args.duration:g} s measured each, think "
          f"{args.think[0]:g}-{args.think[1]:g} s, {os.cpu_count()} cores, load average before "
          f"{os.getloadavg()[0]:.2f}, bench home {settings.home}")
    figures: dict[str, Any] = {"config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
                               "cores": os.cpu_count(), "levels": []}
    for users in levels:
        level = run_level(args, users, vocab, settings)
        print_level(level)
        figures["levels"].append(level)
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
