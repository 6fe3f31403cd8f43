"""The bundled knowledge: cited policy sheets in both languages, sample offers that point at real codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.config import KNOWLEDGE_DIR
from assistant.ingest.csco import parse_csco
from assistant.ingest.documents import parse_documents
from assistant.ingest.esco_lite import parse_esco_lite
from assistant.ingest.offers import parse_offers

POLICY = KNOWLEDGE_DIR / "policy"
SHEETS = sorted(POLICY.glob("*.md"))


# The questions job seekers ask most each have a sheet: who may be an apprentice and what they are paid, certificates
# for care work, skill level recognition, and what unemployed people can claim.
TOPICS = {"ilo-2021-skills-lifelong-learning", "ilo-quality-apprenticeships",
          "china-new-type-enterprise-apprenticeship", "china-lifelong-vocational-skills-training",
          "core-green-digital-skills", "recognition-of-prior-learning",
          "apprenticeship-eligibility-and-pay", "care-work-certificates", "skill-level-recognition",
          "unemployment-benefits-and-training-subsidies"}
# Sheets on Chinese rules that vary by place: each sends the reader to the local bureau and the 12333 hotline.
LOCAL_RULES = {"apprenticeship-eligibility-and-pay", "care-work-certificates", "skill-level-recognition",
               "unemployment-benefits-and-training-subsidies", "china-lifelong-vocational-skills-training"}


def test_every_topic_in_chinese_and_english() -> None:
    topics = {p.name.rsplit(".", 2)[0] for p in SHEETS}
    assert topics >= TOPICS, TOPICS - topics
    for topic in topics:
        assert (POLICY / f"{topic}.zh.md").is_file() and (POLICY / f"{topic}.en.md").is_file(), topic


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_both_languages_have_the_same_sections(topic: str) -> None:
    """The English sheet says what the Chinese one says: the same number of sections, so an answer exists in both."""
    zh, en = (parse_documents(POLICY / f"{topic}.{lang}.md").documents[0] for lang in ("zh", "en"))
    sections = [{tuple(p.section_path) for p in doc.passages if p.section_path} for doc in (zh, en)]
    assert len(sections[0]) == len(sections[1]), topic


@pytest.mark.parametrize("topic", sorted(LOCAL_RULES))
def test_local_rules_point_to_the_local_bureau_and_12333(topic: str) -> None:
    for lang in ("zh", "en"):
        text = (POLICY / f"{topic}.{lang}.md").read_text(encoding="utf-8")
        assert "12333" in text, (topic, lang)
        assert ("当地" in text) if lang == "zh" else ("local" in text), (topic, lang)


def test_sheets_agree_on_the_apprenticeship_subsidy_floor() -> None:
    """Every sheet that states the national floor gives the same two figures: CNY 4,000 (2018) and 5,000 (2021)."""
    stated = set()
    for sheet in SHEETS:
        text = sheet.read_text(encoding="utf-8")
        stated |= set(re.findall(r"每人每年[^。；\n]{0,8}?(\d{4})元", text))
        stated |= {n.replace(",", "") for n in re.findall(r"CNY ([\d,]+)(?: or more)? per apprentice per year", text)}
    assert stated == {"4000", "5000"}, stated


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda p: p.name)
def test_sheet_is_cited_and_in_its_language(sheet: Path) -> None:
    doc = parse_documents(sheet).documents[0]
    assert doc.citation and doc.title
    assert doc.language == sheet.name.split(".")[-2]
    assert len(doc.passages) >= 5
    assert any(p.section_path and p.section_path[-1] in ("来源", "Sources") for p in doc.passages)


def test_sample_offers() -> None:
    bundle = parse_offers(KNOWLEDGE_DIR / "offers" / "sample-offers.jsonl")
    offers = bundle.offers
    assert all(o.sample and o.citation for o in offers)
    assert {o.kind for o in offers} == {"apprenticeship", "training"}
    assert {o.language for o in offers} == {"zh", "en"}
    assert len({o.city for o in offers}) >= 4
    codes = {o.code for o in parse_csco().occupations if o.kind == "occupation"}
    uris = {o.uri for o in parse_esco_lite().occupations}
    for o in offers:
        csco = [t for t in o.target_occupations if not t.startswith("http")]
        assert csco and set(csco) <= codes, o.external_id
        assert set(o.target_occupations) - set(csco) <= uris, o.external_id  # ESCO occupations by URI
        if o.kind == "apprenticeship":
            assert o.extra.get("agreement") and o.extra.get("mentor"), o.external_id
    # Every offer says how it is taught; apprenticeships are learnt at work, some courses online.
    assert all(o.mode in ("online", "in-person", "blended") for o in offers)
    assert {o.mode for o in offers if o.kind == "apprenticeship"} <= {"in-person", "blended"}
    assert any(o.mode == "online" for o in offers if o.kind == "training")
