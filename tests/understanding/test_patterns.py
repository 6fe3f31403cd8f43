"""Pattern extraction of profile facts: places, durations, schooling, money, time, mode, wishes, needs, age."""

from __future__ import annotations

import pytest

from assistant.understanding.numbers import chinese_number
from assistant.understanding.patterns import Facts, extract_facts

ACCEPTANCE_ZH = "我在工厂做了三年电焊，会看图纸，想在湖州找个能拿工资的学徒岗位"
ACCEPTANCE_EN = ("I did welding in a factory for three years, I can read drawings, and I want a paid apprenticeship "
                 "in Huzhou")


def _places(text: str) -> list[tuple[str, str, str]]:
    return [(p.name, p.province, p.level) for p in extract_facts(text).places]


@pytest.mark.parametrize("text", [ACCEPTANCE_ZH, ACCEPTANCE_EN])
def test_acceptance_sentence(text: str) -> None:
    facts = extract_facts(text)
    assert _places(text) == [("湖州市", "浙江省", "city")]
    assert facts.numbers_of_years_experience == 3.0
    assert [d.years for d in facts.durations] == [3.0]
    assert (facts.wants_paid, facts.wants_apprenticeship) == (True, True)
    assert facts.education is None and facts.budget is None and facts.age is None
    assert facts.needs == [] and facts.languages == [] and facts.mode is None


def test_place_span_points_at_the_name() -> None:
    (mention,) = extract_facts(ACCEPTANCE_ZH).places
    assert ACCEPTANCE_ZH[slice(*mention.span)] == "湖州"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我想去海南省工作", [("海南省", "海南省", "province")]),
        ("海南", [("海南省", "海南省", "province")]),  # not 海南藏族自治州 nor 乌海's 海南区
        ("我是河南人，在深圳打工", [("河南省", "河南省", "province"), ("深圳市", "广东省", "city")]),
        ("长沙", [("长沙市", "湖南省", "city")]),  # the city, not 长沙县
        ("浙江省湖州市吴兴区", [("浙江省", "浙江省", "province"), ("湖州市", "浙江省", "city"),
                         ("吴兴区", "浙江省", "district")]),
        ("东莞的电子厂", [("东莞市", "广东省", "city")]),
        ("在中山打工", [("中山市", "广东省", "city")]),  # a common-word name with a locative cue
        ("上海南京路", [("上海市", "上海市", "province")]),  # 南京路 is a street
        ("我想学习电工", []),
        ("我在工厂做了三年电焊", []),
        ("世界和平", []),
        ("穿中山装", []),
        ("大理石厂", []),
        ("我在城区上班", []),
        ("华东营销中心", []),  # not 东营
        ("I live in Taizhou", [("泰州市", "江苏省", "city")]),
        ("in Huzhou city", [("湖州市", "浙江省", "city")]),
        ("Zhejiang province", [("浙江省", "浙江省", "province")]),
        ("Jilin city", [("吉林市", "吉林省", "city")]),
        ("Jilin province", [("吉林省", "吉林省", "province")]),
        ("Chongqing or Xi'an", [("重庆市", "重庆市", "province"), ("西安市", "陕西省", "city")]),
        ("Ali wants a job in the factory", []),
        ("zhejiangese", []),  # whole words only
        ("在Huzhou工作, Huzhou's factories", [("湖州市", "浙江省", "city"), ("湖州市", "浙江省", "city")]),
    ],
)
def test_places(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert _places(text) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [("三", 3), ("十二", 12), ("两", 2), ("二十五", 25), ("半", 0.5), ("一百五十", 150), ("两千", 2000), ("3", 3),
     ("1.5", 1.5), ("2万", 20000), ("两千五", 2500), ("一百零五", 105), ("一万五", 15000), ("十几", 10), ("3,000", 3000),
     ("几", None), ("abc", None), ("", None), ("一二", None)],
)
def test_chinese_number(text: str, value: float | None) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("三年", [3.0]), ("半年", [0.5]), ("18个月", [1.5]), ("两年半", [2.5]), ("一年半", [1.5]), ("三年多", [3.0]),
        ("十几年", [10.0]), ("三个多月", [0.25]),
        ("三年级", []), ("2020年毕业", []), ("三月份", []), ("八十年代", []),
        ("3 years", [3.0]), ("six months", [0.5]), ("3+ years", [3.0]), ("2 yrs", [2.0]),
        ("a year and a half", [1.5]), ("half a year", [0.5]), ("a decade", [10.0]),
        ("I'm 45 years old", []), ("a few years", []),
    ],
)
def test_durations(text: str, years: list[float]) -> None:
    assert [d.years for d in extract_facts(text).durations] == years


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("在工地干了5年", 5.0), ("有5年工作经验", 5.0), ("做了三年多电工", 3.0), ("开了八年出租车", 8.0),
        ("我学了两年电工，在工地干了一年半", 1.5), ("我学了两年电工", None), ("在湖州住了十年", None),
        ("三年前做过电焊", None),
        ("I have worked as a cook for five years", 5.0), ("over 10 years of experience in construction", 10.0),
        ("5 years' experience as a driver", 5.0), ("I studied nursing for two years", None),
        ("I've been unemployed for 2 years", None), ("I want a paid apprenticeship for two years", None),
    ],
)
def test_years_of_experience(text: str, years: float | None) -> None:
    assert extract_facts(text).numbers_of_years_experience == years


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("我没上过学", "none"), ("小学毕业", "primary"), ("初中文化", "junior-secondary"), ("高中毕业", "senior-secondary"),
        ("中专毕业", "vocational-secondary"), ("读过技校", "vocational-secondary"), ("我是大专学历", "vocational-college"),
        ("高职", "vocational-college"), ("本科", "bachelor"), ("大学毕业", "bachelor"), ("研究生毕业", "master"),
        ("博士", "doctorate"), ("没读完高中", "junior-secondary"), ("高中没毕业", "junior-secondary"),
        ("高中毕业后读了技校", "vocational-secondary"), ("我是本科学历，想读研究生", "bachelor"),
        ("我没上过大学", None), ("我是小学老师", None), ("想读大专", None),
        ("I never went to school", "none"), ("primary school", "primary"),
        ("I finished middle school", "junior-secondary"),
        ("high school diploma", "senior-secondary"), ("vocational school", "vocational-secondary"),
        ("associate degree", "vocational-college"), ("I have a bachelor's degree", "bachelor"),
        ("BSc in physics", "bachelor"),
        ("an MBA", "master"), ("PhD in chemistry", "doctorate"), ("I dropped out of high school", "junior-secondary"),
        ("I went to high school but dropped out", "junior-secondary"),
        ("I want to get a bachelor's degree", None), ("I'm a high school teacher", None), ("ba ba ba", None),
    ],
)
def test_education(text: str, level: str | None) -> None:
    assert extract_facts(text).education == level


@pytest.mark.parametrize(
    ("text", "budget", "currency"),
    [
        ("预算3000元", 3000.0, "CNY"), ("最多花两千", 2000.0, None), ("最多能花两千块", 2000.0, "CNY"),
        ("学费最好在三千以内", 3000.0, None), ("3000元以内", 3000.0, "CNY"), ("预算两万", 20000.0, None),
        ("不想花钱", 0.0, None), ("有免费的吗", 0.0, None), ("工资最多3000", None, None), ("想要月薪5000", None, None),
        ("最多三年", None, None),
        ("budget of 500", 500.0, None), ("my budget is $500", 500.0, "USD"),
        ("I can spend up to 300 dollars", 300.0, "USD"),
        ("I can pay 2k yuan", 2000.0, "CNY"), ("I can't pay", 0.0, None), ("free only", 0.0, None),
        ("up to 10 hours", None, None), ("I have free time", None, None),
    ],
)
def test_budget(text: str, budget: float | None, currency: str | None) -> None:
    facts = extract_facts(text)
    assert (facts.budget, facts.currency) == (budget, currency)


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("每周能学10小时", 10.0), ("每天晚上两小时", 14.0), ("周末每天3小时", 6.0), ("每天能抽出一个半小时", 10.5),
        ("能学10小时", None), ("只能晚上学", None),
        ("10 hours a week", 10.0), ("an hour a day", 7.0), ("I can study 2 hours every evening", 14.0),
        ("evenings only", None),
    ],
)
def test_hours_per_week(text: str, hours: float | None) -> None:
    assert extract_facts(text).hours_per_week == hours


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("想上网课", "online"), ("面授", "onsite"), ("线上线下结合", "blended"), ("线上线下都可以", "blended"),
        ("不想上网课", None), ("不想上网课，想去线下", "onsite"), ("我在施工现场干了五年", None),
        ("online please", "online"), ("I prefer in-person classes", "onsite"), ("hybrid", "blended"),
        ("not online", None),
    ],
)
def test_mode(text: str, mode: str | None) -> None:
    assert extract_facts(text).mode == mode


@pytest.mark.parametrize(
    ("text", "paid", "apprenticeship"),
    [
        ("我想找个带薪的学徒", True, True), ("边干边学", True, None), ("不需要工资", False, None),
        ("没有工资也行，想拜师学艺", False, True), ("不想当学徒", None, False), ("我想学电工", None, None),
        ("earn while learning", True, None), ("unpaid is fine", False, None), ("I don't need to be paid", False, None),
        ("I don't want an apprenticeship", None, False), ("apprenticeship", None, True),
    ],
)
def test_paid_and_apprenticeship(text: str, paid: bool | None, apprenticeship: bool | None) -> None:
    facts = extract_facts(text)
    assert (facts.wants_paid, facts.wants_apprenticeship) == (paid, apprenticeship)


@pytest.mark.parametrize(
    ("text", "needs"),
    [
        ("我是残疾人，坐轮椅", ["disability"]), ("我没有残疾", []), ("要照顾老人", ["elder-care"]),
        ("孩子还小，要接送孩子，只能周末学", ["childcare", "part-time"]), ("行动不便", ["accessible-transport"]),
        ("I need to look after my kids", ["childcare"]), ("I care for my elderly parents", ["elder-care"]),
        ("part-time only, I use a wheelchair", ["disability", "part-time"]),
        ("I can't travel far", ["accessible-transport"]),
        ("I'm not disabled", []),
    ],
)
def test_needs(text: str, needs: list[str]) -> None:
    assert extract_facts(text).needs == needs


@pytest.mark.parametrize(
    ("text", "languages"),
    [
        ("会说英语和粤语", ["en", "yue"]), ("英语四级", ["en"]), ("我会说一点日语", ["ja"]), ("不会说日语", []),
        ("想学英语", []), ("英语不好", []),
        ("fluent in English", ["en"]), ("I speak English and Cantonese", ["en", "yue"]), ("CET-4", ["en"]),
        ("I don't speak English", []), ("I speak Mandarin and want to learn English", ["zh"]),
        ("native Cantonese speaker", ["yue"]),
    ],
)
def test_languages(text: str, languages: list[str]) -> None:
    assert extract_facts(text).languages == languages


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("我今年45岁", 45), ("三十多岁", 30), ("孩子3岁", None), ("18岁以上", None),
        ("I'm 45", 45), ("I am 45 years old", 45), ("aged 38", 38), ("45-year-old welder", 45),
        ("my son is 5 years old", None), ("I'm 5 minutes away", None),
    ],
)
def test_age(text: str, age: int | None) -> None:
    assert extract_facts(text).age == age


def test_empty_text_gives_empty_facts() -> None:
    assert extract_facts("") == Facts()


@pytest.mark.parametrize(
    ("text", "limits"),
    [
        ("不要倒班，电脑不太会", ["no-shifts", "no-computer"]),
        ("我不想上夜班", ["no-shifts"]),
        ("只能上白班", ["no-shifts"]),
        ("我在工地倒班干了三年", []),  # shift work done, not refused
        ("不太会用电脑", ["no-computer"]),
        ("电脑用得挺熟", []),
        ("我不敢打电话", ["no-phone"]),
        ("想找不需要打电话的工作", ["no-phone"]),
        ("我坐轮椅，想在家做点网上的工作", ["wheelchair", "home-based"]),
        ("居家办公最好", ["home-based"]),
        ("I can't work nights and I'm not good with computers", ["no-shifts", "no-computer"]),
        ("no night shifts please", ["no-shifts"]),
        ("I cannot use a phone", ["no-phone"]),
        ("I use a wheelchair and want to work from home", ["wheelchair", "home-based"]),
        ("I worked night shifts for years", []),
    ],
)
def test_limits(text: str, limits: list[str]) -> None:
    assert extract_facts(text).limits == limits


@pytest.mark.parametrize(
    ("text", "travel"),
    [
        ("不想离开双鸭山", False),
        ("想留在大庆，做新能源方面的工作", False),
        ("不想去外地", False),
        ("去哪都行", True),
        ("可以出差", True),
        ("I want to stay in Rizhao", False),
        ("I'm willing to relocate", True),
        ("我在湖州", None),
        ("I live in Huzhou", None),
    ],
)
def test_travel(text: str, travel: bool | None) -> None:
    assert extract_facts(text).travel is travel


@pytest.mark.parametrize(
    ("text", "needs"),
    [
        ("I cared for my elderly parents for six years and volunteered at a care home", []),  # experience, over
        ("I look after my elderly parents so I can only work mornings", ["elder-care"]),
        ("我要照顾老人，只能上白班", ["elder-care"]),
        ("现在回日照老家带孩子", ["childcare"]),
    ],
)
def test_care_that_is_over_is_not_a_need(text: str, needs: list[str]) -> None:
    assert extract_facts(text).needs == needs
