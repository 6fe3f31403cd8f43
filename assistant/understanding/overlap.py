"""Word overlap between a person's phrase and a taxonomy text: character bigrams for Chinese, stems for English."""

from __future__ import annotations

import functools
import re

from assistant.index.tokenize import CHINESE_STOP_WORDS, tokenize

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


@functools.lru_cache(maxsize=65536)
def features(text: str) -> frozenset[str]:
    """What two texts must share to be about the same thing.

    Chinese: character bigrams (看图纸 and 识读焊接图纸 share 图纸 even though jieba cuts them differently), plus
    single characters for one-character runs; stop characters are dropped. Other text: the search tokenizer's
    stems (welding and welder both give weld).
    """
    out: set[str] = set()
    for run in _HAN_RUN.findall(text):
        run = "".join(ch for ch in run if ch not in CHINESE_STOP_WORDS)
        if len(run) == 1:
            out.add(run)
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    out.update(t for t in tokenize(_HAN_RUN.sub(" ", text)) if t.strip())
    return frozenset(out)


def overlap(phrase: str, target: str) -> float:
    """Share of the phrase's features found in the target (0..1); asymmetric on purpose: tasks are long."""
    mine = features(phrase)
    if not mine:
        return 0.0
    return len(mine & features(target)) / len(mine)
