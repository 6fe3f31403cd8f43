"""BM25 (Lucene variant, bm25s) over tokenised units, with optional masks to filter which units may match."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index.tokenize import query_tokens, tokenize_many, tokenizer_signature

META_FILE = "lexical.json"
FORMAT = 1
# bm25s's own files (npy arrays and JSON, never pickles), prefixed so they can share a folder with others.
_BM25_FILES = {
    "data_name": "lexical.data.npy",
    "indices_name": "lexical.indices.npy",
    "indptr_name": "lexical.indptr.npy",
    "vocab_name": "lexical.vocab.json",
    "params_name": "lexical.params.json",
}


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.float32)


class LexicalIndex:
    """Units are numbered by their position in the texts given to build(); search returns those numbers."""

    def __init__(self, bm25: Any, units: int, tokenizer: str) -> None:
        # bm25 is None when no unit has a single token: nothing can ever match, and bm25s cannot index that.
        self._bm25 = bm25
        self._units = units
        self.tokenizer = tokenizer

    @classmethod
    def build(cls, texts: Sequence[str], *, k1: float = 1.2, b: float = 0.75) -> "LexicalIndex":
        corpus = tokenize_many(texts)
        if not any(corpus):
            return cls(None, len(corpus), tokenizer_signature())
        import bm25s  # imported here: nothing loads at import time

        bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")
        # No "" placeholder token: tokenize() never emits one, and an empty query is answered before bm25s.
        bm25.index(corpus, create_empty_token=False, show_progress=False)
        return cls(bm25, len(corpus), tokenizer_signature())

    def __len__(self) -> int:
        return self._units

    def _check_mask(self, allowed: np.ndarray | None) -> np.ndarray | None:
        if allowed is None:
            return None
        mask = np.asarray(allowed)
        if mask.dtype != np.bool_ or mask.shape != (self._units,):
            raise ValueError(
                f"allowed must be a boolean mask of {self._units} units, got shape {mask.shape} and dtype {mask.dtype}"
            )
        return mask

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(unit ids int64, scores float32) of at most k units scoring above zero, best first, ties by id.

        Query tokens missing from the vocabulary are ignored; a repeated query token counts each time, as in
        Lucene. With `allowed`, only units whose mask entry is True can be returned.
        """
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        mask = self._check_mask(allowed)
        if self._bm25 is None:
            return _empty()
        token_ids = self._bm25.get_tokens_ids(list(query_tokens(query)))
        if not token_ids:
            return _empty()
        scores = self._bm25.get_scores_from_ids(token_ids)  # dense: one float per unit, a fresh array
        if mask is not None:
            scores[~mask] = 0.0
        ids = np.flatnonzero(scores > 0)
        found = scores[ids]
        if len(ids) > k:
            # Keep everything above the k-th best score, then fill with the lowest ids among those tied at it,
            # so the cut never depends on argpartition's arbitrary order within ties.
            kth = np.partition(found, len(found) - k)[len(found) - k]
            above = found > kth
            tied = np.flatnonzero(found == kth)[: k - int(above.sum())]
            keep = np.concatenate([np.flatnonzero(above), tied])
            ids, found = ids[keep], found[keep]
        order = np.lexsort((ids, -found))
        return ids[order].astype(np.int64), found[order].astype(np.float32)

    def save(self, folder: Path) -> list[str]:
        """Write the index into folder (created if needed); returns the names of the files written."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        names: list[str] = []
        if self._bm25 is not None:
            self._bm25.save(folder, **_BM25_FILES, show_progress=False)
            names.extend(_BM25_FILES.values())
        meta = {"format": FORMAT, "units": self._units, "tokenizer": self.tokenizer, "bm25": self._bm25 is not None}
        # Written last: a folder whose save was interrupted has no meta file and fails to load.
        (folder / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        return [*names, META_FILE]

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        folder = Path(folder)
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{folder / META_FILE}: lexical index format {meta.get('format')}, expected {FORMAT}")
        current = tokenizer_signature()
        if meta["tokenizer"] != current:
            # Queries tokenised differently from the units would silently miss: rebuilding is the only fix.
            raise ValueError(
                f"{folder / META_FILE}: built with tokenizer {meta['tokenizer']}, this code uses {current};"
                " rebuild the index"
            )
        bm25 = None
        if meta["bm25"]:
            import bm25s

            bm25 = bm25s.BM25.load(folder, **_BM25_FILES, load_corpus=False, mmap=False)
        return cls(bm25, int(meta["units"]), current)
