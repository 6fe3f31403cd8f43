"""Benchmark: 1,000,000 synthetic training offers: index build time, memory, disk, search latency, ANN recall@10.

Method. Offers are drawn (seeded) from taxonomy combinations: CSCO 2022 and ESCO occupations of the default
knowledge base, the gazetteer's cities, levels, delivery modes, durations and providers made of place + field +
institution words, half Chinese, half English (benchmarks/synthetic_offers.py). They go into a copy of the bench
store (var/bench) beside the default knowledge base, and `assistant.index.build.build_index` builds a real index
version from that store: manifest, docs.jsonl, FAISS dense index, jieba BM25 per collection. Embedding 2M offer
texts with e5-small would take hours on 2 cores, so the build gets an embedder that returns, for a synthetic
offer's title or body, the weighted sum of the real e5 vectors of its parts (each distinct part is embedded once,
through the embedding cache) plus a residual drawn per offer, L2-normalised; weights and residual covariance are
fitted on offers embedded for real. Every other text gets its real (cached) e5 vector. How faithful that is gets
measured on other offers embedded for real. Queries are embedded by the real model. The loaded version is searched
through `LoadedIndex` and `SearchService` (no result cache), and the ANN index is compared with an exact
inner-product scan (faiss.knn, what IndexFlatIP does) over the same vectors.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert

from benchmarks.common import DEFAULT_HOME, ROOT, bench_settings, ensure_index, quantiles
from benchmarks.scale_vectors import ComposingEmbedder, Remembering, exact_top, recall
from benchmarks.synthetic_offers import SyntheticOffers, Taxonomy, make_queries

SCALE_HOME = ROOT / "var" / "bench-scale"
SOURCE = "synthetic:scale-offers"
VECTORS_FILE = "vectors.f32"  # every dense row in build order, for the exact search
INSERT_BATCH = 5000
SAMPLE_FROM = 20_000


def memory() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in GiB, from /proc/self/status."""
    values = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 2**20
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


class Report:
    """Collects stage timings and memory as the run goes, printing each line at once."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.rows: list[tuple[str, float, str]] = []

    def stage(self, name: str, seconds: float, note: str = "") -> None:
        now, peak = memory()
        self.rows.append((name, seconds, note))
        print(f"  {name:<34} {seconds:8.1f} s   RSS {now:5.2f} GiB  peak {peak:5.2f} GiB  {note}", flush=True)


def timed(report: Report, name: str, fn: Callable[[], Any], note: Callable[[Any], str] = lambda _r: "") -> Any:
    start = time.perf_counter()
    out = fn()
    report.stage(name, time.perf_counter() - start, note(out))
    return out


def prepare_home(home: Path) -> Any:
    """A fresh scale home: a copy of the bench store (default knowledge base) and of its embedding cache."""
    bench = bench_settings()
    ensure_index(bench)
    settings = bench_settings(home)
    for path in (settings.index_dir, home / "skillpath.db", home / VECTORS_FILE):
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(bench.home / "skillpath.db", home / "skillpath.db")
    if not (settings.cache_dir / "embeddings.sqlite").exists():
        shutil.copy(bench.cache_dir / "embeddings.sqlite", settings.cache_dir / "embeddings.sqlite")
    return settings


def insert_offers(sessions: Any, offers: SyntheticOffers) -> tuple[np.ndarray, np.ndarray]:
    """Write every offer to the store (SQLAlchemy Core, batches); return (hash of text, offer*2 + field) pairs."""
    from datetime import UTC, datetime

    from assistant.store.models import Offer, Source

    keys = np.empty(2 * offers.n, np.int64)
    with sessions() as session:
        source = Source(name=SOURCE, kind="offers", version=f"seed {offers.seed}, {offers.n} offers",
                        checksum=offers.checksum(), location="benchmarks/scale_offers.py",
                        licence="synthetic", imported_at=datetime.now(UTC))
        session.add(source)
        session.flush()
        for start in range(0, offers.n, INSERT_BATCH):
            stop = min(start + INSERT_BATCH, offers.n)
            rows = [{**r, "source_id": source.id} for r in offers.iter_records(start, stop)]
            for j, r in enumerate(rows):
                title, body = offers.unit_texts(r)
                keys[2 * (start + j)], keys[2 * (start + j) + 1] = hash(title), hash(body)
            session.execute(insert(Offer), rows)
        session.commit()
    return keys, np.arange(2 * offers.n, dtype=np.int64)


def fidelity(offers: SyntheticOffers, embedder: Any, queries: np.ndarray, dev: int, sample: int,
             seed: int) -> list[str]:
    """Fit the slot weights on `dev` offers embedded for real; measure composed vs real on `sample` others."""
    rng = np.random.default_rng(seed + 1)
    # From the first offers only: the same ones for any --offers, so their real vectors come from the cache.
    pick = rng.choice(min(offers.n, SAMPLE_FROM), min(dev + sample, offers.n), replace=False)

    def real(ids: np.ndarray) -> dict[str, np.ndarray]:
        texts = [offers.unit_texts(offers.record(int(i))) for i in ids]
        return {"title": embedder.embed_passages([t for t, _ in texts]),
                "body": embedder.embed_passages([b for _, b in texts])}

    fit, held = pick[:dev], pick[dev:]
    offers.fit_weights(fit, real(fit))
    truth = real(held)
    lines = []
    pairs = np.triu_indices(len(held), 1)
    for field in ("title", "body"):
        composed, plain = offers.compose(held, field), offers.compose(held, field, noise=False)
        cos, cos_plain = (composed * truth[field]).sum(1), (plain * truth[field]).sum(1)
        for lang_no, lang in enumerate(("zh", "en")):
            c, p = cos[offers.lang[held] == lang_no], cos_plain[offers.lang[held] == lang_no]
            lines.append(f"{field:<5} {lang}: cosine(composed, real) mean {c.mean():.3f}, "
                         f"p5 {np.percentile(c, 5):.3f}, min {c.min():.3f}; without the residual {p.mean():.3f} "
                         f"(n={len(c)})")
        real_pairs, comp_pairs = (truth[field] @ truth[field].T)[pairs], (composed @ composed.T)[pairs]
        own = np.argmax(composed @ truth[field].T, axis=1) == np.arange(len(held))
        lines.append(f"{field:<5}: spread, cosine between two offers: real mean {real_pairs.mean():.3f} sd "
                     f"{real_pairs.std():.3f}, composed {comp_pairs.mean():.3f} sd {comp_pairs.std():.3f}; "
                     f"composed vector nearest its own real one for {own.mean():.1%} of {len(held)}")
    # Do the composed vectors rank the sample's units like the real ones? Top-10 overlap per query.
    real_units = np.vstack([truth["title"], truth["body"]])
    comp_units = np.vstack([offers.compose(held, "title"), offers.compose(held, "body")])
    top_real = np.argsort(-(queries @ real_units.T), axis=1)[:, :10]
    top_comp = np.argsort(-(queries @ comp_units.T), axis=1)[:, :10]
    overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top_real, top_comp)])
    lines.append(f"top-10 overlap, composed vs real ranking of the sample's {len(real_units)} units for "
                 f"{len(queries)} queries: {overlap:.3f}")
    weights = ", ".join(f"{lang} {field} [{' '.join(f'{w:.2f}' for w in offers.weights[(lang, field)])}]"
                        for field in ("title", "body") for lang in ("zh", "en"))
    lines.append(f"slot weights (title: occupation kind level; body: city region field institution mode duration "
                 f"content×3 occupation level certificate): {weights}")
    return lines


def line(name: str, ms: list[float], extra: str = "") -> str:
    p50, p95, p99, top = quantiles(ms)
    return f"  {name:<46} p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f}  max {top:7.1f} ms  {extra}"


def per_query(fn: Callable[[int], Any], n: int) -> tuple[list[float], list[Any]]:
    ms, out = [], []
    for i in range(n):
        start = time.perf_counter()
        out.append(fn(i))
        ms.append((time.perf_counter() - start) * 1000)
    return ms, out


@dataclass
class Built:
    """What the search half of the run needs from the build half."""

    settings: Any
    sessions: Any
    model: Any  # the cached e5 embedder
    taxonomy: Taxonomy
    queries: list[tuple[str, str | None]]  # (text, city or None)
    vectors: np.ndarray  # the queries' e5 vectors
    embed_ms: list[float]
    fidelity: list[str]


def build(args: argparse.Namespace, report: Report) -> Built:
    """Generate, insert and index the offers; everything only the build needs is dropped on return."""
    from assistant.index.build import build_index
    from assistant.index.cache import CachedEmbedder
    from assistant.index.embedders import E5SmallEmbedder
    from assistant.index.versions import IndexVersions
    from assistant.store.db import make_engine, make_sessionmaker, migrate
    from benchmarks.search_latency import OFFER_QUERIES

    settings = timed(report, "prepare home (copy bench store)", lambda: prepare_home(args.home))
    engine = make_engine(settings.database_url)
    migrate(engine)
    sessions = make_sessionmaker(engine)
    model = CachedEmbedder(E5SmallEmbedder(), settings.cache_dir / "embeddings.sqlite")
    with sessions() as session:
        taxonomy = Taxonomy.from_store(session)
    offers = timed(report, "generate offer draws", lambda: SyntheticOffers(taxonomy, args.offers, args.seed),
                   lambda o: f"{len(taxonomy.zh_titles)} zh + {len(taxonomy.en_titles)} en occupations, "
                             f"{len(taxonomy.cities)} cities, {len(taxonomy.skills)} skills")
    misses = model.misses
    timed(report, "embed parts (e5, cache)", lambda: offers.prepare(model.embed_passages),
          lambda _r: f"{len(offers.parts.texts)} distinct parts, {model.misses - misses} embedded now")
    query_set = make_queries(taxonomy, args.queries, args.seed + 2, OFFER_QUERIES)
    embed_ms, vecs = per_query(lambda i: model.inner.embed_queries([query_set[i][0]])[0], len(query_set))
    vectors = np.stack(vecs).astype(np.float32)
    lines = timed(report, f"fidelity ({args.dev} fit + {args.sample} test)",
                  lambda: fidelity(offers, model, vectors, args.dev, args.sample, args.seed))
    keys, values = timed(report, "render offers + store insert", lambda: insert_offers(sessions, offers),
                         lambda _r: f"{args.offers:,} rows into SQLite")
    embedder = ComposingEmbedder(offers, keys, values, model, args.home / VECTORS_FILE)
    del keys, values
    steps: list[tuple[str, float, float, float]] = []  # name, when it ended, RSS then, peak RSS so far
    versions = IndexVersions(settings.index_dir, keep=2)

    def on_step(name: str, done: int, total: int) -> None:
        if done >= total and (not steps or steps[-1][0] != name):
            steps.append((name, time.perf_counter(), *memory()))

    started = time.perf_counter()
    timed(report, "build_index (total)",
          lambda: build_index(sessions, embedder, versions, approximate_above=settings.approximate_above, on_step=on_step),
          lambda b: f"{b.manifest.units:,} units, dense {b.manifest.dense_kind}")
    embedder.close()
    for name, at, now, peak in steps:
        print(f"    step {name:<30} {at - started:8.1f} s   RSS {now:5.2f} GiB  peak {peak:5.2f} GiB")
        started = at
    print(f"    composed {embedder.composed:,} vectors; {embedder.model:,} texts from the model (cache)")
    folder = versions.current_path()
    assert folder is not None
    sizes = {p.relative_to(folder).as_posix(): p.stat().st_size for p in folder.rglob("*") if p.is_file()}
    print(f"  on disk: {sum(sizes.values()) / 2**30:.2f} GiB — " + ", ".join(
        f"{name} {size / 2**20:,.0f} MiB" for name, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:5]))
    return Built(settings, sessions, model, taxonomy, query_set, vectors, embed_ms, lines)


def search(args: argparse.Namespace, built: Built, report: Report) -> None:
    """Load the version just built and measure dense, exact and hybrid search on it."""
    from assistant.index.embedders import E5SmallEmbedder
    from assistant.index.loaded import Filters
    from assistant.text import language_of
    from assistant.retrieval.gazetteer import spellings
    from assistant.retrieval.runtime import make_retrieval
    from assistant.retrieval.search import Query, SearchService

    retrieval = make_retrieval(built.settings, built.sessions, embedder=built.model)
    index = timed(report, "load index (verify, docs, BM25)", retrieval.holder.get)
    dense, queries = index.dense, built.vectors
    texts = [q for q, _ in built.queries]
    vectors = np.memmap(args.home / VECTORS_FILE, np.float32, "r").reshape(-1, dense.dim)
    if len(vectors) != len(dense):
        sys.exit(f"{VECTORS_FILE} holds {len(vectors)} rows, the dense index {len(dense)}: the build order changed")

    print(f"\nsearch: {len(texts)} queries (warm, one at a time); dense index {dense.kind} over {len(dense):,} rows"
          + (f", {dense.lists} lists, nprobe {dense.nprobe}" if dense.kind == "ivf" else "")
          + (f", efSearch {dense.ef_search}" if dense.kind == "hnsw" else ""))
    print(line("query embedding (e5-small, uncached)", built.embed_ms))
    exact_ms, _ = per_query(lambda i: exact_top(vectors, queries[i : i + 1], 10), min(20, len(texts)))
    exact_i, exact_s = exact_top(vectors, queries, 10)
    ann_ms, ann = per_query(lambda i: dense.search(queries[i : i + 1], 10)[0][0], len(texts))
    by_id, tie = recall(vectors, queries, np.stack(ann), exact_i, exact_s)
    print(line("exact scan, all rows, k=10 (faiss.knn)", exact_ms, f"(first {len(exact_ms)} queries)"))
    print(line("dense ANN, all rows, k=10", ann_ms, f"recall@10 {by_id:.3f} (ties counted: {tie:.3f})"))
    # As the hybrid search calls it: one language, offers of one type, k=150 candidates.
    lang_mask = {g: index.unit_mask(index.doc_mask(Filters(types=["training"], languages=[g])))[index.dense_unit]
                 for g in ("zh", "en")}
    masks = [lang_mask[language_of(t)] for t in texts]
    ms_masked, got = per_query(lambda i: dense.search(queries[i : i + 1], 150, masks[i])[0][0][:10], len(texts))
    exact_masked = [exact_top(vectors, queries[i : i + 1], 10, masks[i]) for i in range(len(texts))]
    by_id, tie = recall(vectors, queries, np.stack(got), np.vstack([e[0] for e in exact_masked]),
                        np.vstack([e[1] for e in exact_masked]))
    share = np.mean([m.mean() for m in masks])
    print(line("dense ANN, training offers of the query's language, k=150", ms_masked,
               f"recall@10 {by_id:.3f} (ties: {tie:.3f}); the mask keeps {share:.0%} of rows"))

    # End to end first (each query embedded by the model, as a new query is), then with the query vectors
    # remembered, to show the search alone; no result cache either way.
    model = E5SmallEmbedder()
    model.warm_up()
    cold = SearchService(retrieval.holder.get, model, cache_size=0)
    ms, _ = per_query(lambda i: cold.search(Query(texts[i], k=10)), len(texts))
    print(line("hybrid search, no filter, with query embedding", ms))
    service = SearchService(retrieval.holder.get, Remembering(model), cache_size=0)
    places = built.taxonomy.cities
    cities = [c or places[i % len(places)].short for i, (_q, c) in enumerate(built.queries)]
    runs = [("hybrid search, no filter", lambda i: Query(texts[i], k=10)),
            ("hybrid search, type=training", lambda i: Query(texts[i], type="training", k=10)),
            ("hybrid search, apprenticeship + city", lambda i: Query(texts[i], type="apprenticeship",
                                                                     location=cities[i], k=10))]
    for name, make in runs:
        for i in range(len(texts)):  # remember the query vectors (an own-language and a translated one)
            service.search(make(i))
        ms, hits = per_query(lambda i, make=make: service.search(make(i)), len(texts))
        print(line(f"{name}, query vectors remembered", ms, f"mean hits {np.mean([len(h) for h in hits]):.1f}"))
    fresh = [c.short for c in built.taxonomy.cities if c.short not in set(cities)][:5]
    masks_ms, _ = per_query(lambda i: index.doc_mask(Filters(location=spellings(fresh[i]))), len(fresh))
    print(line("  of which: a new location's document mask", masks_ms, f"({len(fresh)} cities not searched before)"))
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(lambda: [cold.search(Query(t, k=10)) for t in texts[:50]])
        print("\nwhere the hybrid search spends its time (first 50 queries, no filter, with embedding, cumulative):")
        pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(18)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--offers", type=int, default=1_000_000, help="synthetic offers (default 1,000,000)")
    ap.add_argument("--queries", type=int, default=200, help="search queries, mixed zh/en (default 200)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sample", type=int, default=300, help="offers embedded for real to measure fidelity")
    ap.add_argument("--dev", type=int, default=200, help="offers embedded for real to fit the part weights")
    ap.add_argument("--profile", action="store_true", help="also profile 50 hybrid searches")
    ap.add_argument("--home", type=Path, default=Path(os.environ.get("SKILLPATH_SCALE_HOME", SCALE_HOME)))
    args = ap.parse_args(argv)
    if args.home.resolve() == Path(os.environ.get("SKILLPATH_BENCH_HOME", DEFAULT_HOME)).resolve():
        sys.exit("--home must not be the bench home: the scale run replaces its store and index")
    if args.offers < args.dev + args.sample or args.queries < 1:
        sys.exit("--offers must be at least --dev + --sample, and --queries at least 1")

    report = Report()
    print(f"scale benchmark: {args.offers:,} synthetic offers + the default knowledge base; {args.queries} queries; "
          f"cores {os.cpu_count()}; home {args.home}")
    print((__doc__ or "").split("\n\n", 1)[1].strip())
    print("\nbuild")
    built = build(args, report)
    gc.collect()  # the offers, their texts and the build's documents: gigabytes at 1M offers
    search(args, built, report)
    now, peak = memory()
    total = time.perf_counter() - report.started
    print(f"\npeak RSS {peak:.2f} GiB (whole run), RSS now {now:.2f} GiB; total {total:.0f} s")
    print("fidelity of the composed vectors:")
    for text in built.fidelity:
        print(f"  {text}")


if __name__ == "__main__":
    main()
