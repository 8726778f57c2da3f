"""Identical wrong answers on the grader's own inputs.

Each graded run leaves digests of its answers that differ from the reference's
(staff/answer_digests.py, OUT/<id>/answers.json). Here only the cases of tests the
submission failed count, and only digests few submissions share: a classic mistake made
by a tenth of the class says nothing about who worked with whom, the same rare wrong
numbers in several cases do.
"""
from __future__ import annotations

from itertools import combinations

MIN_SHARED = 3               # shared rare wrong cases for a pair to be flagged
RARE_AT_MOST = 3             # a wrong answer held by more than max(this, RARE_SHARE x class) is common
RARE_SHARE = 0.02


def wrong_items(results: dict | None, digests: dict | None, rubric) -> set[tuple[str, str, str]]:
    """{(test number, case, digest)} of wrong answers in tests this submission failed."""
    if not results or not digests:
        return set()
    failed = {t.get("number") for t in results.get("tests", []) if t.get("status") != "passed"}
    items = set()
    for key, cases in digests.items():
        if key in rubric and rubric.test(key).number in failed and isinstance(cases, dict):
            items |= {(rubric.test(key).number, str(case), str(d)) for case, d in cases.items()}
    return items


def shared_wrong_pairs(items: dict[str, set]) -> list[dict]:
    """[{a, b, shared, tests}] for pairs sharing at least MIN_SHARED rare wrong answers."""
    limit = max(RARE_AT_MOST, RARE_SHARE * len(items))
    holders: dict[tuple, list[str]] = {}
    for i, found in items.items():
        for item in found:
            holders.setdefault(item, []).append(i)
    pairs: dict[tuple[str, str], set] = {}
    for item, ids in holders.items():
        if 2 <= len(ids) <= limit:
            for a, b in combinations(sorted(ids), 2):
                pairs.setdefault((a, b), set()).add(item)
    out = [{"a": a, "b": b, "shared": len(found), "tests": sorted({n for n, _, _ in found}, key=_number_key)}
           for (a, b), found in pairs.items() if len(found) >= MIN_SHARED]
    return sorted(out, key=lambda p: (-p["shared"], p["a"], p["b"]))


def _number_key(number: str):
    return tuple(int(p) for p in number.split(".") if p.isdigit())
