"""Benchmark: warm latency of POST /api/match and of chat turns over the default index (real e5-small).

Requests are built from public data: real Chinese job-ad titles (CSCO test cases) and ESCO occupation labels put in
a person's words ("我做了三年{title}，会{skill}，想在{city}找个学徒岗位" / "I worked as a {title} …"), with cities
from the bundled offers. Prints p50/p95/p99 and throughput for /api/match through the HTTP app, with the search
cache emptied before each request and then warm; the time spent in each stage of the service (extraction, occupation
ranking, offers, pathway) without the cache; and the latency of chat turns (five-turn conversations).
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

CITIES_ZH = ["湖州", "大庆", "双鸭山", "日照", "重庆", "杭州", "拉萨"]
CITIES_EN = ["Huzhou", "Daqing", "Rizhao", "Chongqing", "Hangzhou"]
SKILLS_ZH = ["看图纸", "用电脑", "开叉车", "做账", "沟通", "带团队"]
SKILLS_EN = ["read drawings", "use a computer", "drive a forklift", "keep accounts", "talk to customers"]


def load_requests(n: int, seed: int = 11) -> list[dict[str, object]]:
    rng = random.Random(seed)
    with open(shared("data", "csco-2022", "testcases_jobtitle_to_csco.csv"), encoding="utf-8") as fh:
        titles = [r["job_name"] for r in csv.DictReader(fh)]
    with open(shared("data", "esco-v1.1.1", "occupations_en.csv"), encoding="utf-8") as fh:
        occupations = [r["preferredLabel"] for r in csv.DictReader(fh)]
    out: list[dict[str, object]] = []
    for i in range(n):
        if i % 2 == 0:
            text = (f"我做了{rng.randint(1, 9)}年{rng.choice(titles)}，会{rng.choice(SKILLS_ZH)}，"
                    f"想在{rng.choice(CITIES_ZH)}找个能拿工资的学徒岗位")
            out.append({"text": text, "lang": "zh", "k": 5})
        else:
            text = (f"I worked as a {rng.choice(occupations)} for {rng.randint(1, 9)} years, I can "
                    f"{rng.choice(SKILLS_EN)}, and I want a paid apprenticeship in {rng.choice(CITIES_EN)}")
            out.append({"text": text, "lang": "en", "k": 5})
    return out


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=60, help="match requests (half zh, half en)")
    ap.add_argument("--chats", type=int, default=10, help="five-turn conversations")
    ap.add_argument("--warm-wait", action=argparse.BooleanOptionalAction, default=True,
                    help="wait for the background warm-up of knowledge-base query vectors before measuring")
    args = ap.parse_args(argv)

    from assistant.guidance.offers import recommend_offers
    from assistant.guidance.pathway import build_pathway
    from assistant.guidance.service import MatchRequest

    settings = bench_settings()
    ensure_index(settings)
    requests = load_requests(args.n)
    with TestClient(create_app(settings)) as client:
        service = require_services(client.app).guidance
        if service.warmer is not None and args.warm_wait:  # the steady state of a running service
            started = time.perf_counter()
            status = service.warmer.wait()
            print(f"query warm-up: {status} in {time.perf_counter() - started:.0f} s")
        for body in requests[:4]:  # warm: model, tokenisers, catalog, masks
            client.post("/api/match", json=body)
        search = service.retrieval.service
        for label, clear in (("each with an empty search cache", True), ("repeated, search cache warm", False)):
            if not clear:  # fill the cache with these requests first: the measured pass repeats them
                for body in requests:
                    client.post("/api/match", json=body)
            ms: list[float] = []
            start = time.perf_counter()
            for body in requests:
                if clear:
                    search.clear_cache()
                t = time.perf_counter()
                res = client.post("/api/match", json=body)
                ms.append((time.perf_counter() - t) * 1000)
                assert res.status_code == 200, res.text
            wall = time.perf_counter() - start
            print(f"POST /api/match, {len(requests)} requests (zh and en), 1 client, {label}: {percentiles(ms)}, "
                  f"{len(requests) / wall:.1f} req/s")

        stages: dict[str, list[float]] = {"extract": [], "rank occupations": [], "offers": [], "pathway": []}
        for body in requests:
            search.clear_cache()
            req = MatchRequest(str(body["text"]), lang=str(body["lang"]), k=int(body["k"]))  # type: ignore[call-overload]
            t0 = time.perf_counter()
            profile = service.profile_from(req)
            t1 = time.perf_counter()
            occupations = service.matcher.rank(profile, req.k)
            t2 = time.perf_counter()
            offers = recommend_offers(service.catalog.get(), service.retrieval.service, occupations,
                                      profile.constraints, profile.language)
            t3 = time.perf_counter()
            build_pathway(profile, occupations, offers, service.retrieval.service, profile.language)
            t4 = time.perf_counter()
            for name, a, b in zip(stages, (t0, t1, t2, t3), (t1, t2, t3, t4)):
                stages[name].append((b - a) * 1000)
        print("service stages, empty search cache:")
        for name, values in stages.items():
            print(f"  {name:<18}{percentiles(values)}")

        search.clear_cache()
        turns: list[float] = []
        for i, body in enumerate(requests[: args.chats]):
            zh = body["lang"] == "zh"
            session = None
            for message in (["你好", "同意", str(body["text"]), "对", "好的"] if zh else
                            ["Hello", "I agree", str(body["text"]), "yes", "yes please, show me a learning pathway"]):
                t = time.perf_counter()
                res = client.post("/api/chat", json={"session_id": session, "message": message})
                turns.append((time.perf_counter() - t) * 1000)
                assert res.status_code == 200, res.text
                session = res.json()["session_id"]
        if turns:
            print(f"POST /api/chat, {args.chats} conversations × 5 turns, search cache shared: {percentiles(turns)}")


if __name__ == "__main__":
    main()
