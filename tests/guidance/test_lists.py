"""A list of occupations shows each title once and one ISCO-08 family, by the third place."""

from __future__ import annotations

import pytest

from assistant.guidance.matching import OccupationResult, distinct, one_family
from assistant.retrieval.catalog import OccupationInfo


def _r(title: str, score: float, scheme: str = "esco") -> OccupationResult:
    info = OccupationInfo(scheme, "8322" if scheme == "isco08" else None, f"uri:{title}:{score}", title, "en", "",
                          (), (), None, (), (), {})
    return OccupationResult(info, score)


def titles(results: list[OccupationResult]) -> list[str]:
    return [r.info.title for r in results]


def test_a_title_is_shown_once_the_strongest_kept() -> None:
    out = distinct([_r("rental service", 0.9), _r("cook", 0.8), _r("Rental Service", 0.7)])
    assert titles(out) == ["rental service", "cook"] and out[0].score == 0.9


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([("taxi driver", 1.0, "esco"), ("bus driver", 0.9, "esco"), ("trolley bus driver", 0.8, "esco"),
          ("Bus and tram drivers", 0.6, "isco08"), ("Car drivers", 0.5, "isco08")],
         ["taxi driver", "bus driver", "Bus and tram drivers", "trolley bus driver"]),  # moved up, one family only
        ([("cook", 1.0, "esco"), ("Cooks", 0.35, "isco08"), ("chef", 0.3, "esco")], ["cook", "Cooks", "chef"]),
        ([("cook", 1.0, "esco"), ("Cooks", 0.1, "isco08"), ("chef", 0.3, "esco")], ["cook", "chef"]),  # too weak
        ([("Cooks", 1.0, "isco08"), ("Chefs", 0.9, "isco08")], ["Cooks", "Chefs"]),  # groups only: left alone
    ],
)
def test_one_family(given: list[tuple[str, float, str]], expected: list[str]) -> None:
    assert titles(one_family([_r(t, s, scheme) for t, s, scheme in given], k=4)) == expected
