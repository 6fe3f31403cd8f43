"""Query vectors for the knowledge base's own texts, embedded ahead in the background so guidance never waits on them.

A recommendation searches with occupation titles (offers for each occupation, in both languages) and, where the
store has no skill list for an occupation, with its description; the search box is mostly asked for trades, titles
and skills the knowledge base names. Those texts come from the knowledge base, not from
people, so their vectors may be kept on disk (CachedEmbedder.store_queries); embedding them on demand was most of
a recommendation turn's time. The work runs once per model and store content, in small batches, and steps aside
whenever a request needs the model.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from assistant.errors import QueryError, SkillPathError
from assistant.retrieval.catalog import Catalog
from assistant.guidance.matching import infer_query
from assistant.guidance.offers import offer_query
from assistant.guidance.pathway import POLICY_QUERIES
from assistant.retrieval.crosslingual import vocabulary_terms
from assistant.retrieval.search import Query, SearchService

log = logging.getLogger("skillpath.guidance")
BATCH = 8  # texts per model call: short enough that a request waiting for the model is not held up for long
# With an engine of its own (e5's batch engine) no request waits for the warm-up's call: larger batches run faster.
BULK_BATCH = 256
IDLE = 0.3  # seconds without an on-demand query before the next batch


class StoresQueries(Protocol):
    """The part of CachedEmbedder the warm-up needs."""

    last_query: float

    def stored_queries(self, texts: list[str]) -> set[str]: ...

    def store_queries(self, texts: list[str]) -> int: ...


def known_queries(catalog: Catalog) -> list[Query]:
    """Every search guidance makes with knowledge-base text, most used first: offer searches, policy, inferred skills."""
    queries: list[Query] = []
    for info in catalog.occupations.values():
        for kind in ("apprenticeship", "training"):
            queries.append(offer_query(info.title, kind))
    for kind in POLICY_QUERIES.values():
        for lang, text in kind.items():
            queries.append(Query(text, type="policy", lang=lang, k=1))
    for info in catalog.occupations.values():
        if not info.essential and not catalog.tasks.get(info.key):
            queries.append(infer_query(info))
    return queries


def search_vocabulary(catalog: Catalog) -> list[Query]:
    """What people type into search that the knowledge base already names, after guidance's own searches.

    The bundled trade vocabulary (电焊工, 护士, carpenter: the words people use), occupation titles and other names,
    and offer titles, each as an occupation search and as a search of everything (offer searches embed the same
    texts); then the skills offers list and the taxonomy's skill labels. Free text still goes to the model.
    """
    occupations = catalog.occupations.values()
    titles = [*vocabulary_terms(), *(info.title for info in occupations)]
    titles += [*(a for info in occupations for a in info.alt_titles), *(o["title"] for o in catalog.offers)]
    queries = [q for text in dict.fromkeys(t for t in titles if t) for q in (Query(text, type="occupation"),
                                                                           Query(text))]
    skills = [*(s for offer in catalog.offers for s in offer.get("target_skills") or []),
              *(label for label, _tags, _source in catalog.skills.values())]
    return queries + [Query(text, type="skill") for text in dict.fromkeys(s for s in skills if s)]


def texts_to_embed(search: SearchService, queries: list[Query],
                   stop: threading.Event | None = None) -> list[str]:
    """The distinct texts those searches embed, in order (language variants included)."""
    texts: dict[str, None] = {}
    for q in queries:
        if stop is not None and stop.is_set():
            break
        try:
            texts.update(dict.fromkeys(search.query_texts(q)))
        except QueryError:  # e.g. no offers of a kind in this index: nothing to embed
            continue
    return list(texts)


@contextmanager
def _only_one(lock_path: Path) -> Iterator[bool]:
    """True for the one process (of several workers) that does the work; the others read its results from disk."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


class QueryWarmer:
    """Runs the warm-up in a daemon thread at the lowest CPU priority; status() says how far it got."""

    def __init__(self, embedder: Any, search: SearchService, catalog: Callable[[], Catalog], lock_path: Path) -> None:
        self._embedder = embedder
        self._search = search
        self._catalog = catalog
        self._lock_path = lock_path
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = "off" if not hasattr(embedder, "store_queries") else "waiting"
        self.done = self.total = 0

    def status(self) -> dict[str, object]:
        return {"state": self._state, "done": self.done, "total": self.total}

    def start(self) -> None:
        if self._state == "off" or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="skillpath-query-warmup", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait(self, timeout: float | None = None) -> dict[str, object]:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.status()

    def _run(self) -> None:
        try:  # Linux gives each thread its own nice value: requests keep their priority
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        except (AttributeError, OSError):
            pass
        try:
            with _only_one(self._lock_path) as mine:
                if not mine:
                    self._state = "elsewhere"  # another worker is on it; its vectors reach us through the cache file
                    return
                self._state = "running"
                self.warm()
                self._state = "stopped" if self._stop.is_set() else "done"
        except SkillPathError as exc:  # no index yet: nothing to warm, and nothing is lost by not warming
            self._state = f"skipped: {exc}"
        except Exception:  # noqa: BLE001 - a failed warm-up only costs speed; it must not take the service down
            log.exception("query warm-up failed")
            self._state = "failed"

    def warm(self) -> int:
        """Embed and store what is missing; returns how many texts were embedded."""
        catalog = self._catalog()
        texts = texts_to_embed(self._search, known_queries(catalog) + search_vocabulary(catalog), self._stop)
        self.total = len(texts)
        stored = self._embedder.stored_queries(texts) if texts else set()
        missing = [t for t in texts if t not in stored]
        self.done = self.total - len(missing)
        embedded = 0
        batch = BULK_BATCH if getattr(self._embedder, "bulk_queries", False) else BATCH
        for i in range(0, len(missing), batch):
            while not self._stop.is_set() and time.monotonic() - self._embedder.last_query < IDLE:
                self._stop.wait(IDLE)  # a request is using the model: let it have it
            if self._stop.is_set():
                break
            embedded += self._embedder.store_queries(missing[i : i + batch])
            self.done += len(missing[i : i + batch])
        return embedded
