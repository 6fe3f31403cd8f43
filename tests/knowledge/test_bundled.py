"""The bundled knowledge: cited policy sheets in both languages, sample offers that point at real codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import KNOWLEDGE_DIR
from assistant.ingest.csco import parse_csco
from assistant.ingest.documents import parse_documents
from assistant.ingest.esco_lite import parse_esco_lite
from assistant.ingest.offers import parse_offers

POLICY = KNOWLEDGE_DIR / "policy"
SHEETS = sorted(POLICY.glob("*.md"))


def test_every_topic_in_chinese_and_english() -> None:
    topics = {p.name.rsplit(".", 2)[0] for p in SHEETS}
    assert len(topics) >= 6
    for topic in topics:
        assert (POLICY / f"{topic}.zh.md").is_file() and (POLICY / f"{topic}.en.md").is_file(), topic


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
