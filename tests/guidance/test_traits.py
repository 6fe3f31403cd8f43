"""Realistic picks: stated limits rule occupations out, a degree the person lacks makes a longer route."""

from __future__ import annotations

import pytest

from assistant.retrieval.catalog import OccupationInfo
from assistant.understanding.profile import Constraints, Profile
from assistant.guidance.traits import LONGER_ROUTE_KNOWN, LONGER_ROUTE_UNKNOWN, fit, traits

SRC = {"name": "x", "version": "1", "url": None}


def csco(code: str) -> OccupationInfo:
    return OccupationInfo("csco2022", code, None, code, "zh", "", (), (), None, (), (), SRC)


def esco(isco: str) -> OccupationInfo:
    return OccupationInfo("esco", None, f"http://data.europa.eu/esco/occupation/{isco}", isco, "en", "", (), (), isco,
                          (), (), SRC)


def titled(title: str) -> OccupationInfo:
    return OccupationInfo("esco", None, "u", title, "en", "", (), (), None, (), (), SRC)


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (csco("6-18-02-04"), {"shifts", "physical"}),  # 焊工: production work
        (csco("6-29-01-01"), {"physical"}),  # building sites: physical, no shift pattern
        (csco("4-04-05-03"), {"phone", "computer", "remote", "shifts"}),  # 呼叫中心服务员: the most specific row wins
        (csco("4-01-06-02"), {"computer", "remote"}),  # 互联网营销师
        (csco("2-05-01-01"), {"degree"}),  # a physician
        (csco("4-01-02-04"), set()),  # 收银员: nothing noted
        (esco("7212"), {"physical"}),  # welders (ISCO 7212)
        (csco("6-16-01-09"), {"shifts", "physical", "adult"}),  # mining: no under-18s (Labour Law art. 64)
        (csco("1-06-01-00"), {"degree", "lead"}),
        (esco("2512"), {"degree", "computer", "remote"}),  # software developers
        (esco("5244"), {"phone", "computer", "remote"}),  # contact centre salespersons
        (OccupationInfo("esco", None, "u", "t", "en", "", (), (), None, (), (), SRC), set()),  # no ISCO code known
        # No ISCO code, but the title says it runs others' work; a consultant on management does not.
        (titled("elderly home manager"), {"lead"}),
        (titled("construction site supervisor"), {"lead"}),
        (titled("management consultant"), set()),
        (titled("manager assistant"), set()),
    ],
)
def test_traits_come_from_the_most_specific_group(info: OccupationInfo, expected: set[str]) -> None:
    assert traits(info) == expected


def person(limits: list[str] = [], education: str | None = None, age: int | None = None,  # noqa: B006
           years: float | None = None, unpaid: bool = False) -> Profile:
    from assistant.understanding.profile import Experience

    return Profile(education=education, age=age, constraints=Constraints(limits=list(limits)),
                   experience=[Experience("某项工作", years=years, unpaid=unpaid)] if years else [])


@pytest.mark.parametrize(
    ("info", "profile", "asked", "worked", "expected"),
    [
        (csco("6-18-02-04"), person(["no-shifts"]), False, False, ((("no-shifts",), False, 0.0))),
        (csco("6-18-02-04"), person(["no-shifts"]), True, False, ((("no-shifts",), False, 1.0))),  # asked: kept, marked
        (csco("4-04-05-03"), person(["no-phone"]), False, False, ((("no-phone",), False, 0.0))),
        (csco("4-01-06-02"), person(["no-computer"]), False, False, ((("no-computer",), False, 0.0))),
        (csco("6-29-01-01"), person(["wheelchair"]), False, False, ((("wheelchair",), False, 0.0))),
        (csco("4-01-06-02"), person(["home-based"]), False, False, (((), False, 1.0))),
        (csco("4-01-02-04"), person(["home-based"]), False, False, ((("home-based",), False, 0.0))),  # a till at home?
        (csco("4-01-02-04"), person(["no-shifts", "no-phone"]), False, False, (((), False, 1.0))),
        (csco("2-05-01-01"), person(education="junior-secondary"), False, False, (((), True, LONGER_ROUTE_KNOWN))),
        (csco("2-05-01-01"), person(), False, False, (((), True, LONGER_ROUTE_UNKNOWN))),
        (csco("2-05-01-01"), person(education="bachelor"), False, False, (((), False, 1.0))),
        (csco("2-05-01-01"), person(education="senior-secondary"), True, False, (((), True, 1.0))),  # their goal
        (csco("2-05-01-01"), person(education="senior-secondary"), False, True, (((), False, 1.0))),  # their work
        (csco("2-05-01-01"), person(age=19), False, False, (((), True, LONGER_ROUTE_KNOWN))),  # young, schooling unsaid
        (csco("6-16-01-09"), person(age=16), False, False, ((("minor",), False, 0.0))),
        (csco("6-16-01-09"), person(age=16), True, False, ((("minor",), False, 0.0))),  # the law, even when asked
        (csco("6-16-01-09"), person(age=18), False, False, (((), False, 1.0))),
        (csco("1-06-01-00"), person(education="bachelor", years=1), False, False, (((), True, LONGER_ROUTE_UNKNOWN))),
        (csco("1-06-01-00"), person(education="bachelor", years=8), False, False, (((), False, 1.0))),
        # Years caring for family are experience, but not paid years in a field: managing is far off.
        (csco("1-06-01-00"), person(education="bachelor", years=8, unpaid=True), False, False,
         (((), True, LONGER_ROUTE_KNOWN))),
        (titled("elderly home manager"), person(years=4, unpaid=True), False, False, (((), True, LONGER_ROUTE_KNOWN))),
        (titled("elderly home manager"), person(years=4), False, False, (((), False, 1.0))),
        (titled("elderly home manager"), person(years=1), False, False, (((), True, LONGER_ROUTE_UNKNOWN))),
    ],
)
def test_fit(info: OccupationInfo, profile: Profile, asked: bool, worked: bool,
             expected: tuple[tuple[str, ...], bool, float]) -> None:
    got = fit(info, profile, asked=asked, worked=worked)
    assert (got.conflicts, got.longer_route, got.factor) == expected


@pytest.mark.parametrize(("years", "factor"), [(None, 1.0), (0, 1.0), (2, 1.1), (10, 1.5), (25, 1.5)])
def test_years_of_experience_strengthen_it(years: float | None, factor: float) -> None:
    from assistant.guidance.matching import seniority

    assert seniority(years) == pytest.approx(factor)
