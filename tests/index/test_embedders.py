"""Embedders: the fake for unit tests, the content-hash cache, and the two real offline models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.index.cache import CachedEmbedder
from assistant.index.embedders import E5SmallEmbedder, Embedder, FakeEmbedder, SentenceTransformerEmbedder, make_embedder


def test_fake_is_deterministic_normalised_and_lexically_similar() -> None:
    a, b = FakeEmbedder(), FakeEmbedder()
    texts = ["电焊工 焊接", "焊接工人", "美发师 发型"]
    va, vb = a.embed_passages(texts), b.embed_passages(texts)
    assert np.array_equal(va, vb) and va.dtype == np.float32
    assert np.allclose(np.linalg.norm(va, axis=1), 1.0, atol=1e-5)
    q = a.embed_queries(["焊接"])[0]
    assert q @ va[0] > q @ va[2] and q @ va[1] > q @ va[2]
    assert isinstance(a, Embedder)


def test_cache_embeds_only_what_changed(tmp_path: Path) -> None:
    fake = FakeEmbedder()
    cached = CachedEmbedder(fake, tmp_path / "cache.sqlite")
    first = cached.embed_passages(["a b", "c d", "a b"])
    assert fake.calls == 2 and (cached.hits, cached.misses) == (1, 2)
    again = CachedEmbedder(fake, tmp_path / "cache.sqlite")  # a new process, same file
    second = again.embed_passages(["c d", "e f", "a b"])
    assert fake.calls == 3 and (again.hits, again.misses) == (2, 1)
    assert np.array_equal(second[0], first[1]) and np.array_equal(second[2], first[0])
    other = CachedEmbedder(FakeEmbedder(dim=32), tmp_path / "cache.sqlite")
    assert other.embed_passages(["a b"]).shape == (1, 32)  # another model never reads these vectors
    assert other.misses == 1


@pytest.mark.parametrize(
    ("spec", "kind"),
    [("e5-small", E5SmallEmbedder), ("minilm", SentenceTransformerEmbedder), ("fake", FakeEmbedder)],
)
def test_make_embedder(spec: str, kind: type) -> None:
    assert isinstance(make_embedder(spec), kind)


def test_make_embedder_unknown() -> None:
    with pytest.raises(ValueError, match=r"^unknown embedder 'bert' \(expected e5-small, minilm, fake or a model folder\)$"):
        make_embedder("bert")


PASSAGES = ["焊工：操作焊接设备，对金属工件进行焊接的人员。", "美发师：为顾客设计、修剪、制作发型的人员。",
            "Welders join metal parts using welding equipment.", "Hairdressers cut and style hair."]


@pytest.mark.slow
@pytest.mark.parametrize(("query", "right"), [("电焊工", 0), ("welder", 0), ("理发", 1), ("hair stylist", 1)])
def test_e5_small_ranks_the_right_occupation_in_both_languages(query: str, right: int) -> None:
    # Within each language the right occupation wins, whatever the query's language. Across languages
    # e5-small prefers the query's own language (电焊工 scores 美发师 0.87 > Welders 0.80): fusion handles that.
    emb = E5SmallEmbedder()
    scores = emb.embed_passages(PASSAGES) @ emb.embed_queries([query])[0]
    zh, en = scores[:2], scores[2:]
    assert int(np.argmax(zh)) == right and int(np.argmax(en)) == right
    assert emb.dim == 384 and emb.embed_passages([]).shape == (0, 384)


@pytest.mark.slow
def test_packaged_minilm_offline() -> None:
    emb = SentenceTransformerEmbedder.packaged_minilm()
    vecs = emb.embed_passages(PASSAGES[2:])
    assert vecs.shape == (2, 384)
    q = emb.embed_queries(["welding job"])[0]
    assert q @ vecs[0] > q @ vecs[1]


@pytest.mark.slow
def test_e5_small_embeds_many_passages_with_the_batch_engine_and_the_same_vectors() -> None:
    texts = [f"{word} {i}" for i, word in enumerate(["焊工", "welder", "护理员", "carer"] * 10)]  # 40: the batch engine
    batch, c_only = E5SmallEmbedder(), E5SmallEmbedder(batch_engine=False)
    got, want = batch.embed_passages(texts), c_only.embed_passages(texts)
    assert batch._batch not in (None, False) and c_only._batch is False  # each took its own path
    assert got.shape == want.shape == (40, 384)
    assert float((got * want).sum(axis=1).min()) > 0.999


@pytest.mark.slow
def test_minilm_embeds_many_passages_in_bfloat16_with_the_same_vectors() -> None:
    texts = [f"{word} {i}" for i, word in enumerate(["operate a forklift", "weld metal parts", "care for the elderly",
                                                      "stitch shoe uppers"] * 10)]  # 40: the bfloat16 copy
    emb = SentenceTransformerEmbedder.packaged_minilm()
    assert emb.dim == 384 and emb._model is None  # the size is known without loading the model
    got = emb.embed_passages(texts)
    want = np.vstack([emb.embed_passages([t]) for t in texts])  # one at a time: float32
    assert emb._bulk is not None
    assert got.shape == want.shape == (40, 384)
    assert float((got * want).sum(axis=1).min()) > 0.999
