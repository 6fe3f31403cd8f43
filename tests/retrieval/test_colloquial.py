"""Everyday Chinese job names carry their formal CSCO titles into the search."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.retrieval.colloquial import entries, expand, formal_titles


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("在东莞鞋厂做了六年针车工", ("缝纫工", "制鞋工")),
        ("在厂里做品检", ("质检员",)),
        ("开大货车跑长途，跑了十年", ("道路货运汽车驾驶员",)),
        ("我在工厂做了三年焊工", ()),  # the formal title is already there
        ("我会说英语", ()),
    ],
)
def test_formal_titles(text: str, titles: tuple[str, ...]) -> None:
    assert formal_titles(text) == titles


def test_expand_keeps_the_words_and_adds_the_titles() -> None:
    assert expand("在厂里做品检") == "在厂里做品检 质检员" and expand("湖州") == "湖州"


def test_every_title_is_a_csco_title(fake_guidance: Any) -> None:
    titles = {o.title for o in fake_guidance.catalog.get().occupations.values() if o.scheme == "csco2022"}
    missing = {t for _, formal in entries() for t in formal if t not in titles}
    assert not missing, missing
