"""Embedding cache keyed by (embedder, text hash), so a refresh re-embeds only what changed."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.index.embedders import Embedder


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class CachedEmbedder:
    """Wraps an embedder; passage vectors persist in a SQLite file under the data home."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.name, self.version = inner.name, inner.version
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, key BLOB, vec BLOB, PRIMARY KEY (model, key))")
        self._model = f"{inner.name}@{inner.version}/{inner.dim}"
        self.hits = self.misses = 0

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)  # queries are one-off: caching them buys nothing

    def embed_passages(self, texts: Sequence[str], batch: int = 256) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = list(set(keys[i : i + 500]))
            q = f"SELECT key, vec FROM vectors WHERE model = ? AND key IN ({','.join('?' * len(part))})"
            for key, vec in self._db.execute(q, [self._model, *part]):
                found[key] = np.frombuffer(vec, dtype=np.float32)
        todo = list(dict.fromkeys(k for k in keys if k not in found))
        by_key = dict(zip(keys, texts))
        for i in range(0, len(todo), batch):
            part = todo[i : i + batch]
            vecs = self.inner.embed_passages([by_key[k] for k in part])
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                    [(self._model, k, v.astype(np.float32).tobytes()) for k, v in zip(part, vecs)],
                )
            found.update(zip(part, vecs))
        self.hits, self.misses = self.hits + len(keys) - len(todo), self.misses + len(todo)
        if not keys:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def close(self) -> None:
        self._db.close()
