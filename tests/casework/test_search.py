"""Finding sessions: words in messages or the profile, id prefixes, phase, assignee, dates; bad filters refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from assistant.casework.errors import CaseError
from assistant.casework.reading import parse_filter
from assistant.casework.service import Casework
from assistant.casework.views import SessionFilter
from tests.accounts.helpers import T0, Clock
from tests.casework.seed import PROFILE

WELDER, NURSE, SILENT, DRIVER = "aaaa1111", "bbbb2222", "cccc3333", "dddd4444"
NURSE_PROFILE = {"language": "en", "skills": [{"id": "text:patient care", "label": "patient care", "scheme": None,
                                               "uri": None, "code": None, "evidence": "patient care",
                                               "confidence": 0.0, "confirmed": True, "origin": "said"}]}
# The driver never said 叉车 (forklift) in a message: it is only in the profile.
DRIVER_PROFILE = {**PROFILE, "experience": [], "skills": [{**PROFILE["skills"][0], "id": "text:叉车", "label": "叉车",
                                                            "evidence": "开车"}]}


@pytest.fixture
def sessions(service: Casework, seed: Callable[..., str], clock: Clock) -> Casework:
    seed(WELDER)
    seed(NURSE, said=["I agree", "I worked as a Nurse for five years"], profile=NURSE_PROFILE, phase="experience",
         recommended=False, language="en", now=T0 + timedelta(hours=1))
    seed(SILENT, said=[], consent=None, now=T0 + timedelta(hours=2))  # never agreed: never listed
    seed(DRIVER, said=["同意", "我以前开车"], profile=DRIVER_PROFILE, phase="recommendations", recommended=False,
         now=T0 + timedelta(days=3))
    service.hand_over(DRIVER, "bo", actor="root")
    return service


@pytest.mark.parametrize(
    ("form", "found"),
    [
        ({}, [DRIVER, NURSE, WELDER]),  # newest activity first
        ({"q": "电焊"}, [WELDER]),  # in a message
        ({"q": "叉车"}, [DRIVER]),  # only in the profile
        ({"q": "NURSE"}, [NURSE]),  # case does not matter
        ({"q": "patient"}, [NURSE]),
        ({"q": "skills"}, []),  # a JSON key of the profile is not a word in it
        ({"q": "bbbb"}, [NURSE]),  # a session number's beginning
        ({"q": "电焊 湖州"}, [WELDER]),  # every word must match
        ({"q": "电焊 nurse"}, []),
        ({"q": "50%"}, []),  # LIKE wildcards are plain characters
        ({"phase": "experience"}, [NURSE]),
        ({"assigned": "bo"}, [DRIVER]),
        ({"assigned": "ada"}, []),
        ({"assigned": "-"}, [NURSE, WELDER]),
        ({"since": (T0 + timedelta(days=2)).date().isoformat()}, [DRIVER]),
        ({"until": T0.date().isoformat()}, [NURSE, WELDER]),  # the whole day
        ({"since": T0.date().isoformat(), "until": T0.date().isoformat(), "q": "图纸"}, [WELDER]),
    ],
)
def test_search_filters(sessions: Casework, form: dict[str, str], found: list[str]) -> None:
    result = sessions.search(parse_filter(**form))
    assert [r.id for r in result.rows] == found
    assert not result.more


def test_rows_show_what_the_list_needs(sessions: Casework) -> None:
    rows = {r.id: r for r in sessions.search(parse_filter()).rows}
    assert (rows[WELDER].summary, rows[WELDER].skills, rows[WELDER].assigned) == ("电焊", ["电焊", "看图纸"], None)
    assert rows[NURSE].summary == "I agree"  # no experience recorded: the first thing they said
    assert rows[DRIVER].assigned is not None and rows[DRIVER].assigned.label == "Bo (bo)"
    assert rows[WELDER].plan_status is None and rows[WELDER].phase == "pathway"


def test_more_than_the_limit_says_so(sessions: Casework) -> None:
    result = sessions.search(SessionFilter(limit=2))
    assert [r.id for r in result.rows] == [DRIVER, NURSE] and result.more


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"phase": "nope"}, "phase: 'nope' is not one of welcome, experience, confirm_skills, goals, "
                            "interests, recommendations, pathway, follow_up"),
        ({"since": "2026-13-01"}, "since: '2026-13-01' is not a date (YYYY-MM-DD)"),
        ({"until": "yesterday"}, "until: 'yesterday' is not a date (YYYY-MM-DD)"),
        ({"since": "2026-03-05", "until": "2026-03-01"}, "since 2026-03-05 is after until 2026-03-01"),
        ({"q": "a b c d e f g h i"}, "q: 9 words; search with at most 8"),
    ],
)
def test_bad_filters_are_refused(form: dict[str, str], message: str) -> None:
    with pytest.raises(CaseError) as caught:
        parse_filter(**form)
    assert str(caught.value) == message


def test_filter_is_normalised() -> None:
    f = parse_filter(q="  电焊   湖州 ", assigned=" BO ", since="2026-03-01")
    assert (f.terms, f.assigned, f.since, f.until) == (("电焊", "湖州"), "bo", date(2026, 3, 1), None)
