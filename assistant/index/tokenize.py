"""Tokenisation for lexical search over mixed Chinese and English text: jieba words, Snowball stems, codes."""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import re
import sys
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

# Bump when tokens change for the same text: a lexical index records it and refuses to load under another.
TOKENIZER_VERSION = "2"

# Han ideographs (basic block, extension A, compatibility, extensions B–F and 〇): the runs handed to jieba.
_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_CJK_RUN = re.compile(f"([{_CJK}]+)")
# Outside Han runs: a digit code joined by - . / stays one token (2-02-07-04, 7212.1, 3.5) so a code query
# matches that code exactly instead of every unit sharing a "02"; otherwise any run of letters and digits.
_WORD = re.compile(r"\d+(?:[-./]\d+)+|[^\W_]+")

# Chinese function words jieba emits on their own: particles, conjunctions, prepositions, and the two verbs
# every CSCO definition and task list repeats (从事…的人员, 进行…). Meaningful single characters such as
# 工, 师, 员 (worker, master, staff in job titles) stay, so the list is deliberately short.
CHINESE_STOP_WORDS = frozenset(
    "的 了 着 地 得 之 和 与 及 及其 以及 或 或者 并 并且 而 等 等等 在 于 对 为 以 将 把 被 由 从 向 是 其 该 各 "
    "从事 进行".split()
)

# Common English function words (dropped before stemming). Left out on purpose: "it" and "us", which are
# also IT and US in job titles and skills; BM25's idf already discounts them where they are pronouns.
ENGLISH_STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is its itself just me more most my myself no nor
    not now of off on once only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours yourself yourselves""".split()
)

# Agent nouns whose -er/-or is no agent suffix; stripping it would merge them with an unrelated word
# (career→care, minor→mine, offer→off, sector→sect).
_AGENT_EXCEPTIONS = frozenset(
    "career corner door factor floor letter major matter member minor number offer order paper power sector "
    "water".split()
)

_jieba_lock = threading.Lock()
_jieba_tokenizer: Any = None
_local = threading.local()  # one Stemmer per thread: a PyStemmer instance must not be used concurrently


def tokenizer_signature() -> str:
    """What produced the tokens: this module's version and the versions of jieba and PyStemmer."""
    jieba_version = importlib.metadata.version("jieba")
    stemmer_version = importlib.metadata.version("PyStemmer")
    return f"{TOKENIZER_VERSION}+jieba-{jieba_version}+pystemmer-{stemmer_version}"


def _jieba() -> Any:
    """A private, initialised jieba tokenizer: words other code adds to jieba's global one never reach us."""
    global _jieba_tokenizer
    if _jieba_tokenizer is None:
        with _jieba_lock:
            if _jieba_tokenizer is None:
                import jieba  # imported here: its dictionary takes ~1 s to build the first time

                jieba.setLogLevel(logging.WARNING)  # it announces every dictionary load on stderr otherwise
                # The dictionary cache goes to tempfile.gettempdir(); if that is not writable jieba only logs it.
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _jieba_tokenizer = tokenizer
    return _jieba_tokenizer


def _stemmer() -> Any:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def _is_agent(word: str) -> bool:
    return len(word) >= 5 and word.endswith(("er", "or")) and word not in _AGENT_EXCEPTIONS


@functools.lru_cache(maxsize=65536)
def stem_english(word: str) -> str:
    """Snowball English, plus agent nouns to their verb: welder→weld, teacher→teach, instructor→instruct.

    Snowball keeps "welder" but reduces "welding" to "weld"; occupations are named by agent nouns while skills
    and tasks use the verb, so the two must meet. Stemming the -ing form of the agent noun reuses Snowball's
    own undoubling and e-restoring rules (programmer→programming→program, driver→driving→drive).
    """
    stemmer = _stemmer()
    if word.endswith(("ers", "ors")) and _is_agent(word[:-1]):
        word = word[:-1]
    stem = stemmer.stemWord(word[:-2] + "ing" if _is_agent(word) else word)
    if _is_agent(stem):  # mentoring→mentor: the -ing was Snowball's to strip, the agent suffix is ours
        stem = stemmer.stemWord(stem[:-2] + "ing")
    return stem


def _latin_tokens(segment: str, out: list[str]) -> None:
    for word in _WORD.findall(segment):
        if word in ENGLISH_STOP_WORDS:
            continue
        # Snowball strips only letter suffixes: numbers, codes and words ending in a digit (python3) pass as they are.
        out.append(word if word[-1].isdigit() else stem_english(word))


def _segments(text: str) -> Iterator[tuple[bool, str]]:
    """The NFKC-normalised, case-folded text as (is a Han run, piece) pairs, in order."""
    text = unicodedata.normalize("NFKC", text).casefold()
    # re.split with a capturing group alternates: non-Han, Han, non-Han, …
    for i, segment in enumerate(_CJK_RUN.split(text)):
        if segment:
            yield bool(i % 2), segment


def tokenize(text: str) -> list[str]:
    """Tokens of one text, in order, repeats kept (BM25 counts them).

    Han runs go through jieba's search mode (焊接工程技术人员 → 焊接 工程 技术 人员 技术人员), minus the Chinese
    stop words; everything else is NFKC-normalised (full-width Ｐｙｔｈｏｎ → python), case-folded, split on
    non-alphanumerics, stripped of English stop words and stemmed. Digit codes stay whole.
    """
    out: list[str] = []
    for han, segment in _segments(text):
        if han:
            words = [w for w in _jieba().lcut_for_search(segment) if w not in CHINESE_STOP_WORDS]
            out.extend(words)
            # Character bigrams jieba did not emit: job-ad titles are full of words missing from its dictionary
            # (抖店, 汽修, 电销); bigrams still let them meet the taxonomy (+1 point acc@1 on the title benchmark).
            seen = set(words) | CHINESE_STOP_WORDS
            out.extend(
                bg for bg in (segment[j : j + 2] for j in range(len(segment) - 1))
                if bg not in seen and bg[0] not in CHINESE_STOP_WORDS and bg[1] not in CHINESE_STOP_WORDS
            )
        else:
            _latin_tokens(segment, out)
    return out


@functools.lru_cache(maxsize=16384)
def query_tokens(text: str) -> tuple[str, ...]:
    """tokenize() of a search query, remembered: guidance searches the same texts in several collections and
    again on later turns (tokenising was 0.6 of the 0.85 s BM25 took in 120 recommendations)."""
    return tuple(tokenize(text))


def tokenize_many(texts: Sequence[str]) -> list[list[str]]:
    """Tokens of many texts, each distinct token one shared string: 2M offer texts hold ~60M tokens, ~3.5 GB as
    separate strings while the BM25 index is built, a few hundred MB as references to a ~100k-word vocabulary."""
    return [[sys.intern(token) for token in tokenize(text)] for text in texts]


def words(text: str) -> list[str]:
    """The words of a short phrase, in order: jieba's precise cut for Han runs (焊接工程技术人员 stays one word, no
    sub-words or bigrams), stems for the rest, stop words dropped. For comparing phrases, not for the index."""
    out: list[str] = []
    for han, segment in _segments(text):
        if han:
            out.extend(w for w in _jieba().lcut(segment) if w not in CHINESE_STOP_WORDS)
        else:
            _latin_tokens(segment, out)
    return out
