"""The load benchmark's parts: what simulated people say, how turns are classified, the figures, /proc, one real run."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.load_report import (Sample, check_targets, error_counts, print_level, process_tree, summarise,
                                    tree_cpu_seconds, turn_kind)
from benchmarks.load_scripts import Seeker, Vocabulary, load_vocabulary
from tests.conftest import IndexedHome

VOCAB = Vocabulary(
    common={"zh": ["电焊", "厨师", "电工"], "en": ["welder", "cook", "electrician"]},
    titles={"zh": [f"职业{i}" for i in range(200)], "en": [f"trade {i}" for i in range(200)]},
    skills={"zh": ["看图纸", "开叉车"], "en": ["read drawings", "drive a forklift"]},
    offer_cities={"zh": ["湖州"], "en": ["Huzhou"]},
    cities={"zh": [f"城市{i}" for i in range(50)], "en": [f"City{i}" for i in range(50)]},
    offer_titles={"zh": ["焊工学徒"], "en": ["welding apprenticeship"]},
)


@pytest.mark.parametrize(
    ("cards", "kind"),
    [([{"type": "occupation"}, {"type": "apprenticeship"}], "recommend"),
     ([{"type": "step"}, {"type": "step"}], "pathway"),
     ([{"type": "policy"}], "policy"),
     ([{"type": "skill"}], "skills"),
     ([], "no cards")],
)
def test_turn_kind_is_told_by_the_cards(cards: list[dict[str, str]], kind: str) -> None:
    assert turn_kind({"cards": cards, "phase": "whatever"}) == kind


def test_a_seeker_is_reproducible_and_people_differ() -> None:
    first = list(itertools.islice(Seeker(VOCAB, 7).actions(), 30))
    assert first == list(itertools.islice(Seeker(VOCAB, 7).actions(), 30))
    stories = {max(next(Seeker(VOCAB, seed).actions())[1], key=len) for seed in range(200)}
    assert len(stories) > 180, "people would only measure the result cache if they all said the same"


def test_conversations_and_searches_have_the_promised_shape() -> None:
    seekers = [Seeker(VOCAB, seed) for seed in range(1000)]
    zh = sum(s.lang == "zh" for s in seekers) / len(seekers)
    assert 0.65 < zh < 0.75, zh
    actions = [a for s in seekers[:100] for a in itertools.islice(s.actions(), 40)]
    chats = [payload for kind, payload in actions if kind == "chat"]
    searches = [payload for kind, payload in actions if kind == "search"]
    assert all(4 <= len(turns) <= 7 for turns in chats), sorted({len(t) for t in chats})
    assert 0.2 < len(searches) / len(actions) < 0.8
    assert {p.get("type") for p in searches} == {"occupation", "skill", "apprenticeship", "training", "policy", None}
    assert any("location" in p for p in searches) and all(p["q"] for p in searches)


def _samples(chat_ms: float, search_ms: float, outcomes: list[str]) -> list[Sample]:
    out = [Sample("chat", "recommend", "zh", 0.0, chat_ms, "ok") for _ in range(20)]
    out += [Sample("search", "skill", "en", 0.0, search_ms, "ok") for _ in range(20)]
    return out + [Sample("chat", "failed", "zh", 0.0, 1.0, o) for o in outcomes]


def test_a_level_without_one_answer_fails_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    samples = [Sample("chat", "failed", "zh", 0.0, 30_000.0, "ReadTimeout")]
    rows = summarise(samples, seconds=60.0)
    assert rows["chat"]["p95_ms"] is None and rows["chat"]["errors"] == 1
    targets = check_targets(rows, error_counts(samples))
    assert not targets["pass"] and not targets["chat_p95"]["pass"] and targets["search_p95"]["value_ms"] is None
    level = {"users": 50, "measured_s": 60, "warmup_s": 15, "think_s": [1, 3], "server_processes": 1, "rows": rows,
             "errors": error_counts(samples), "rate_limited": 0, "targets": targets,
             "cpu": {"cores": 2, "server_core_pct": 3.0, "server_machine_pct": 1.5, "generator_core_pct": 1.0,
                     "machine_pct": 100.0, "other_machine_pct": 97.0},
             "memory": {"peak_rss_mib": 400.0, "window_rss_max_mib": 390.0}}
    print_level(level)
    out = capsys.readouterr().out
    assert "errors: chat: ReadTimeout ×1" in out and "WARNING: other processes kept 97%" in out
    assert "chat p95 - ≤ 150 ms FAIL; search p95 - ≤ 50 ms FAIL; errors 1 = 0 FAIL  => FAIL" in out


@pytest.mark.parametrize(
    ("chat_ms", "search_ms", "outcomes", "passed", "errors"),
    [(120.0, 40.0, [], True, {}),
     (151.0, 40.0, [], False, {}),
     (120.0, 50.5, [], False, {}),
     (120.0, 40.0, ["HTTP 429", "HTTP 429", "ReadTimeout"], False, {"chat: HTTP 429": 2, "chat: ReadTimeout": 1})],
)
def test_targets(chat_ms: float, search_ms: float, outcomes: list[str], passed: bool, errors: dict[str, int]) -> None:
    samples = _samples(chat_ms, search_ms, outcomes)
    rows = summarise(samples, seconds=10.0)
    assert error_counts(samples) == errors
    targets = check_targets(rows, error_counts(samples))
    assert targets["pass"] is passed, targets
    assert rows["chat"]["p95_ms"] == chat_ms and rows["search"]["p95_ms"] == search_ms  # errors are not latencies
    assert rows["chat"]["n"] == 20 + len(outcomes) and rows["chat"]["errors"] == len(outcomes)
    assert rows["all"]["req_s"] == pytest.approx((40 + len(outcomes)) / 10.0)


def _within(seconds: float, check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds  # generous: other work on a 2-core machine slows the processes down
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_server_cpu_counts_its_children() -> None:
    # A parent that idles while its child burns CPU: a worker process's time must count as the server's, both while
    # the child runs (its own utime) and after the parent reaped it (the parent's cutime).
    burn = "import time; t = time.process_time(); exec('while time.process_time() - t < 0.6: pass')"
    code = f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', {burn!r}]).wait(); time.sleep(60)"
    parent = subprocess.Popen([sys.executable, "-c", code])
    try:
        assert _within(20, lambda: len(process_tree(parent.pid)) == 2), process_tree(parent.pid)
        assert _within(30, lambda: len(process_tree(parent.pid)) == 1), "the child never finished"
        assert tree_cpu_seconds(parent.pid) >= 0.6
    finally:
        parent.kill()
        parent.wait()


def test_a_server_that_dies_is_reported_with_its_log(tmp_path: Path) -> None:
    from benchmarks.load_server import start_server

    command = [sys.executable, "-c", "print('error: the store is from a newer version'); raise SystemExit(2)",
               "--port", "9"]
    with pytest.raises(SystemExit, match=r"(?s)did not answer /healthz.*the store is from a newer version"):
        start_server(command, tmp_path, "fake", tmp_path / "server.log", wait_s=30)


@pytest.mark.slow
def test_a_short_run_against_a_real_server(copy_indexed_home: IndexedHome, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.load import main

    vocab = load_vocabulary(copy_indexed_home.settings.database_url)
    assert all(len(pool["zh"]) > 10 and len(pool["en"]) > 4 for pool in (vocab.common, vocab.titles, vocab.cities))
    monkeypatch.setenv("SKILLPATH_BENCH_HOME", str(copy_indexed_home.home))
    monkeypatch.setenv("SKILLPATH_EMBEDDER", "fake")
    out = tmp_path / "load.json"
    # The first turns load catalogs and vocabularies: the warm-up takes them, as it does in the real run.
    assert main(["--users", "4", "--warmup", "8", "--duration", "5", "--think", "0.05,0.2",
                 "--home", str(tmp_path / "run"), "--json", str(out)]) == 0
    level = json.loads(out.read_text(encoding="utf-8"))["levels"][0]
    assert level["errors"] == {}, level["errors"]
    assert level["rows"]["chat"]["n"] >= 4 and level["rows"]["chat"]["p95_ms"] > 0
    assert level["cpu"]["server_core_pct"] > 0 and level["memory"]["peak_rss_mib"] > 50
    assert level["query_vectors"] is None  # the fake embedder has no cache to count; see the e5 run's report
    log = Path(level["server_log"]).read_text(encoding="utf-8")
    assert all(f"10.0.0.{n}:" in log for n in range(1, 5)), "each person comes from an address of their own"
