"""The gazetteer: province-level entries, city records with their parents and pinyin, names worth matching."""

from __future__ import annotations

import pytest

from assistant.retrieval import gazetteer
from assistant.retrieval.gazetteer import Place, full_name, place_names, places, spellings

PROVINCE_LEVEL = {
    "北京市", "天津市", "上海市", "重庆市",
    "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省",
    "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省",
    "台湾省",
    "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
    "香港特别行政区", "澳门特别行政区",
}


def test_the_34_province_level_entries() -> None:
    provinces = [p for p in places() if p.level == "province"]
    assert len(provinces) == 34
    assert {p.name for p in provinces} == PROVINCE_LEVEL
    assert all(p.path == (p.name,) for p in provinces), [p for p in provinces if p.path != (p.name,)]


@pytest.mark.parametrize(
    ("name", "level", "short_name", "pinyin", "path"),
    [
        ("湖州市", "city", "湖州", "Huzhou", ("浙江省", "湖州市")),
        ("浙江省", "province", "浙江", "Zhejiang", ("浙江省",)),
        ("吴兴区", "district", "吴兴", "Wuxing", ("浙江省", "湖州市", "吴兴区")),
        ("大庆市", "city", "大庆", "Daqing", ("黑龙江省", "大庆市")),
        ("垦利区", "district", "垦利", "Kenli", ("山东省", "东营市", "垦利区")),  # '垦利区\xa0' in the file
    ],
)
def test_place_records(name: str, level: str, short_name: str, pinyin: str, path: tuple[str, ...]) -> None:
    (place,) = [p for p in places() if p.name == name and p.level == level]
    assert (place.short_name, place.pinyin, place.path) == (short_name, pinyin, path)


def test_cities_sit_under_a_province_and_nothing_has_stray_spaces() -> None:
    cities = [p for p in places() if p.level == "city"]
    assert len(cities) > 300
    assert all(len(p.path) == 2 and p.path[0] in PROVINCE_LEVEL for p in cities)
    padded = [p for p in places() if any(s != s.strip() for s in (p.name, p.short_name, p.pinyin, *p.path))]
    assert padded == []
    assert len({p.code for p in places()}) == len(places())


def test_place_names_holds_full_names_and_city_short_names() -> None:
    names = place_names()
    assert {"湖州市", "湖州", "浙江省", "浙江", "吴兴区"} <= names
    assert "吴兴" not in names and "资源" not in names  # district short names are ordinary words too often
    assert min(map(len, names)) >= 2


@pytest.mark.parametrize(
    ("min_chars", "expected"),
    [
        (2, {"沙县区", "城区"}),  # districts only by full name
        (1, {"沙县区", "城区", "市"}),
        (3, {"沙县区"}),
    ],
)
def test_place_names_drops_names_below_min_chars(
    monkeypatch: pytest.MonkeyPatch, min_chars: int, expected: set[str]
) -> None:
    fake = (
        Place("1", "沙县区", "沙县", "Shaxian", "district", ("福建省", "三明市", "沙县区")),
        Place("2", "城区", "城", "Chengqu", "district", ("山西省", "长治市", "城区")),
        Place("3", "市", "市", "", "city", ("某省", "市")),
    )
    monkeypatch.setattr(gazetteer, "places", lambda: fake)
    assert place_names.__wrapped__(min_chars) == frozenset(expected)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("湖州", ("湖州", "湖州市", "Huzhou")),
        ("Huzhou", ("Huzhou", "湖州", "湖州市")),
        ("湖州市", ("湖州市", "湖州", "Huzhou")),
        ("重庆", ("重庆", "重庆市", "Chongqing")),  # the file reads 重 as zhong
        ("Chongqing", ("Chongqing", "重庆", "重庆市")),
        ("Xiamen", ("Xiamen", "厦门", "厦门市")),
        ("Atlantis", ("Atlantis",)),
    ],
)
def test_spellings_link_chinese_and_pinyin(name: str, expected: tuple[str, ...]) -> None:
    assert spellings(name) == expected


@pytest.mark.parametrize(
    ("name", "province", "expected"),
    [
        ("Huzhou", None, "湖州市"),
        ("湖州", "浙江省", "湖州市"),
        ("Jilin", None, "吉林市"),  # the city before the province of the same name
        ("Taizhou", None, None),  # 台州市 and 泰州市
        ("Taizhou", "Zhejiang", "台州市"),
        ("Taizhou", "江苏", "泰州市"),
        ("Chongqing", "Chongqing", "重庆市"),
        ("Atlantis", None, None),
    ],
)
def test_full_name(name: str, province: str | None, expected: str | None) -> None:
    assert full_name(name, province) == expected
