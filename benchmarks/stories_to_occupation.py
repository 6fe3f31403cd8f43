"""Benchmark: work stories → occupation through POST /api/match (one or two everyday sentences, usually no job title).

The stories are the team's development sets in `benchmarks/data/` (see its README): 80 Chinese stories, each with the
CSCO 2022 codes or small-group prefixes a counsellor would accept, and 120 English first-person stories, each about
one ESCO occupation of the bundled light ESCO set, with its ISCO-08 unit and close units. Every story is sent as
`{"text": story}`, nothing else, exactly as a person's first message would reach the route; the recommended
occupations are scored. Chinese: an acceptable CSCO code among the top 5 (target ≥ 0.95). English: the story's ESCO
occupation (by URI) among the top 10 (target ≥ 0.75); by ISCO unit as a second, looser figure (the ISCO group of a
recommended ESCO occupation comes from the official ESCO v1.1.1 export in `../shared/data`, since the light set has
none). Baseline in the same run: `GET /api/search?type=occupation` with the story as the query, restricted to the
scheme being scored (csco2022 for Chinese, esco for English), top 10.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import DEFAULT_HOME, ROOT, bench_settings, ensure_index, percentiles, shared

DATA = ROOT / "benchmarks" / "data"
FILES = {"zh": DATA / "stories-zh.jsonl", "en": DATA / "stories-en.jsonl"}
TOP = {"zh": 5, "en": 10}  # the cut-offs
TARGET = {"zh": 0.95, "en": 0.75}
SCHEME = {"zh": "csco2022", "en": "esco"}
K = 10  # results asked of both routes (POST /api/match's default)


@dataclass
class Case:
    id: str
    lang: str
    text: str
    accept: tuple[str, ...] = ()  # zh: CSCO code prefixes
    uri: str = ""  # en: the gold ESCO occupation
    title: str = ""
    isco: tuple[str, ...] = ()  # en: acceptable ISCO-08 units


@dataclass
class Outcome:
    """One system's answer to one story: the recommended occupations and where the first acceptable one stands."""

    results: list[dict[str, Any]]
    rank: int  # 1-based rank of the first acceptable occupation, 0 when none in the list
    rank_isco: int = 0  # en only: first occupation of an acceptable ISCO unit
    ms: float = 0.0
    profile: dict[str, Any] = field(default_factory=dict)


def load_cases(lang: str, limit: int | None) -> list[Case]:
    out = []
    with FILES[lang].open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            d = json.loads(line)
            if lang == "zh":
                out.append(Case(d["id"], lang, d["text"], accept=tuple(d["accept"])))
            else:
                out.append(Case(d["id"], lang, d["text"], uri=d["esco_uri"], title=d["esco_title"],
                                isco=tuple(d.get("accept_isco") or [d["isco"]])))
    return out[:limit] if limit else out


def esco_isco() -> dict[str, str]:
    """ESCO occupation URI → ISCO-08 unit, from the official export (the light set carries no ISCO codes)."""
    with shared("data", "esco-v1.1.1", "occupations_en.csv").open(encoding="utf-8", newline="") as f:
        return {r["conceptUri"]: r["iscoGroup"] for r in csv.DictReader(f)}


def csco_titles(settings: Any) -> dict[str, str]:
    """CSCO code → title from the store (groups included, so small-group prefixes can be named)."""
    from sqlalchemy import text

    from assistant.store.db import make_engine

    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT code, title FROM occupations WHERE scheme = 'csco2022'")).all()
    engine.dispose()
    return {code: title for code, title in rows if code}


def isco_unit(scheme: str | None, code: str, uri: str, isco_of: dict[str, str]) -> str | None:
    """The ISCO-08 unit of a recommended occupation: an ESCO occupation's group, or an ISCO unit group itself (the
    light set holds ISCO groups as `esco` occupations, URI …/esco/isco/C1412; ISCO-08 ingested as `isco08`)."""
    if scheme == "isco08":
        return code
    if scheme != "esco":
        return None
    tail = uri.rsplit("/isco/C", 1)
    if len(tail) == 2:
        return tail[1] if len(tail[1]) == 4 else None
    return isco_of.get(uri)


def first_rank(case: Case, results: list[dict[str, Any]], isco_of: dict[str, str]) -> tuple[int, int]:
    """Ranks (1-based, 0 = absent) of the first acceptable result, and for English of the first acceptable ISCO unit."""
    rank = rank_isco = 0
    for i, r in enumerate(results, start=1):
        scheme, code, uri = r.get("scheme"), r.get("code") or "", r.get("uri") or ""
        if case.lang == "zh":
            ok = scheme == "csco2022" and any(code.startswith(p) for p in case.accept)
            ok_isco = False
        else:
            ok = scheme == "esco" and uri == case.uri
            unit = isco_unit(scheme, code, uri, isco_of)
            ok_isco = unit in case.isco
        if ok and not rank:
            rank = i
        if (ok or ok_isco) and not rank_isco:
            rank_isco = i
    return rank, rank_isco


def run_match(client: Any, case: Case, isco_of: dict[str, str]) -> Outcome:
    started = time.perf_counter()
    res = client.post("/api/match", json={"text": case.text})
    ms = (time.perf_counter() - started) * 1000
    res.raise_for_status()
    body = res.json()
    occ = body["occupations"]
    return Outcome(occ, *first_rank(case, occ, isco_of), ms=ms, profile=body.get("profile") or {})


def run_search(client: Any, case: Case, isco_of: dict[str, str]) -> Outcome:
    started = time.perf_counter()
    res = client.get("/api/search", params={"q": case.text, "type": "occupation", "scheme": SCHEME[case.lang],
                                            "k": K})
    ms = (time.perf_counter() - started) * 1000
    res.raise_for_status()
    hits = res.json()["hits"]
    return Outcome(hits, *first_rank(case, hits, isco_of), ms=ms)


def label(r: dict[str, Any]) -> str:
    if r.get("scheme") == "csco2022":
        return f"{r.get('code') or ''} {r.get('title', '')}".strip()
    return r.get("title", "")


def profile_line(p: dict[str, Any]) -> str:
    """What the match read from the story: experience entries (words → occupation, years) and the first skills."""
    exp = []
    for e in p.get("experience") or []:
        occ = e.get("occupation") or {}
        target = f" → {occ.get('code') or ''} {occ.get('title')}".rstrip() if occ else " → (none)"
        years = f", {e['years']:g} y" if e.get("years") else ""
        exp.append(f"{e.get('what', '')!r}{target}{years}")
    skills = [s.get("label", "") for s in (p.get("skills") or [])[:4]]
    more = len(p.get("skills") or []) - len(skills)
    return (f"experience [{'; '.join(exp) or 'none'}]  skills [{', '.join(skills) or 'none'}"
            f"{f', +{more}' if more > 0 else ''}]")


def summarise(lang: str, outs: dict[str, list[Outcome]]) -> list[str]:
    top = TOP[lang]
    rows = []
    for system, got in outs.items():
        n = len(got)
        figures = [("URI" if lang == "en" else "CSCO", [o.rank for o in got])]
        if lang == "en":
            figures.append(("ISCO unit", [o.rank_isco for o in got]))
        empty = sum(1 for o in got if not o.results)
        other = sum(1 for o in got if o.results and not any(r.get("scheme") == SCHEME[lang] for r in o.results[:top]))
        for name, ranks in figures:
            at1 = sum(1 for r in ranks if r == 1) / n
            atk = sum(1 for r in ranks if 0 < r <= top) / n
            at10 = sum(1 for r in ranks if 0 < r <= K) / n
            mrr = sum(1 / r for r in ranks if 0 < r <= top) / n
            rows.append(f"{lang:<5}{system:<8}{name:<11}{n:>5}{at1:>8.3f}{atk:>9.3f}{at10:>8.3f}{mrr:>8.3f}"
                        f"{empty:>7}{other:>8}")
    return rows


def show_misses(lang: str, cases: list[Case], outs: dict[str, list[Outcome]], n: int,
                titles: dict[str, str]) -> None:
    top = TOP[lang]
    match, search = outs["match"], outs["search"]
    misses = [i for i, o in enumerate(match) if not 0 < o.rank <= top]
    # Worst first: nothing acceptable anywhere in the list, then found only further down; file order within.
    misses.sort(key=lambda i: (match[i].rank == 0, match[i].rank), reverse=True)
    print(f"\n{lang}: {len(misses)} misses in the top {top} of /api/match" +
          (f"; the {min(n, len(misses))} worst:" if misses else ""))
    for i in misses[:n]:
        c, o, s = cases[i], match[i], search[i]
        if lang == "zh":
            want = ", ".join(f"{p}{titles.get(p if not p.endswith('-') else p + '00', '')}" for p in c.accept)
        else:
            want = f"{c.title} (ISCO {'/'.join(c.isco)})"
        where = f"rank {o.rank}" if o.rank else "not in the top 10"
        print(f"- {c.id} {c.text}\n    want   {want}  [{where}; search rank {s.rank or '-'}]")
        print(f"    match  {[label(r) for r in o.results[:top]] or 'no occupation'}")
        print(f"    search {[label(r) for r in s.results[:3]]}")
        print(f"    read   {profile_line(o.profile)}")


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", choices=("zh", "en", "both"), default="both")
    ap.add_argument("--limit", type=int, default=0, help="only the first N stories of each file")
    ap.add_argument("--show", type=int, default=0, help="print the N worst misses of /api/match per language")
    ap.add_argument("--home", type=Path, default=Path(os.environ.get("SKILLPATH_BENCH_HOME", DEFAULT_HOME)))
    args = ap.parse_args(argv)

    from fastapi.testclient import TestClient

    from assistant.api.app import create_app

    settings = bench_settings(args.home)
    ensure_index(settings)
    langs = ["zh", "en"] if args.lang == "both" else [args.lang]
    isco_of = esco_isco() if "en" in langs else {}
    titles = csco_titles(settings) if "zh" in langs and args.show else {}
    print(f"stories → occupation: home {args.home}; POST /api/match {{text}} vs GET /api/search type=occupation; "
          f"zh top {TOP['zh']}, en top {TOP['en']}")
    table: list[str] = []
    latency: dict[str, list[float]] = {}
    with TestClient(create_app(settings)) as client:
        for lang in langs:
            cases = load_cases(lang, args.limit)
            outs: dict[str, list[Outcome]] = {"match": [], "search": []}
            for c in cases:
                outs["match"].append(run_match(client, c, isco_of))
                outs["search"].append(run_search(client, c, isco_of))
            for system, got in outs.items():
                latency[f"{lang} {system}"] = [o.ms for o in got]
            table += summarise(lang, outs)
            if args.show:
                show_misses(lang, cases, outs, args.show, titles)
    print(f"\n{'lang':<5}{'system':<8}{'gold':<11}{'n':>5}{'top-1':>8}{'top-k':>9}{'top-10':>8}{'MRR@k':>8}"
          f"{'none':>7}{'scheme':>8}")
    for row in table:
        print(row)
    print(f"top-k: zh top {TOP['zh']} (target ≥ {TARGET['zh']}), en top {TOP['en']} (target ≥ {TARGET['en']}); "
          "none: no occupation at all; scheme: occupations, but none of the scored scheme in the top k")
    for name, ms in latency.items():
        if ms:
            print(f"{name:<10} {percentiles(ms)}")


if __name__ == "__main__":
    main()
