"""Load benchmark bookkeeping: request samples, CPU and memory from /proc, the per-level table and the targets."""

from __future__ import annotations

import os
import resource
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import quantiles

# The targets, at 50 concurrent users on the 2-core machine.
TARGET_USERS = 50
TARGETS_P95_MS = {"chat": 150.0, "search": 50.0}
TICK = os.sysconf("SC_CLK_TCK")
OTHER_LOAD_WARNING_PCT = 10.0


@dataclass(frozen=True)
class Sample:
    """One request: which endpoint, what kind (turn kind from the reply, search type), when, how long, outcome."""

    endpoint: str  # chat | search
    kind: str
    lang: str
    start: float  # perf_counter seconds
    ms: float
    outcome: str  # "ok", "HTTP 500", "HTTP 429", "ReadTimeout", "bad body"


def turn_kind(reply: dict[str, Any]) -> str:
    """What the server did for a chat turn, told by the reply's cards (the work differs a lot between them)."""
    types = {c.get("type") for c in reply.get("cards") or []}
    if "occupation" in types:
        return "recommend"
    if "step" in types:
        return "pathway"
    if "policy" in types:
        return "policy"
    if "skill" in types:
        return "skills"
    return "no cards"  # consent, prompts, follow-up questions, unanswered policy questions


# -- /proc ----------------------------------------------------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # the name in parentheses may hold spaces; fields start at state


def process_tree(root: int) -> list[int]:
    """The server process and its descendants (uvicorn workers when there are several)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def tree_cpu_seconds(root: int) -> float:
    """utime + stime of the tree, plus what its reaped children used (cutime + cstime of the root)."""
    total = 0.0
    for pid in process_tree(root):
        fields = _stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if pid == root else 0)
    return total / TICK


def tree_memory_kib(root: int) -> tuple[int, int]:
    """(sum of VmHWM, sum of VmRSS) over the tree, in KiB."""
    hwm = rss = 0
    for pid in process_tree(root):
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith("VmHWM:"):
                hwm += int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss += int(line.split()[1])
    return hwm, rss


def machine_busy_seconds() -> float:
    """CPU time all cores spent not idle since boot (first line of /proc/stat)."""
    values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / TICK


def self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Window:
    """CPU counters at the start of the measured window and the figures at its end."""

    server_pid: int
    start: dict[str, float] = field(default_factory=dict)
    used: dict[str, float] = field(default_factory=dict)
    rss_max_kib: int = 0

    @staticmethod
    def _counters(pid: int) -> dict[str, float]:
        return {"server": tree_cpu_seconds(pid), "generator": self_cpu_seconds(), "machine": machine_busy_seconds()}

    def open(self) -> None:
        self.start = self._counters(self.server_pid)

    def sample_rss(self) -> None:
        self.rss_max_kib = max(self.rss_max_kib, tree_memory_kib(self.server_pid)[1])

    def close(self) -> None:
        end = self._counters(self.server_pid)
        self.used = {k: end[k] - self.start[k] for k in end}


# -- summary --------------------------------------------------------------------------------------------------------

def _group(samples: list[Sample], seconds: float) -> dict[str, Any]:
    ok = [s.ms for s in samples if s.outcome == "ok"]
    # No successful request, no latency: None in the JSON (not NaN, which JSON lacks), "-" in the table.
    p50, p95, p99, top = (round(x, 1) for x in quantiles(ok)) if ok else (None,) * 4
    return {"n": len(samples), "ok": len(ok), "req_s": round(len(samples) / seconds, 2), "p50_ms": p50,
            "p95_ms": p95, "p99_ms": p99, "max_ms": top, "errors": len(samples) - len(ok)}


def _ms(value: float | None, width: int = 9) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.1f}"


def summarise(samples: list[Sample], seconds: float) -> dict[str, dict[str, Any]]:
    """Rows: each endpoint, then its kinds (turn kinds, search types) and languages."""
    rows: dict[str, dict[str, Any]] = {}
    rows["all"] = _group(samples, seconds)
    for endpoint in ("chat", "search"):
        mine = [s for s in samples if s.endpoint == endpoint]
        if not mine:
            continue
        rows[endpoint] = _group(mine, seconds)
        for kind in sorted({s.kind for s in mine}):
            rows[f"{endpoint} {kind}"] = _group([s for s in mine if s.kind == kind], seconds)
        for lang in ("zh", "en"):
            rows[f"{endpoint} lang={lang}"] = _group([s for s in mine if s.lang == lang], seconds)
    return rows


def error_counts(samples: list[Sample]) -> dict[str, int]:
    return dict(Counter(f"{s.endpoint}: {s.outcome}" for s in samples if s.outcome != "ok").most_common())


def check_targets(rows: dict[str, dict[str, Any]], errors: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for endpoint, limit in TARGETS_P95_MS.items():
        p95 = rows.get(endpoint, {}).get("p95_ms")
        out[f"{endpoint}_p95"] = {"value_ms": p95, "limit_ms": limit, "pass": p95 is not None and p95 <= limit}
    total = sum(errors.values())
    out["errors"] = {"value": total, "limit": 0, "pass": total == 0}
    out["pass"] = all(v["pass"] for v in out.values() if isinstance(v, dict))
    return out


def print_level(level: dict[str, Any]) -> None:
    cpu = level["cpu"]
    print(f"\n== {level['users']} users: {level['measured_s']:.0f} s measured after {level['warmup_s']:.0f} s warm-up, "
          f"think {level['think_s'][0]:g}-{level['think_s'][1]:g} s, server {level['server_processes']} process(es) ==")
    print(f"{'':<22}{'n':>6}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}")
    for name, r in level["rows"].items():
        label = name if name in ("all", "chat", "search") else "  " + name.split(" ", 1)[1]
        print(f"{label:<22}{r['n']:>6}{r['req_s']:>8.1f}{_ms(r['p50_ms'])}{_ms(r['p95_ms'])}{_ms(r['p99_ms'])}"
              f"{_ms(r['max_ms'])}{r['errors']:>8}")
    errors = level["errors"]
    print("errors: " + (", ".join(f"{k} ×{v}" for k, v in errors.items()) if errors else "none")
          + (f" (429s: {level['rate_limited']})" if level["rate_limited"] else ""))
    print(f"server CPU {cpu['server_core_pct']:.0f}% of one core ({cpu['server_machine_pct']:.0f}% of "
          f"{cpu['cores']} cores); load generator {cpu['generator_core_pct']:.0f}% of one core; whole machine busy "
          f"{cpu['machine_pct']:.0f}% (other processes {cpu['other_machine_pct']:.0f}%)")
    if cpu["other_machine_pct"] > OTHER_LOAD_WARNING_PCT:
        print(f"WARNING: other processes kept {cpu['other_machine_pct']:.0f}% of the machine busy during the window: "
              "these latencies are inflated; run again on a quiet machine")
    mem = level["memory"]
    print(f"server memory: peak RSS {mem['peak_rss_mib']:.0f} MiB (VmHWM since start, summed over processes), "
          f"largest RSS seen in the window {mem['window_rss_max_mib']:.0f} MiB")
    qv = level.get("query_vectors")
    if qv:
        asked = sum(qv.values())
        print(f"query texts in the window: {asked} — {qv['memory']} from memory, {qv['stored']} from the stored "
              f"knowledge-base queries, {qv['embedded']} embedded by the model on demand "
              f"({100 * qv['embedded'] / max(asked, 1):.0f}%)" + (" (one worker's count)" if
                                                                     level["server_processes"] > 1 else ""))
    if level.get("targets"):
        t = level["targets"]
        parts = [f"{name} p95 {_ms(t[f'{name}_p95']['value_ms'], 0)} ≤ {limit:g} ms "
                 f"{'PASS' if t[f'{name}_p95']['pass'] else 'FAIL'}" for name, limit in TARGETS_P95_MS.items()]
        parts.append(f"errors {t['errors']['value']} = 0 {'PASS' if t['errors']['pass'] else 'FAIL'}")
        print(f"targets at {TARGET_USERS} users: " + "; ".join(parts) + f"  => {'PASS' if t['pass'] else 'FAIL'}")


def _pct(seconds: float, of: float) -> float:
    return round(100 * seconds / of, 1)


def level_figures(users: int, samples: list[Sample], window: Window, *, warmup: float, duration: float,
                  think: tuple[float, float], processes: int, hwm_kib: int) -> dict[str, Any]:
    rows = summarise(samples, duration)
    errors = error_counts(samples)
    cores = os.cpu_count() or 1
    used = window.used
    level: dict[str, Any] = {
        "users": users, "measured_s": duration, "warmup_s": warmup, "think_s": list(think),
        "server_processes": processes, "rows": rows, "errors": errors,
        "rate_limited": sum(1 for s in samples if s.outcome == "HTTP 429"),
        "cpu": {"cores": cores, "server_core_pct": _pct(used["server"], duration),
                "server_machine_pct": _pct(used["server"], duration * cores),
                "generator_core_pct": _pct(used["generator"], duration),
                "machine_pct": _pct(used["machine"], duration * cores),
                # Anything else busy on the machine (another benchmark, a build) makes the latencies meaningless.
                "other_machine_pct": _pct(max(0.0, used["machine"] - used["server"] - used["generator"]),
                                          duration * cores)},
        "memory": {"peak_rss_mib": round(hwm_kib / 1024, 1), "window_rss_max_mib": round(window.rss_max_kib / 1024, 1)},
    }
    if users == TARGET_USERS:
        level["targets"] = check_targets(rows, errors)
    return level
