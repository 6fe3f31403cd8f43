"""Policy answers: real questions answered from the right sheet in whole sentences with the fact asked for, unrelated
questions honestly not answered, and the sentence composition underneath."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from assistant.dialogue import policy
from assistant.dialogue.policy import Answer, Asked, Term, Unit, asked, compose, has_amount, units
from assistant.dialogue.render import policy_card, render
from assistant.ingest.textsplit import split_sentences
from assistant.retrieval.catalog import Catalog, CatalogHolder
from assistant.retrieval.runtime import make_retrieval
from assistant.retrieval.search import SearchService
from assistant.store.db import make_engine, make_sessionmaker
from tests.conftest import IndexedHome


@dataclass(frozen=True)
class KnowledgeBase:
    """The bundled sheets, searchable with the fake embedder, and the catalog holding their passage text."""

    search: SearchService
    catalog: Catalog

    def ask(self, question: str, lang: str) -> list[Answer]:
        return policy.answer(self.search, self.catalog, question, lang)


@pytest.fixture(scope="module")
def kb(indexed_home: IndexedHome) -> Iterator[KnowledgeBase]:
    engine = make_engine(indexed_home.settings.database_url)
    sessions = make_sessionmaker(engine)
    yield KnowledgeBase(make_retrieval(indexed_home.settings, sessions).service, CatalogHolder(sessions).get())
    engine.dispose()


@dataclass(frozen=True)
class Case:
    question: str
    lang: str
    sheet: str  # the sheet the first answer cites
    facts: tuple[str, ...]  # all in the first answer's quote
    elsewhere: tuple[str, ...] = ()  # each in some answer's quote


# The questions people ask mid-conversation, with the sheet that answers each and the concrete facts it must say.
ANSWERED = [
    Case("电工证怎么考？", "zh", "skill-level-recognition.zh.md", ("特种作业操作证", "18周岁")),
    Case("我45岁了，还能参加企业新型学徒制吗？", "zh", "apprenticeship-eligibility-and-pay.zh.md", ("年龄上限", "45岁")),
    Case("我没有证书，能不能直接考个技能等级证？", "zh", "skill-level-recognition.zh.md", ("满1年", "五级")),
    Case("参加培训有没有补贴？失业的人能领吗？", "zh", "unemployment-benefits-and-training-subsidies.zh.md",
         ("职业培训补贴", "城镇登记失业人员")),
    Case("什么是绿色技能？", "zh", "core-green-digital-skills.zh.md", ("绿色技能", "节能")),
    Case("学徒期间有补贴吗？", "zh", "apprenticeship-eligibility-and-pay.zh.md", ("最低工资标准", "企业"),
         ("5000元",)),
    Case("学徒培训补贴每人每年多少钱？", "zh", "apprenticeship-eligibility-and-pay.zh.md", ("4000元", "5000元")),
    Case("Can I get paid while I train as an apprentice?", "en", "apprenticeship-eligibility-and-pay.en.md",
         ("paid while they train", "minimum wage")),
    Case("How much is the apprenticeship training subsidy?", "en", "apprenticeship-eligibility-and-pay.en.md",
         ("CNY 5,000",)),
    Case("Do I need a certificate to work as a care worker?", "en", "care-work-certificates.en.md",
         ("without a certificate",)),
    Case("我年纪大了，还能参加学徒吗？", "zh", "apprenticeship-eligibility-and-pay.zh.md", ("年龄上限",)),
    Case("怎么才能认定技能等级？", "zh", "skill-level-recognition.zh.md", ("1. ", "2. ", "12333")),
    Case("How do I get my skills recognised without a certificate?", "en", "skill-level-recognition.en.md",
         ("without any certificate", "one year")),
    Case("How much is the unemployment benefit?", "en", "unemployment-benefits-and-training-subsidies.en.md",
         ("90%", "province")),
    Case("失业保险金能领多久？", "zh", "unemployment-benefits-and-training-subsidies.zh.md", ("24个月",)),
    Case("谁能领失业保险金？", "zh", "unemployment-benefits-and-training-subsidies.zh.md", ("满1年", "失业登记")),
    Case("养老护理员证书有几个等级？", "zh", "care-work-certificates.zh.md", ("五个等级", "一级/高级技师")),
    Case("企业新型学徒制的培养期限是多长？", "zh", "china-new-type-enterprise-apprenticeship.zh.md", ("1至2年",)),
    Case("什么是先前学习认定？", "zh", "recognition-of-prior-learning.zh.md", ("先前学习认可",)),
    Case("What is recognition of prior learning?", "en", "recognition-of-prior-learning.en.md", ("Paragraph 1",)),
]

UNRELATED = [("今天天气怎么样？", "zh"), ("What is the capital of France?", "en"), ("比特币挖矿有补贴吗？", "zh"),
             ("How do I apply for a Mars visa?", "en"), ("推荐一家好吃的火锅店", "zh"),
             ("Who won the football world cup?", "en")]

_END = "。！？；.!?)）”\""
_DANGLING = re.compile(r"(?:^|\s)\d{1,2}[.．、]$")  # "… 2." : a list cut after an item's number


def _document_lines(catalog: Catalog, hit_id: str) -> list[str]:
    """Every line of every passage of the hit's document (a list of steps may run over two passages)."""
    prefix = hit_id.rpartition("#")[0] + "#"
    return [line.strip() for key, text in catalog.passages.items() if key.startswith(prefix)
            for line in text.split("\n") if line.strip()]


def _whole(quote: str, lines: list[str], lang: str) -> bool:
    """Each line of the quote is a whole line of the document, or whole sentences of one."""
    for part in quote.split("\n"):
        if part in lines:
            continue
        source = next((line for line in lines if part in line), None)
        if source is None:
            return False
        sentences = split_sentences(source, lang)
        if not all(s in sentences for s in split_sentences(part, lang)):
            return False
    return True


@pytest.mark.parametrize("case", ANSWERED, ids=lambda c: c.question)
def test_real_questions_are_answered_from_the_right_sheet(kb: KnowledgeBase, case: Case) -> None:
    answers = kb.ask(case.question, case.lang)
    assert answers, f"{case.question}: no answer"
    first = answers[0]
    assert case.sheet in first.hit.code, [(a.hit.code, a.section) for a in answers]
    for fact in case.facts:
        assert fact in first.quote, (fact, first.quote)
    for fact in case.elsewhere:
        assert any(fact in a.quote for a in answers), (fact, [a.quote for a in answers])
    for a in answers:
        assert a.support >= policy.MIN_SUPPORT
        assert a.hit.language == case.lang
        assert a.document and a.section and a.section.split(" › ")[-1] not in ("来源", "Sources")
        # Whole sentences, items and steps only, ending at a boundary, never at a dangling "4."
        last = a.quote.split("\n")[-1]
        lines = _document_lines(kb.catalog, a.hit.id)
        assert last in lines or last.rstrip()[-1] in _END, a.quote
        assert not _DANGLING.search(a.quote), a.quote
        assert _whole(a.quote, lines, case.lang), a.quote
        assert policy.size(a.quote, case.lang) <= policy.LIST_BUDGET[case.lang], a.quote


@pytest.mark.parametrize(("question", "lang"), UNRELATED)
def test_unrelated_questions_get_no_answer(kb: KnowledgeBase, question: str, lang: str) -> None:
    assert kb.ask(question, lang) == []


def test_support_is_calibrated_between_the_two_tables(kb: KnowledgeBase) -> None:
    """The threshold sits in the gap: every real question's best passage clears it, no unrelated one comes near."""
    for case in ANSWERED:
        assert kb.ask(case.question, case.lang)[0].support >= policy.MIN_SUPPORT + 0.05, case.question
    vocabulary = policy.vocabulary(kb.catalog)
    for question, lang in UNRELATED:
        need = asked(question, vocabulary)
        hits = kb.search.search(policy.Query(question, type="policy", lang=lang, k=policy.SEARCH_K))
        best = max((need.cover(f"{h.title}\n{kb.catalog.passages.get(h.id, '')}") for h in hits), default=0.0)
        assert best <= policy.MIN_SUPPORT - 0.2, (question, best)


@pytest.mark.parametrize(("question", "lang"), [(c.question, c.lang) for c in ANSWERED])
def test_reply_is_short_and_cites_the_sheet(kb: KnowledgeBase, question: str, lang: str) -> None:
    answers = kb.ask(question, lang)
    text = render(lang, "policy_answer", answers=answers)
    assert answers[0].quote in text
    if lang == "zh":
        assert f"《{answers[0].short_document}》" in text
        assert len(text.replace(answers[0].quote, "")) <= 150, text  # the other quotes are in the cards
    else:
        assert answers[0].short_document in text
    for a in answers:
        card = policy_card(a)
        assert card["type"] == "policy" and card["why"] == a.quote
        assert card["source"]["document"] == a.document and card["source"]["citation"]
        assert card["source"]["section"][-1] == a.section.split(" › ")[-1]


# -- sentence composition ------------------------------------------------------------------------------------------

SUBSIDY = ("补贴给企业：对开展学徒培训的企业按规定给予职业培训补贴。\n"
           "补贴标准：2018年文件规定原则上每人每年不低于4000元；2021年指导意见提高到原则上每人每年5000元以上。\n"
           "具体标准由市（地）级以上人社部门会同财政部门确定，各地不同。")
STEPS = ("申请的一般流程如下：\n1. 确定职业和等级。\n2. 找评价机构报名。\n3. 参加考核。\n4. 领取证书。")
CONDITIONS = ("失业保险金由社会保险经办机构按月发放。\n"
              "同时满足下面三个条件的，可以领取失业保险金：\n缴费满1年。\n非本人意愿失业。\n已办失业登记，并有求职要求。")


def _need(*words: str, amount: bool = False, steps: bool = False) -> Asked:
    return Asked(tuple(Term(w, (w,), True, 1.0) for w in words), amount, steps)


def test_units_are_lines_and_know_steps_and_list_openings() -> None:
    parts = units(STEPS, "zh")
    assert [u.kind for u in parts] == ["lead", "step", "step", "step", "step"]
    assert [u.number for u in parts[1:]] == [1, 2, 3, 4]
    assert len({u.group for u in parts}) == 1  # the opening line and its steps are one list
    long_line = "第一句话说的是学徒的工资。" * 20
    assert {u.kind for u in units(long_line, "zh")} == {"sentence"}  # too long for a quote: cut at sentence ends


def test_an_amount_question_gets_the_sentence_with_the_amount() -> None:
    quote = compose(units(SUBSIDY, "zh"), _need("补贴", amount=True), "zh")
    assert "4000元" in quote and "5000元" in quote
    assert all(line in SUBSIDY.split("\n") for line in quote.split("\n"))  # whole lines, none cut


def test_a_how_question_gets_the_whole_list_of_steps_with_its_opening() -> None:
    parts = units(STEPS, "zh")
    assert compose(parts, _need("评价", steps=True), "zh", steps=parts) == STEPS


def test_a_chosen_item_brings_its_list_and_the_list_its_opening_line() -> None:
    quote = compose(units(CONDITIONS, "zh"), _need("缴费"), "zh")
    assert quote.startswith("同时满足下面三个条件的") and "非本人意愿失业" in quote and "已办失业登记" in quote
    assert "按月发放" not in quote  # not part of the list, and not asked about


def test_the_budget_keeps_whole_sentences_only() -> None:
    text = "\n".join(f"第{n}条：学徒的工资不得低于当地最低工资标准，这是第{n}个要点的完整句子。" for n in range(1, 12))
    quote = compose(units(text, "zh"), _need("工资"), "zh")
    assert policy.size(quote, "zh") <= policy.BUDGET["zh"]
    assert all(line in text.split("\n") for line in quote.split("\n"))


def test_english_quotes_are_whole_sentences_within_sixty_words() -> None:
    line = ("Apprentices are paid while they train. The wage may not be lower than the local minimum wage. "
            "The enterprise also pays social insurance. ") * 4
    quote = compose(units(line.strip(), "en"), Asked((Term("wage", ("wage",), False, 1.0),)), "en")
    assert quote and policy.size(quote, "en") <= policy.BUDGET["en"]
    assert all(s in split_sentences(line, "en") for s in split_sentences(quote, "en"))
    assert quote.endswith(".")


def test_steps_cut_by_the_splitter_are_joined_again() -> None:
    catalog = Catalog("h", {}, {}, {}, [], passages={
        "policy:s:a.zh.md#1": "怎么申请：\n1. 第一步。\n2. 第二步。",
        "policy:s:a.zh.md#2": "3. 第三步。\n4. 第四步。\n另一段话。",
    })
    run = policy._step_run(catalog, "policy:s:a.zh.md#2", catalog.passages["policy:s:a.zh.md#2"], "zh")
    assert run is not None
    assert [u.text for u in run] == ["1. 第一步。", "2. 第二步。", "3. 第三步。", "4. 第四步。"]


@pytest.mark.parametrize(("text", "expected"), [("每人每年5000元以上", True), ("最长领取12个月", True), ("90%", True),
                                                ("CNY 4,000 per year", True), ("2021年6月印发", False),
                                                ("人社部发〔2021〕39号", False)])
def test_amounts(text: str, expected: bool) -> None:
    assert has_amount(text) is expected


def test_the_question_is_read_for_what_it_asks() -> None:
    assert {t.word for t in asked("学徒期间有补贴吗？").terms} == {"学徒", "期间", "补贴"}
    need = asked("我45岁了，还能参加企业新型学徒制吗？")
    assert "45" not in {t.word for t in need.terms}  # the asker's number is no term
    assert any(t.focus for t in need.terms)  # the question is above all about age
    # A sheet whose title names age holds the other terms, but only a quote that speaks of age answers.
    title = "企业新型学徒制：谁能当学徒、有没有年龄限制"
    assert need.support(title, "怎么参加", "参加培训：在企业导师指导下学习。") < need.support(title, "怎么参加", "45岁的职工也属于培养对象。")
    assert asked("How much is the unemployment benefit?").wants_amount
    assert asked("怎么才能认定技能等级？").wants_steps and not asked("今天天气怎么样？").wants_steps
