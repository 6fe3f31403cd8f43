"""Embedding caches: passages and knowledge-base queries on disk, keyed by (embedder, text hash); queries in memory."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.index.embedders import Embedder

MEMORY_QUERIES = 20_000  # query vectors kept in memory per process: 384 floats each, ~30 MB


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class CachedEmbedder:
    """Wraps an embedder. Passage vectors persist in a SQLite file under the data home, so a refresh re-embeds only
    what changed. Query vectors are kept in memory (guidance asks for the same occupation titles again and again);
    on disk only those stored on purpose with store_queries(): texts from the knowledge base, never a person's words,
    which must not outlive their conversation in a cache file."""

    def __init__(self, inner: Embedder, path: Path, memory_queries: int = MEMORY_QUERIES) -> None:
        self.inner = inner
        self.name, self.version = inner.name, inner.version
        path.parent.mkdir(parents=True, exist_ok=True)
        # Web requests arrive on several threads; one connection behind a lock is enough for key lookups.
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._db_lock = threading.Lock()
        with self._db_lock, self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, key BLOB, vec BLOB, PRIMARY KEY (model, key))")
        self._model = f"{inner.name}@{inner.version}/{inner.dim}"
        self._query_model = f"{self._model}/query"  # e5 encodes queries and passages differently
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._memory_size = memory_queries
        self._memory_lock = threading.Lock()
        self.hits = self.misses = 0
        self.query_hits = self.query_misses = 0  # query texts found in memory / not
        self.query_embedded = 0  # query texts the model embedded on demand (the rest came from memory or disk)
        self.last_query = 0.0  # monotonic time of the last query embedded on demand (background work yields to it)

    @property
    def dim(self) -> int:
        return self.inner.dim

    def _stored(self, model: str, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        with self._db_lock:
            for i in range(0, len(keys), 500):
                part = list(set(keys[i : i + 500]))
                q = f"SELECT key, vec FROM vectors WHERE model = ? AND key IN ({','.join('?' * len(part))})"
                for key, vec in self._db.execute(q, [model, *part]):
                    found[key] = np.frombuffer(vec, dtype=np.float32)
        return found

    def _store(self, model: str, rows: Sequence[tuple[bytes, np.ndarray]]) -> None:
        with self._db_lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                                 [(model, k, v.astype(np.float32).tobytes()) for k, v in rows])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Memory first, then the stored knowledge-base queries, then the model (only the texts still missing)."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        out: dict[str, np.ndarray] = {}
        with self._memory_lock:
            for t in texts:
                vec = self._memory.get(t)
                if vec is not None:
                    self._memory.move_to_end(t)
                    out[t] = vec
        missing = [t for t in dict.fromkeys(texts) if t not in out]
        if missing:
            stored = self._stored(self._query_model, [text_key(t) for t in missing])
            for t in missing:
                vec = stored.get(text_key(t))
                if vec is not None:
                    out[t] = vec
            todo = [t for t in missing if t not in out]
            if todo:
                self.last_query = time.monotonic()
                out.update(zip(todo, self.inner.embed_queries(todo)))
                self.last_query = time.monotonic()
                self.query_embedded += len(todo)
            self._remember({t: out[t] for t in missing})
        self.query_hits += len(texts) - len(missing)
        self.query_misses += len(missing)
        return np.stack([out[t] for t in texts]).astype(np.float32)

    def query_counts(self) -> dict[str, int]:
        """Query texts asked for since start: from memory, from the stored knowledge-base queries, embedded now."""
        return {"memory": self.query_hits, "stored": self.query_misses - self.query_embedded,
                "embedded": self.query_embedded}

    def _remember(self, vectors: dict[str, np.ndarray]) -> None:
        with self._memory_lock:
            for t, vec in vectors.items():
                self._memory[t] = vec
                self._memory.move_to_end(t)
            while len(self._memory) > self._memory_size:
                self._memory.popitem(last=False)

    def stored_queries(self, texts: Sequence[str]) -> set[str]:
        """Which of these texts already have a query vector on disk."""
        stored = self._stored(self._query_model, [text_key(t) for t in texts])
        return {t for t in texts if text_key(t) in stored}

    def store_queries(self, texts: Sequence[str]) -> int:
        """Embed and keep on disk the query vectors of knowledge-base texts (titles, descriptions); returns how many
        were new. Callers must never pass a person's words here."""
        unique = list(dict.fromkeys(texts))
        have = self.stored_queries(unique)
        todo = [t for t in unique if t not in have]
        if not todo:
            return 0
        bulk = getattr(self.inner, "embed_queries_bulk", None)
        vectors = bulk(todo) if bulk is not None else self.inner.embed_queries(todo)
        self._store(self._query_model, [(text_key(t), v) for t, v in zip(todo, vectors)])
        return len(todo)

    def embed_queries_bulk(self, texts: Sequence[str]) -> np.ndarray:
        """Query vectors of many knowledge-base texts (never a person's words), kept on disk as store_queries()
        keeps them and not in the memory cache, which holds what requests ask for."""
        self.store_queries(texts)
        stored = self._stored(self._query_model, [text_key(t) for t in texts])
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            out[i] = stored[text_key(t)]
        return out

    @property
    def bulk_queries(self) -> bool:
        """store_queries() runs on an engine of its own: the warm-up may send it larger batches."""
        return bool(getattr(self.inner, "bulk_queries", False))

    def embed_passages(self, texts: Sequence[str], batch: int = 2048) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        found = self._stored(self._model, keys)
        todo = list(dict.fromkeys(k for k in keys if k not in found))
        by_key = dict(zip(keys, texts))
        for i in range(0, len(todo), batch):
            part = todo[i : i + batch]
            vecs = self.inner.embed_passages([by_key[k] for k in part])
            self._store(self._model, list(zip(part, vecs)))
            found.update(zip(part, vecs))
        self.hits, self.misses = self.hits + len(keys) - len(todo), self.misses + len(todo)
        if not keys:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def close(self) -> None:
        with self._db_lock:
            self._db.close()
