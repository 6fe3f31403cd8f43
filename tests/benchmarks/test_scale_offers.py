"""The scale benchmark's parts: synthetic offers, their composed vectors, the build-time embedder, exact search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.index.documents import collect
from assistant.index.embedders import FakeEmbedder
from benchmarks.scale_offers import insert_offers
from benchmarks.scale_vectors import ComposingEmbedder, exact_top, recall
from benchmarks.synthetic_offers import BLOCK, BODY_SLOTS, TITLE_SLOTS, City, SyntheticOffers, Taxonomy, make_queries

TAXONOMY = Taxonomy(
    zh_titles=["焊工", "电工", "养老护理员"], zh_codes=["6-18-02-04", "6-31-01-03", "4-10-01-05"],
    zh_definitions=["使用焊接设备连接金属的人员。", "安装和维修电气设备的人员。", "照护老年人生活的人员。"],
    en_titles=["welder", "electrician", "care worker", "baker"],
    skills=[f"skill {i}" for i in range(40)],
    cities=[City("湖州市", "湖州", "Huzhou", "浙江省", "Zhejiang"), City("日照市", "日照", "Rizhao", "山东省", "Shandong"),
            City("大庆市", "大庆", "Daqing", "黑龙江省", "Heilongjiang")],
)


def _offers(n: int, seed: int = 1) -> SyntheticOffers:
    """Offers with parts embedded by the fake embedder and weights fitted to the fake vectors of 60 of them."""
    offers = SyntheticOffers(TAXONOMY, n, seed)
    fake = FakeEmbedder(dim=32)
    offers.prepare(fake.embed_passages)
    fit = np.arange(min(n, 60))
    texts = [offers.unit_texts(offers.record(int(i))) for i in fit]
    offers.fit_weights(fit, {"title": fake.embed_passages([t for t, _ in texts]),
                             "body": fake.embed_passages([b for _, b in texts])})
    return offers


def test_the_index_makes_the_same_unit_texts_as_the_benchmark(factory: sessionmaker[Session]) -> None:
    """The build-time embedder finds offers by their texts: documents.py must join them as unit_texts() does."""
    offers = _offers(80)
    insert_offers(factory, offers)
    with factory() as session:
        docs, units = collect(session)
    by_doc = {(docs[u.doc].code, u.field): u.text for u in units}
    for i in range(offers.n):
        title, body = offers.unit_texts(offers.record(i))
        assert (by_doc[(f"syn-{i:07d}", "title")], by_doc[(f"syn-{i:07d}", "body")]) == (title, body)
    assert {d.type for d in docs} == {"apprenticeship", "training"} and {d.language for d in docs} == {"zh", "en"}


def test_an_offer_is_the_same_whatever_the_number_of_offers() -> None:
    small, large = SyntheticOffers(TAXONOMY, 50, 7), SyntheticOffers(TAXONOMY, BLOCK + 50, 7)
    for a, b in ((small, large), (large, SyntheticOffers(TAXONOMY, BLOCK + 50, 7))):
        for column in ("lang", "kind", "occupation", "city", "level", "mode", "months", "tags"):
            assert np.array_equal(getattr(a, column)[:50], getattr(b, column)[:50]), column
    assert not np.array_equal(large.occupation[:50], large.occupation[BLOCK : BLOCK + 50])  # blocks differ
    assert not np.array_equal(small.occupation, SyntheticOffers(TAXONOMY, 50, 8).occupation)  # seeds differ


@pytest.mark.parametrize(("field", "slot"), [
    ("title", "occupation"), ("title", "kind"), ("title", "level"), ("body", "city"), ("body", "region"),
    ("body", "field"), ("body", "institution"), ("body", "mode"), ("body", "duration"), ("body", "content1"),
    ("body", "occupation"), ("body", "level"), ("body", "certificate"),
])
def test_each_slot_holds_a_part_of_the_offers_text(field: str, slot: str) -> None:
    offers = _offers(200)
    slots = offers.slots(np.arange(offers.n))
    column = (TITLE_SLOTS if field == "title" else BODY_SLOTS).index(slot)
    for i in range(offers.n):
        part = offers.parts.texts[slots[0 if field == "title" else 1][i, column]]
        text = offers.unit_texts(offers.record(i))[0 if field == "title" else 1]
        assert part in text, (i, slot, part, text)


def test_english_offers_fill_the_skill_slots_chinese_ones_the_definition() -> None:
    offers = _offers(300)
    body = offers.slots(np.arange(offers.n))[1]
    content = body[:, BODY_SLOTS.index("content1") : BODY_SLOTS.index("content3") + 1]
    zh = offers.lang == 0
    assert (content[zh, 1:] == -1).all() and (content[zh, 0] >= 0).all()
    assert (content[~zh, 0] >= 0).all() and (content[~zh] >= 0).sum() > 2.5 * (~zh).sum()  # a repeat leaves a gap


def test_composed_vectors_are_unit_length_and_per_offer() -> None:
    """The same offer gets the same vector in any batch, order or call; different offers differ."""
    offers = _offers(500)
    ids = np.arange(offers.n)
    whole = offers.compose(ids, "body")
    assert np.allclose(np.linalg.norm(whole, axis=1), 1, atol=1e-5)
    assert np.allclose(offers.compose(ids[::-1], "body", batch=7)[::-1], whole, atol=1e-6)
    assert np.allclose(offers.compose([3], "body"), whole[3:4], atol=1e-6)
    title = offers.compose(ids, "title")
    assert not np.allclose(title, whole)
    plain = offers.compose(ids, "title", noise=False)
    same_parts = [i for i in range(1, offers.n) if (offers.slots(np.array([0, i]))[0][0] ==
                                                     offers.slots(np.array([0, i]))[0][1]).all()]
    for i in same_parts:  # same title parts: the same plain vector, a different residual
        assert np.allclose(plain[i], plain[0], atol=1e-6) and not np.allclose(title[i], title[0])


def test_queries_mix_languages_and_carry_cities() -> None:
    queries = make_queries(TAXONOMY, 40, 3, ["带工资的学徒岗位"])
    assert len(queries) == 40 and len(set(queries)) >= 20  # three cities and a few titles here: some repeat
    assert {c for _, c in queries if c} <= {c.short for c in TAXONOMY.cities}
    assert any("\u4e00" <= q[0] <= "\u9fff" for q, _ in queries) and any(q.isascii() for q, _ in queries)


def test_the_build_embedder_composes_known_texts_and_asks_the_model_for_others(tmp_path: Path) -> None:
    offers = _offers(30)
    texts = [t for i in range(offers.n) for t in offers.unit_texts(offers.record(i))]
    keys = np.array([hash(t) for t in texts], np.int64)
    inner = FakeEmbedder(dim=32)
    embedder = ComposingEmbedder(offers, keys, np.arange(len(texts), dtype=np.int64), inner, tmp_path / "v.f32")
    batch = [texts[5], "焊工 (a taxonomy title)", texts[0], texts[5]]
    got = embedder.embed_passages(batch)
    again = embedder.embed_passages(texts[:2])
    embedder.close()
    assert np.allclose(got[0], offers.compose([2], "body")[0], atol=1e-6) and np.allclose(got[0], got[3])
    assert np.allclose(got[2], offers.compose([0], "title")[0], atol=1e-6)
    assert np.allclose(got[1], inner.embed_passages(["焊工 (a taxonomy title)"])[0])
    assert (embedder.composed, embedder.model, inner.calls) == (5, 1, 2)  # the test's own call is the second
    spilled = np.fromfile(tmp_path / "v.f32", np.float32).reshape(-1, 32)
    assert np.array_equal(spilled, np.vstack([got, again]))  # in the order the build asked: dense row order


X = np.eye(6, 4, dtype=np.float32)[[0, 1, 2, 3, 0, 1]]  # rows 4 and 5 repeat rows 0 and 1: tied scores
Q = np.array([[1.0, 0.5, 0.0, 0.0], [0.0, 0.0, 1.0, 0.2]], np.float32)


@pytest.mark.parametrize(("k", "allowed", "want"), [
    (2, None, [{0, 4}, {2}]),  # ties: either row may come first, both are in the top 2
    (3, np.array([0, 1, 1, 1, 0, 1], bool), [{1, 5}, {2}]),
])
def test_exact_top_scans_in_chunks_with_masks(monkeypatch: pytest.MonkeyPatch, k: int,
                                             allowed: np.ndarray | None, want: list[set[int]]) -> None:
    monkeypatch.setattr("benchmarks.scale_vectors.EXACT_CHUNK", 4)  # two chunks: the merge across them counts
    ids, scores = exact_top(X, Q, k, allowed)
    for row, expected in zip(ids, want):
        assert expected <= set(row.tolist())
    if allowed is not None:
        assert allowed[ids].all()
    assert np.allclose(scores, np.take_along_axis(Q @ X.T, ids, axis=1)) and (np.diff(scores, axis=1) <= 0).all()


@pytest.mark.parametrize(("got", "by_id", "with_ties"), [
    ([[0, 4], [2, 3]], 1.0, 1.0),
    ([[4, 0], [3, 2]], 1.0, 1.0),
    ([[0, 1], [2, 3]], 0.75, 0.75),  # row 1 scores below the 2nd best of query 0
    ([[4, -1], [2, -1]], 0.5, 0.5),  # padding finds nothing
])
def test_recall_counts_tied_rows_as_found(got: list[list[int]], by_id: float, with_ties: float) -> None:
    exact = np.array([[0, 4], [2, 3]])
    scores = np.take_along_axis(Q @ X.T, exact, axis=1)
    assert recall(X, Q, np.array(got), exact, scores) == pytest.approx((by_id, with_ties))
    # Row 4 ties row 0: returning it for row 0's place is a miss by id, a hit with ties counted.
    assert recall(X, Q, np.array([[0, 4], [2, 3]]), np.array([[0, 1], [2, 3]]), scores) == pytest.approx((0.75, 1.0))
