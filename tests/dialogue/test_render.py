"""Replies rendered from recommendations: no reachable offer said plainly, online offers, pathway gaps, card fields."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.dialogue.render import offer_card, render, step_card

OCCUPATION = {"title": "焊工", "code": "6-18-02-04", "skills_matched": [], "skills_missing": []}
SOURCE = {"name": "demo-offers", "version": "1", "url": None}


def _offer(**fields: Any) -> dict[str, Any]:
    out = {"id": "training:demo-offers:a", "kind": "training", "scheme": "demo-offers", "code": "a",
           "title": "焊接参数培训", "provider": "示例学校", "city": "日照市", "region": "山东省", "mode": "in-person",
           "duration": "1个月", "sample": True, "citation": "demo", "source": dict(SOURCE), "quality": {}, "why": [],
           "leads_to": None, "covers": ["csco2022:6-18-02-04#task1"]}
    out.update(fields)
    return out


def _recommendations(lang: str, place: str | None, apprenticeships: list[dict[str, Any]],
                     training: list[dict[str, Any]], notes: list[str]) -> str:
    return render(lang, "recommendations", occupations=[OCCUPATION], apprenticeships=apprenticeships,
                  training=training, place=place, no_apprenticeship_nearby="no-apprenticeship-nearby" in notes,
                  no_offer_reachable="no-offer-reachable" in notes, basis="")


@pytest.mark.parametrize(
    ("lang", "place", "said"),
    [
        pytest.param("zh", "拉萨市", ["拉萨市暂时没有对口的学徒岗位或培训", "当地人社部门", "12333"], id="zh-city"),
        pytest.param("zh", None, ["暂时没有对口的学徒岗位或培训", "12333"], id="zh-no-place"),
        pytest.param("en", "Lhasa", ["no matching apprenticeship or course in or near Lhasa", "local employment service",
                                     "12333"], id="en-city"),
        pytest.param("en", None, ["no matching apprenticeship or course yet", "12333"], id="en-no-place"),
    ],
)
def test_nothing_reachable_is_said_plainly(lang: str, place: str | None, said: list[str]) -> None:
    notes = ["no-offer-reachable"] + (["no-apprenticeship-nearby"] if place else [])
    text = _recommendations(lang, place, [], [], notes)
    for phrase in said:
        assert phrase in text, text
    assert text.count("12333") == 1, text  # one message, not the apprenticeship one as well


@pytest.mark.parametrize(
    ("lang", "said", "limit"),
    [pytest.param("zh", ["1门培训", "湖州市或线上"], 150, id="zh"),
     pytest.param("en", ["1 course", "湖州市 or online"], 100, id="en")],
)
def test_offers_are_counted_in_the_text_and_detailed_in_the_cards(lang: str, said: list[str], limit: int) -> None:
    text = _recommendations(lang, "湖州市", [], [_offer(mode="online")], ["no-apprenticeship-nearby"])
    for phrase in said:
        assert phrase in text, text
    assert (len(text) if lang == "zh" else len(text.split())) <= limit
    assert offer_card(_offer(mode="online"), lang)["mode"] == "online"


@pytest.mark.parametrize(("lang", "said"), [("zh", ["共2步", "第一步：焊接参数培训（约1个月）"]),
                                            ("en", ["2 steps", "First: 焊接参数培训 (about 1个月)"])])
def test_the_pathway_text_frames_and_the_cards_name_the_gaps(lang: str, said: list[str]) -> None:
    steps = [{"step": 1, "kind": "training", "ref": "training:demo-offers:a", "title": "焊接参数培训", "duration": "1个月",
              "source": SOURCE, "covers": ["g1", "g2"], "covers_labels": ["设定焊接参数", "清理焊缝，检测外观质量"],
              "leads_to": None},
             {"step": 2, "kind": "occupation", "ref": "csco2022:6-18-02-04", "title": "焊工", "duration": None,
              "source": SOURCE, "covers": [], "covers_labels": [], "leads_to": None}]
    text = render(lang, "pathway", steps=steps)
    for phrase in said:
        assert phrase in text, text
    assert step_card(steps[0], lang)["covers_labels"] == ["设定焊接参数", "清理焊缝，检测外观质量"]


def test_cards_carry_place_mode_and_grounding() -> None:
    card = offer_card(_offer(mode="online", leads_to="6-18-02-04"), "zh")
    assert {k: card[k] for k in ("city", "mode", "leads_to", "covers")} == {
        "city": "日照市", "mode": "online", "leads_to": "6-18-02-04", "covers": ["csco2022:6-18-02-04#task1"]}
    step = {"step": 1, "kind": "training", "ref": "r", "title": "t", "duration": None, "source": SOURCE}
    assert {k: step_card(step, "zh")[k] for k in ("covers", "covers_labels", "leads_to")} == {
        "covers": [], "covers_labels": [], "leads_to": None}  # a step saved before steps named their gaps


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("zh", ["你的技能符合它的要求：焊接参数", "通常需要大学本科学历，是一条较长的路", "注意：与你说的“不倒班”不符"]),
        ("en", ["your skills meet its requirements: 焊接参数", "usually needs a university degree: a longer route",
                "note: it goes against what you said (no shifts)"]),
    ],
)
def test_an_occupation_card_says_why_and_how_far(lang: str, said: list[str]) -> None:
    from assistant.dialogue.render import occupation_card

    occupation = {**OCCUPATION, "scheme": "csco2022", "uri": None, "source": dict(SOURCE), "score": 1.0, "tags": [],
                  "reasons": [{"kind": "skills", "text": "焊接参数", "score": 1.0, "skills": ["设定焊接参数"]}],
                  "longer_route": True, "conflicts": ["no-shifts"],
                  "nearby": [{"title": "焊接设备装配调试工", "code": "6-20-03-02", "shared": ["设定焊接参数"],
                              "extra": ["装配焊接设备"]}]}
    card = occupation_card(occupation, lang)
    for text in said:
        assert text in card["why"], card["why"]
    assert card["longer_route"] is True and card["nearby"][0]["code"] == "6-20-03-02"
    reply = render(lang, "recommendations", occupations=[occupation], apprenticeships=[], training=[], place=None,
                   no_apprenticeship_nearby=False, no_offer_reachable=False, basis="")
    assert "焊工" in reply and ("卡片" if lang == "zh" else "cards") in reply  # the details are in the card
