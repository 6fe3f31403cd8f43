"""Policy questions answered from the knowledge base: whole cited sentences that cover the question, or an honest no."""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.errors import QueryError
# The search's own jieba, so that questions are cut with the dictionary the index was built with.
from assistant.index.tokenize import CHINESE_STOP_WORDS, _jieba, words
from assistant.ingest.textsplit import join_text, split_sentences
from assistant.retrieval.catalog import Catalog
from assistant.retrieval.search import Hit, Query, SearchService

# The weighted share of the question's terms that the cited document, section and quote must hold together; below it
# the reply says "not in the knowledge base". Calibrated on the question tables of tests/dialogue/test_policy.py: the
# real questions' best passages hold all their terms (1.0), the unrelated questions' best hold 0.2 or less.
MIN_SUPPORT = 0.6
# A further answer is kept only when it scores this share of the best one's score or more.
RELATIVE_SCORE = 0.7
# Quote budgets: about 200 Chinese characters or 60 English words; a list quoted whole (steps, or the items under
# "three conditions:") may run longer, being one answer.
BUDGET = {"zh": 200, "en": 60}
LIST_BUDGET = {"zh": 480, "en": 170}
# Candidates read per question: the best-covering passage is not always among the search's first few.
SEARCH_K = 40

# Words that ask rather than say what is asked about (jieba cuts 能不能 and 有没有 as one word; English stop words such
# as how and what are dropped before this by the tokenizer).
_ASKING = frozenset(
    "我 我们 你 你们 请问 想 想问 问问 想知道 知道 能 不能 能不能 可以 可不可以 行 行不行 吗 呢 吧 啊 呀 么 嘛 "
    "什么 怎么 怎么样 怎样 如何 哪些 哪里 哪儿 哪个 多少 多长 多久 多大 几 有 没 没有 有没有 是 是不是 是否 还 还能 "
    "才能 还有 要 需要 不要 要不要 一下 个 些 就 都 也 会 现在 几个 几种 几类 几年 哪几 哪几个 多少钱 多少年 什么样 为什么 "
    "咋 咋办 怎么办 啥 一个月 每月 每个月 一年 每年 "
    "get much many please tell know want also anyone someone name".split())
# How people ask versus how the sheets say it: a question word also counts as held by these (lower case; English as
# the tokenizer's stems).
_ALIASES: dict[str, tuple[str, ...]] = {
    "年纪": ("年龄", "岁"), "岁数": ("年龄", "岁"), "岁": ("年龄",), "年龄": ("岁", "年纪"), "老": ("年龄", "年纪"),
    "考": ("申报", "认定", "评价"), "考试": ("考核", "申报", "认定"), "认定": ("评价",), "拿证": ("取证", "证书"),
    "领": ("申请", "享受"), "钱": ("工资", "补贴", "津贴"), "证": ("证书",), "失业金": ("失业保险金",),
    "月嫂": ("家政服务员",), "保姆": ("家政服务员",), "保育员": ("保育师",), "护工": ("护理员",),
    "公司": ("企业", "单位"), "老板": ("企业", "单位"), "工厂": ("企业", "单位"),
    "old": ("age",), "older": ("age", "old"), "age": ("old",), "paid": ("pay", "wage"), "pay": ("paid", "wage"),
    "money": ("wage", "pay", "subsidi", "allow"), "salari": ("wage", "pay"), "fire": ("dismiss", "terminat"),
    "sack": ("dismiss", "terminat"), "compani": ("employ", "enterpris"), "boss": ("employ",), "quit": ("resign",),
}
# The aliases' Chinese words of two characters or more, spotted in the question before it is cut into words: jieba
# would cut 月嫂 into 月 and 嫂.
_PHRASES = sorted((w for w in _ALIASES if len(w) > 1 and re.match(r"[\u4e00-\u9fff]", w)), key=len, reverse=True)


@dataclass(frozen=True)
class Focus:
    """What a question is above all about when it says so (我45岁了: age; 要学几年: how long), however many other
    words it has: a term of its own, counted as much as the question's rarest word."""

    asked: re.Pattern[str]
    word: dict[str, str]
    spellings: dict[str, tuple[str, ...]]


_FOCUS = (
    Focus(re.compile(r"\d+\s*(?:岁|周岁)|年纪|岁数|年龄|老了|\bage[ds]?\b|\bold(?:er)?\b", re.I),
          {"zh": "年龄", "en": "age"}, {"zh": ("年龄", "岁", "年纪", "退休"), "en": ("age", "old", "older", "retir")}),
    Focus(re.compile(r"几年|多久|多长时间|多长|期限|\bhow long\b|\bduration\b", re.I),
          {"zh": "期限", "en": "duration"},
          {"zh": ("期限", "多久", "时长", "有效期"), "en": ("last", "durat", "long", "valid")}),
)
# The question asks for an amount or a length (quotes then favour numbers), or for a procedure (quotes favour steps).
_AMOUNT_ASKED = re.compile(r"多少|几[年个岁级次块]|多长|多久|多高|标准是|金额|how (?:much|many|long)|amount|\brate\b",
                           re.I)
_HOW_ASKED = re.compile(r"怎么(?!样)|怎样|如何|步骤|流程|办理|手续|申请|\bhow (?:do|can|to|should|would|does)\b|"
                        r"\bsteps?\b|\bprocedure\b|\bapply\b", re.I)
_AMOUNT = re.compile(r"(?<![\d.])(\d[\d,.]*)\s*(元|%|％|个月|周岁|岁|年|级|次|months?|years?)|CNY\s*[\d,]+|\d+\s*%", re.I)
_YEAR = re.compile(r"^(?:19|20)\d\d$")  # 2021年 is a date, not an amount
_STEP = re.compile(r"^(\d{1,2})[.．、]\s*(?!\d)")
_LEAD_END = ("：", ":")
_SOURCES = ("来源", "Sources")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class Answer:
    """A quote made of whole sentences, list items or steps of one passage, with its citation."""

    hit: Hit
    quote: str
    support: float
    document: str = ""
    section: str = ""  # "heading › subheading", without the document title

    @property
    def short_document(self) -> str:
        """The document title without its subtitle (企业新型学徒制：谁能当学徒… → 企业新型学徒制), for the reply text;
        the card carries the full citation."""
        return re.split(r"：|: ", self.document, maxsplit=1)[0].strip() or self.document


@dataclass(frozen=True)
class Term:
    """One thing the question is about, the spellings that hold it, and how much it counts."""

    word: str
    spellings: tuple[str, ...]
    han: bool
    weight: float
    focus: bool = False  # held only where the answer itself says it, not by a document title naming the topic


@dataclass(frozen=True)
class Asked:
    """What the question is about, and what kind of answer it wants."""

    terms: tuple[Term, ...]
    wants_amount: bool = False
    wants_steps: bool = False

    def cover(self, text: str) -> float:
        """Weighted share of the terms the text holds (0..1)."""
        total = sum(t.weight for t in self.terms)
        if not total:
            return 0.0
        seen = _text(text)
        return sum(t.weight for t in self.terms if seen.holds(t)) / total

    def support(self, document: str, section: str, quote: str) -> float:
        """Weighted share of the terms held by the citation and the quote together; a focus term (年龄 for 我45岁了)
        must be in the section or the quote, since a sheet titled "…有没有年龄限制…" names it in every citation."""
        total = sum(t.weight for t in self.terms)
        if not total:
            return 0.0
        cited, said = _text(f"{document}\n{section}\n{quote}"), _text(f"{section}\n{quote}")
        return sum(t.weight for t in self.terms if (said if t.focus else cited).holds(t)) / total

    def held(self, text: str) -> frozenset[str]:
        seen = _text(text)
        return frozenset(t.word for t in self.terms if seen.holds(t))

    def focused(self, text: str) -> bool:
        """Whether the text says what the question is above all about (its age, for 我45岁了…)."""
        seen = _text(text)
        return any(t.focus and seen.holds(t) for t in self.terms)

    def fits(self, text: str) -> bool:
        """Whether the text is the kind of answer asked for: an amount for 多少, steps for 怎么."""
        return (self.wants_amount and has_amount(text)) or (self.wants_steps and any(
            _STEP.match(line) for line in text.split("\n")))


@dataclass(frozen=True)
class _Text:
    """A text as terms are looked up in it: NFKC, lower case, and the stems of its non-Han words."""

    flat: str
    stems: frozenset[str]

    def holds(self, term: Term) -> bool:
        if term.han:
            return any(s in self.flat for s in term.spellings)
        # Spelling variants stem apart (recognised → recognis, recognition → recognit): a shared 6-letter start is one.
        return any(s in self.stems or (len(s) >= 6 and any(x[:6] == s[:6] for x in self.stems if len(x) >= 6))
                   for s in term.spellings)


_TEXTS: dict[str, _Text] = {}
_TEXTS_LOCK = threading.Lock()


def _text(text: str) -> _Text:
    """Memoised: passages are read for every question."""
    found = _TEXTS.get(text)
    if found is None:
        flat = _flat(text)
        found = _Text(flat, frozenset(words(_HAN_RUN.sub(" ", flat))))
        with _TEXTS_LOCK:
            if len(_TEXTS) > 20000:  # the passages and quotes of a few catalog versions; bounded all the same
                _TEXTS.clear()
            _TEXTS[text] = found
    return found


def _flat(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass
class Vocabulary:
    """How many passages hold each term, so that rare terms count above common ones; one per catalog version."""

    texts: list[_Text]
    df: dict[tuple[object, ...], int] = field(default_factory=dict)

    def count(self, term: Term) -> int:
        key = (term.han, *term.spellings)
        if key not in self.df:
            self.df[key] = sum(1 for t in self.texts if t.holds(term))
        return self.df[key]


_VOCABULARY: dict[str, Vocabulary] = {}
_VOCABULARY_LOCK = threading.Lock()


def vocabulary(catalog: Catalog) -> Vocabulary:
    with _VOCABULARY_LOCK:
        found = _VOCABULARY.get(catalog.hash)
        if found is None:
            _VOCABULARY.clear()  # only the store's current content is asked about
            found = _VOCABULARY[catalog.hash] = Vocabulary([_text(t) for t in catalog.passages.values()])
        return found


def asked(question: str, known: Vocabulary | None = None) -> Asked:
    """The question's terms, weighted by how rare they are in the sheets (rare words say most about what is asked)."""
    flat = _flat(question)
    han_question = bool(_HAN.search(flat))
    terms: dict[str, Term] = {}
    for word in question_words(flat):
        # 45岁: the number is the asker's own, 岁 says what is asked; a lone letter is what's left of what's.
        if word in _ASKING or word.isdigit() or (len(word) == 1 and word.isascii()):
            continue
        terms.setdefault(word, _term(word, bool(_HAN.search(word))))
    out = list(terms.values())
    if known is not None and known.texts:
        n = len(known.texts)
        out = [Term(t.word, t.spellings, t.han, t.weight * math.log(1 + n / max(known.count(t), 1))) for t in out]
    lang = "zh" if han_question else "en"
    for focus in _FOCUS:
        if out and focus.asked.search(flat):
            weight = max(t.weight for t in out)
            out = [t for t in out if t.word != focus.word[lang]]  # "age" asked in words: counted once, as the focus
            out.append(Term(focus.word[lang], focus.spellings[lang], han_question, weight, True))
    return Asked(tuple(out), bool(_AMOUNT_ASKED.search(flat)), bool(_HOW_ASKED.search(flat)))


def question_words(flat: str) -> list[str]:
    """The question's words: known phrases whole (月嫂), then jieba's dictionary words for the Han runs and stems for
    the rest. Without jieba's guessing of new words (HMM), which glues question words to content (能领, 考个)."""
    found = []
    for phrase in _PHRASES:
        if phrase in flat:
            found.append(phrase)
            flat = flat.replace(phrase, " ")
    for run in re.split(f"({_HAN_RUN.pattern})", flat):
        if _HAN_RUN.fullmatch(run):
            found += [w for w in _jieba().lcut(run, HMM=False) if w not in CHINESE_STOP_WORDS]
        elif run.strip():
            found += words(run)
    return found


def _term(word: str, han: bool) -> Term:
    # A single Chinese character (考, 领) is held by far more text than a word is, so it counts half.
    return Term(word, (word, *_ALIASES.get(word, ())), han, 0.5 if han and len(word) == 1 else 1.0)


@dataclass(frozen=True)
class _Candidate:
    answer: Answer
    score: float
    order: int  # the search's rank of the first hit of this section
    ordinal: int  # the passage's place in its document


def answer(search: SearchService, catalog: Catalog, question: str, lang: str, k: int = 3) -> list[Answer]:
    """Passages that really cover the question, each quoted in whole sentences; an empty list means "I don't have
    that" — never a guess."""
    need = asked(question, vocabulary(catalog))
    if not need.terms:
        return []
    hits = _search(search, question, need, lang)
    first: dict[tuple[str, str], int] = {}
    candidates = []
    for order, hit in enumerate(hits):
        document, section = citation(hit)
        if not section or section.split(" › ")[-1] in _SOURCES:
            continue  # the page's preface and its list of sources cite, they do not answer
        text = catalog.passages.get(hit.id, hit.snippet)
        steps = _step_run(catalog, hit.id, text, hit.language) if need.wants_steps else None
        quote = compose(units(text, hit.language), need, _lang(hit.language), section=section, steps=steps)
        support = need.support(document, section, quote)
        if not quote or support < MIN_SUPPORT:
            continue
        # The heading says what a passage answers (绿色技能 › 通俗理解 over a passage that only mentions green skills),
        # and a quote of the kind asked for (an amount, steps) answers better than one without.
        score = support + 0.5 * need.cover(section) + (0.3 if need.fits(quote) else 0.0)
        order = first.setdefault((document, section), order)
        ordinal = int(hit.id.rpartition("#")[2]) if hit.id.rpartition("#")[2].isdigit() else 0
        candidates.append(_Candidate(Answer(hit, quote, round(support, 3), document, section), score, order, ordinal))
    # Within one section the earlier passage leads: sheets put the direct answer first.
    candidates.sort(key=lambda c: (-round(c.score, 3), c.order, c.ordinal))
    out: list[Answer] = []
    for c in candidates:
        if c.score >= RELATIVE_SCORE * candidates[0].score and all(c.answer.quote != a.quote for a in out):
            out.append(c.answer)
    return out[:k]


def _search(search: SearchService, question: str, need: Asked, lang: str) -> list[Hit]:
    """The question's hits, then those of its terms in the sheets' own words (学徒制 学 期限 多久 for 学徒制要学几年？):
    the passage that answers may use the sheet's word, not the asker's, and rank low for the question as asked."""
    hits: dict[str, Hit] = {}
    reworded = " ".join(dict.fromkeys(s for t in need.terms for s in t.spellings))
    for text in dict.fromkeys((question[:500], reworded[:500])):
        try:
            found = search.search(Query(text, type="policy", lang=lang, k=SEARCH_K))
        except QueryError:
            continue
        for hit in found:
            hits.setdefault(hit.id, hit)
    return list(hits.values())


def citation(hit: Hit) -> tuple[str, str]:
    """The document title and the section path (without the document's own title) a hit is cited by."""
    document = str(hit.extra.get("document") or hit.title.split(" — ")[0])
    path = [str(p) for p in hit.extra.get("section") or ()]
    if path[:1] == [document]:
        path = path[1:]
    return document, " › ".join(path)


def _lang(language: str) -> str:
    return "zh" if language == "zh" else "en"


def size(text: str, lang: str) -> int:
    """Characters of Chinese text, words of English text: what the budgets count."""
    return len(re.sub(r"\s+", "", text)) if lang == "zh" else len(text.split())


def has_amount(text: str) -> bool:
    """True when the text states a number with a unit (5000元, 90%, 12个月, CNY 4,000); dates are no amounts."""
    for m in _AMOUNT.finditer(text):
        if m.group(1) and m.group(2) == "年" and _YEAR.match(m.group(1)):
            continue
        return True
    return False


@dataclass(frozen=True)
class Unit:
    """What a quote is made of: a whole line (bullet item, numbered step, paragraph) or one sentence of a long line."""

    text: str
    line: int
    kind: str  # "step", "lead" (ends with a colon: it opens a list), "item" or "sentence"
    number: int | None = None  # a step's number
    group: int | None = None  # the list it belongs to: its lead's line, or the first line of a run of steps


def units(text: str, language: str) -> list[Unit]:
    """The passage's lines (one bullet item, numbered step or paragraph each; long ones cut into whole sentences),
    each tagged with the list it belongs to, so that a list is quoted whole or not as a list."""
    lang = _lang(language)
    out: list[Unit] = []
    group: int | None = None
    steps_from: int | None = None
    for n, line in enumerate(x.strip() for x in text.split("\n")):
        if not line:
            continue
        step = _STEP.match(line)
        if step:
            steps_from = n if steps_from is None else steps_from
            out.append(Unit(line, n, "step", int(step.group(1)), group if group is not None else steps_from))
            continue
        steps_from = None
        if line.endswith(_LEAD_END):
            group = n
            out.append(Unit(line, n, "lead", group=group))
        elif size(line, lang) > BUDGET[lang]:
            out.extend(Unit(s, n, "sentence", group=group) for s in split_sentences(line, lang))
        else:
            out.append(Unit(line, n, "item", group=group))
    return out


def compose(parts: Sequence[Unit], need: Asked, lang: str, section: str = "",
            steps: Sequence[Unit] | None = None) -> str:
    """A quote of whole units: the whole list of steps when a procedure is asked and the passage has one; otherwise
    the units that hold most of the question (numbers first when an amount is asked), up to the budget, in the
    passage's order, a chosen list item bringing its whole list when the list fits."""
    if need.wants_steps and steps and sum(u.kind == "step" for u in steps) >= 2:
        return _join(_fit(steps, lang, LIST_BUDGET[lang]))
    # When the section heading itself names what is asked, every line under it is on topic.
    on_topic = bool(section) and need.cover(section) >= MIN_SUPPORT
    scored = []
    for i, u in enumerate(parts):
        cover = need.cover(u.text)
        bonus = (0.5 if need.wants_amount and has_amount(u.text) else 0.0) + (0.2 if on_topic else 0.0)
        if cover > 0 or bonus > 0:
            scored.append((cover + bonus, cover, -i, u))
    if not scored:
        return ""
    scored.sort(key=lambda s: s[:3], reverse=True)
    top_cover = scored[0][1]
    chosen = [scored[0][3]]
    held = set(need.held(chosen[0].text))
    for score, cover, _i, u in scored[1:]:
        new = need.held(u.text) - held
        # Another unit goes in when it adds a term, or is nearly as relevant, or is the kind of answer asked for.
        if on_topic or new or cover >= 0.5 * top_cover or score > cover or need.focused(u.text):
            if _size(chosen, lang) + size(u.text, lang) <= BUDGET[lang]:
                chosen.append(u)
                held |= new
    return _join(_whole_lists(chosen, parts, lang))


def _whole_lists(chosen: list[Unit], parts: Sequence[Unit], lang: str) -> list[Unit]:
    """Chosen list items bring their whole list, its opening line too (同时满足下面三个条件…：), when it fits the list
    budget; when it does not, they stay on their own, without an opening line that would promise the rest."""
    out = {id(u): u for u in chosen}
    for group in sorted({u.group for u in chosen if u.group is not None}):
        members = [u for u in parts if u.group == group]
        if _size(list(out.values()) + [m for m in members if id(m) not in out], lang) <= LIST_BUDGET[lang]:
            out.update((id(m), m) for m in members)
        else:  # an opening line alone would promise items that are not there
            out = {i: u for i, u in out.items() if not (u.kind == "lead" and u.group == group)}
    return sorted(out.values(), key=lambda u: parts.index(u))


def _size(parts: Sequence[Unit], lang: str) -> int:
    return sum(size(u.text, lang) for u in parts)


def _fit(parts: Sequence[Unit], lang: str, budget: int) -> list[Unit]:
    """The first units that fit the budget, whole (at least one)."""
    out: list[Unit] = []
    for u in parts:
        if out and _size(out, lang) + size(u.text, lang) > budget:
            break
        out.append(u)
    return out


def _join(parts: Sequence[Unit]) -> str:
    """Units in passage order: sentences of one line run on, lines stay lines."""
    lines: list[str] = []
    last: int | None = None
    for u in parts:
        if lines and u.line == last:
            lines[-1] = join_text(lines[-1], u.text)
        else:
            lines.append(u.text)
        last = u.line
    return "\n".join(lines)


def _step_run(catalog: Catalog, hit_id: str, text: str, language: str) -> list[Unit] | None:
    """The passage's numbered steps with the line that opens them, joined with the steps of the passages before and
    after when the splitter cut the list there (1–4 in one passage, 5–7 in the next)."""
    prefix, _, ordinal = hit_id.rpartition("#")
    here = units(text, language)
    steps = [u for u in here if u.kind == "step"]
    if not steps or not ordinal.isdigit():
        return steps or None
    run = list(steps)
    n = int(ordinal)
    while (run[0].number or 1) > 1 and n > 0:
        n -= 1
        tail = _edge_steps(units(catalog.passages.get(f"{prefix}#{n}", ""), language), last=True)
        if not tail or tail[-1].number != (run[0].number or 1) - 1:
            break
        run = tail + run
    n = int(ordinal)
    while True:
        n += 1
        head = _edge_steps(units(catalog.passages.get(f"{prefix}#{n}", ""), language), last=False)
        if not head or head[0].number != (run[-1].number or 0) + 1:
            break
        run += head
    if run[0] is steps[0]:
        run = [u for u in here if u.kind == "lead" and u.line == steps[0].line - 1] + run
    # Units from several passages: their lines are renumbered so that each step stays its own line when joined.
    return [Unit(u.text, i, u.kind, u.number, 0) for i, u in enumerate(run)]


def _edge_steps(parts: list[Unit], last: bool) -> list[Unit]:
    """The run of steps a passage starts with (or, with last, ends with)."""
    out: list[Unit] = []
    for u in reversed(parts) if last else parts:
        if u.kind != "step":
            break
        out.append(u)
    return out[::-1] if last else out
