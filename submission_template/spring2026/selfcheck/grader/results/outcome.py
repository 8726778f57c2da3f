"""The result of one rubric test, as produced by a check in the trusted process.

An ``Outcome`` is plain data: which rubric test it scores (``key``), the share
of that test's points earned (``fraction``), and what to tell the student.
``grader.results.build_results`` turns a rubric plus outcomes into
Gradescope's results.json.

``fraction`` is sanitised on construction: anything that is not a finite number
becomes 0, and it is clamped to [0, 1]. A check therefore cannot produce a
negative score, more than full marks, or a NaN in results.json.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


def _as_fraction(value) -> float:
    if isinstance(value, bool):  # True/False are ints; accept them as 1/0
        return 1.0 if value else 0.0
    try:
        f = float(value)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    if math.isnan(f):
        return 0.0
    return min(1.0, max(0.0, f))


@dataclass
class Outcome:
    key: str                 # rubric test key, e.g. "behaviour.linear"
    fraction: float          # share of the test's points earned, 0..1 (clamped; NaN -> 0)
    output: str = ""         # message for the student
    extra_data: dict | None = None
    leaderboard: list[dict] | None = None   # [{"name": "Accuracy", "value": 0.97, "order": "desc"}]

    def __post_init__(self) -> None:
        self.key = str(self.key)
        self.fraction = _as_fraction(self.fraction)
        self.output = "" if self.output is None else str(self.output)
        if self.extra_data is not None and not isinstance(self.extra_data, dict):
            self.extra_data = {"value": self.extra_data}
        if self.leaderboard is not None:
            if isinstance(self.leaderboard, dict):
                self.leaderboard = [self.leaderboard]
            else:
                self.leaderboard = list(self.leaderboard)
