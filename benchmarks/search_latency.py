"""Benchmark: warm, single-client latency of GET /api/search over the default index (real e5-small).

Queries come from public data (CSCO job-ad titles, ESCO occupation labels, job-ad sentences annotated with ESCO
skills) plus offer and policy questions, across all five types, Chinese and English. Prints p50/p95/p99 and
throughput per type, through the HTTP app (FastAPI TestClient, no network) and in the service alone.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from collections.abc import Sequence

from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.deps import require_services
from benchmarks.common import bench_settings, ensure_index, percentiles, shared

OFFER_QUERIES = ["焊工学徒", "带工资的学徒岗位", "电工培训", "直播电商", "养老护理培训", "乡村民宿", "茶叶加工",
                 "welding apprenticeship", "electric vehicle maintenance", "paid apprenticeship with a mentor",
                 "digital skills course", "care worker training"]
POLICY_QUERIES = ["什么是优质学徒制", "学徒期间有没有工资", "终身职业技能培训", "绿色技能", "数字技能", "残疾人就业支持",
                  "what is a quality apprenticeship", "lifelong learning entitlement", "recognition of prior learning",
                  "green skills for a just transition", "skills for informal workers", "apprentice wages"]


def load_queries(n: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    with open(shared("data", "csco-2022", "testcases_jobtitle_to_csco.csv"), encoding="utf-8") as fh:
        titles = [r["job_name"] for r in csv.DictReader(fh)]
    with open(shared("data", "esco-v1.1.1", "occupations_en.csv"), encoding="utf-8") as fh:
        occupations = [r["preferredLabel"] for r in csv.DictReader(fh)]
    sentences: set[str] = set()
    for name in ("house_validation_annotations.csv", "house_test_annotations.csv"):
        with open(shared("data", "esco-skill-extraction-dev", name), encoding="utf-8") as fh:
            sentences |= {r["sentence"] for r in csv.DictReader(fh)}
    queries = [(t, "occupation") for t in rng.sample(titles, n // 4)]
    queries += [(t, "occupation") for t in rng.sample(occupations, n // 8)]
    queries += [(s[:200], "skill") for s in rng.sample(sorted(sentences), min(n // 4, len(sentences)))]
    queries += [(q, kind) for q in OFFER_QUERIES for kind in ("apprenticeship", "training")]
    queries += [(q, "policy") for q in POLICY_QUERIES]
    rng.shuffle(queries)
    return queries


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=400, help="about how many queries (default 400)")
    args = ap.parse_args(argv)
    settings = bench_settings()
    ensure_index(settings)
    queries = load_queries(args.n)
    with TestClient(create_app(settings)) as client:
        for text, kind in queries[:20]:  # warm: model, jieba, caches
            client.get("/api/search", params={"q": text, "type": kind})
        # Measure searching, not the result cache: the warm-up's queries would otherwise be answered from it.
        require_services(client.app).retrieval.service.clear_cache()
        by_type: dict[str, list[float]] = {}
        start = time.perf_counter()
        for text, kind in queries:
            t0 = time.perf_counter()
            res = client.get("/api/search", params={"q": text, "type": kind, "k": 10})
            by_type.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
            res.raise_for_status()
        wall = time.perf_counter() - start
    every = [x for v in by_type.values() for x in v]
    print(f"search latency, warm, single client, {len(queries)} queries, index {settings.index_dir}")
    for kind, ms in sorted(by_type.items()):
        print(f"  HTTP {kind:<15} n={len(ms):<4} {percentiles(ms)}")
    print(f"  HTTP {'all':<15} n={len(every):<4} {percentiles(every)}  throughput {len(every) / wall:.0f} q/s")


if __name__ == "__main__":
    main()
