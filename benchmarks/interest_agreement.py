"""Benchmark: the team's Holland codes of ISCO groups (assistant/guidance/data/interest-groups.tsv) against O*NET 29.3.

O*NET occupations (Interests.txt: RIASEC scores, CC BY 4.0) are bridged to ISCO-08 through the ESCO v1.1.1 export
(occupations_en.csv: ISCO unit group, preferred and alternative labels): an O*NET title, or failing that its
alternate titles by majority, equal to an ESCO label once both are normalised (case, stems, word order, stop words).
Prints, per ISCO major group and overall: how many O*NET occupations were bridged, how often the team's first letter
equals O*NET's highest interest, the mean top-3 overlap (shared letters of the team code and O*NET's three highest,
out of 3) and the mean Iachan M agreement; then the ISCO sub-major groups where the first letters disagree most.
Nothing of O*NET or ESCO is written anywhere: the data stay in ../shared/data.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from assistant.guidance.interest_occupations import agreement, group_of
from assistant.index.tokenize import ENGLISH_STOP_WORDS, stem_english
from benchmarks.common import shared

LETTERS = {"Realistic": "R", "Investigative": "I", "Artistic": "A", "Social": "S", "Enterprising": "E",
           "Conventional": "C"}
MAJOR = {"1": "Managers", "2": "Professionals", "3": "Technicians and associate professionals",
         "4": "Clerical support workers", "5": "Service and sales workers", "6": "Skilled agricultural workers",
         "7": "Craft and related trades workers", "8": "Plant and machine operators", "9": "Elementary occupations"}
_NOISE = {"all", "other", "except", "n", "s"}


@dataclass(frozen=True)
class Bridged:
    """One O*NET occupation with its ISCO unit group and its three highest interests."""

    soc: str
    isco: str
    onet: str  # three letters, highest first
    by_title: bool  # bridged by the O*NET title itself (else by its alternate titles)


def key(label: str) -> frozenset[str]:
    """A label reduced to its stems, order-free: "Cooks, Restaurant" and "restaurant cook" meet."""
    words = re.findall(r"[a-z]+", label.casefold())
    return frozenset(stem_english(w) for w in words if w not in ENGLISH_STOP_WORDS and w not in _NOISE)


def esco_index(folder: Path) -> dict[frozenset[str], Counter[str]]:
    """Normalised ESCO label → ISCO unit groups of the occupations bearing it."""
    out: dict[frozenset[str], Counter[str]] = defaultdict(Counter)
    with open(folder / "occupations_en.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            isco = (row.get("iscoGroup") or "").strip()
            if not re.fullmatch(r"\d{4}", isco):
                continue
            for label in [row["preferredLabel"], *(row.get("altLabels") or "").splitlines()]:
                if label.strip() and key(label):
                    out[key(label)][isco] += 1
    return out


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def bridge(onet: Path, esco: dict[frozenset[str], Counter[str]]) -> list[Bridged]:
    scores: dict[str, dict[str, float]] = defaultdict(dict)
    titles: dict[str, str] = {}
    for row in read_tsv(onet / "Interests.txt"):
        if row["Scale ID"] == "OI" and row["Element Name"] in LETTERS:
            scores[row["O*NET-SOC Code"]][LETTERS[row["Element Name"]]] = float(row["Data Value"])
            titles[row["O*NET-SOC Code"]] = row["Title"]
    alternates: dict[str, list[str]] = defaultdict(list)
    for row in read_tsv(onet / "Alternate Titles.from_xlsx.txt"):
        alternates[row["O*NET-SOC Code"]].append(row["Alternate Title"])
    out = []
    for soc, by_type in sorted(scores.items()):
        code = "".join(sorted(by_type, key=lambda t: -by_type[t])[:3])
        direct = esco.get(key(titles[soc]))
        votes = direct or sum((esco.get(key(a), Counter()) for a in alternates[soc]), Counter())
        if votes:
            out.append(Bridged(soc, votes.most_common(1)[0][0], code, bool(direct)))
    return out


def report(items: list[Bridged], label: str) -> None:
    """One line per ISCO major group and overall: n, first-letter agreement, top-3 overlap, M index."""
    print(f"\n{label}")
    print(f"{'ISCO major group':44} {'n':>5} {'1st letter':>10} {'top-3':>7} {'M':>6}")
    groups: dict[str, list[tuple[bool, float, float]]] = defaultdict(list)
    for b in items:
        row = group_of("isco", b.isco)
        if row is None or not row.code:
            continue
        overlap = len(set(row.code) & set(b.onet)) / 3
        value = (row.code[0] == b.onet[0], overlap, agreement(b.onet, row.code))
        groups[b.isco[0]].append(value)
        groups["all"].append(value)
    for major in [*sorted(g for g in groups if g != "all"), "all"]:
        got = groups[major]
        name = f"{major} {MAJOR.get(major, '')}" if major != "all" else "all bridged occupations"
        print(f"{name:44} {len(got):5d} {sum(g[0] for g in got) / len(got):10.1%} "
              f"{sum(g[1] for g in got) / len(got):7.1%} {sum(g[2] for g in got) / len(got):6.2f}")


def disagreements(items: list[Bridged], top: int) -> None:
    """The ISCO groups (the table row that coded them) where O*NET's first letter differs most often from ours."""
    by_row: dict[str, list[str]] = defaultdict(list)
    codes: dict[str, str] = {}
    for b in items:
        row = group_of("isco", b.isco)
        if row is not None and row.code:
            by_row[row.prefix].append(b.onet)
            codes[row.prefix] = row.code
    worst = sorted(by_row, key=lambda p: -sum(o[0] != codes[p][0] for o in by_row[p]))
    print("\nTable rows with most first-letter disagreements (row, team code, n, O*NET first letters, modal code)")
    for prefix in worst[:top]:
        firsts = Counter(o[0] for o in by_row[prefix])
        modal = Counter(by_row[prefix]).most_common(1)[0][0]
        print(f"  isco {prefix:5} {codes[prefix]}  n={len(by_row[prefix]):3d}  "
              f"{' '.join(f'{k}:{v}' for k, v in firsts.most_common())}  modal {modal}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worst", type=int, default=15, help="table rows with most disagreements to list")
    args = parser.parse_args(argv)
    onet, esco_dir = shared("data", "onet-29.3", "txt"), shared("data", "esco-v1.1.1")
    items = bridge(onet, esco_index(esco_dir))
    total = len({row["O*NET-SOC Code"] for row in read_tsv(onet / "Interests.txt")})
    print("O*NET 29.3 Interests (CC BY 4.0) bridged to ISCO-08 through ESCO v1.1.1 labels (European Commission)")
    print(f"bridged {len(items)} of {total} O*NET occupations ({sum(b.by_title for b in items)} by their title, "
          f"{sum(not b.by_title for b in items)} by alternate titles)")
    report(items, "all bridged")
    report([b for b in items if b.by_title], "bridged by title only")
    disagreements(items, args.worst)


if __name__ == "__main__":
    main()
