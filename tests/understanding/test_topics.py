"""Wishes that name a field, and wishes that are limits in disguise."""

from __future__ import annotations

import pytest

from assistant.understanding.topics import goal_topic, is_negated_goal


@pytest.mark.parametrize(
    ("clause", "lang", "topic"),
    [
        ("想在大庆找个跟网络相关的工作", "zh", "网络"),
        ("想留在大庆，做新能源方面的工作", "zh", "新能源"),
        ("想往消防方向发展", "zh", "消防"),
        ("想在日照找环保方面的学徒岗位", "zh", "环保"),
        ("想转行做职业培训方面的工作", "zh", "职业培训"),
        ("想在湖州找个能拿工资的学徒岗位", "zh", None),
        ("I want a better paid job in logistics in Chongqing", "en", "logistics"),
        ("Now I would like paid work in elderly care in Rizhao", "en", "elderly care"),
        ("I want to move into solar energy, near Daqing", "en", "solar energy"),
        ("I want a paid apprenticeship in Huzhou", "en", None),
        ("I'd like livestock training in Daqing", "en", "livestock"),  # no "d" left of the contraction
        ("I’d like something in elderly care", "en", "elderly care"),  # a typographic apostrophe too
    ],
)
def test_goal_topic(clause: str, lang: str, topic: str | None) -> None:
    assert goal_topic(clause, lang) == topic


@pytest.mark.parametrize(
    ("clause", "negated"),
    [("想找不需要打电话的工作", True), ("不要倒班的工作", True), ("I want a job with no phone calls", True),
     ("想学做面包", False), ("I want to become an electrician", False), ("想在湖州当电工", False)],
)
def test_is_negated_goal(clause: str, negated: bool) -> None:
    assert is_negated_goal(clause) is negated
