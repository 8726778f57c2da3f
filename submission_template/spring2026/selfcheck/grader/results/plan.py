"""What each rubric test will show, decided from its Outcome (or from its absence).

Plain data and the scoring rules, before any results format is involved:

* every rubric test gets exactly one ``TestPlan``, in rubric order, whether or not a
  check produced an Outcome for it (a missing one "did not run", with the reason);
* a score is ``points * fraction`` rounded to 4 decimals, and a fraction below 1 is
  never rounded up to full marks; a test passes iff its fraction is 1 (so a 0-point
  test passes iff its check found nothing);
* a message is capped at MAX_MESSAGE characters (start and end kept), a failure
  always says something, and with ``output_format = "md"`` it is rendered as Markdown;
* extra_data and leaderboard values are made JSON-safe (no NaN, no numpy types), and
  leaderboard entries that Gradescope would refuse are dropped and noted.

Outcomes for keys the rubric does not know, and a second Outcome for the same key
(the last one wins), are not errors: they are noted for staff (``notes``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .markdown import to_markdown
from .outcome import Outcome
from .text import bounded_text

DEFAULT_MISSING_REASON = ("no result was recorded for its check (the grading run stopped "
                          "before reaching it, or the check itself failed).")
DID_NOT_RUN = "This test did not run: "
MAX_MESSAGE = 20_000       # characters per message (each test's, and the top-level one)
LEADERBOARD_ORDERS = ("asc", "desc")


@dataclass(frozen=True)
class TestPlan:
    number: str
    name: str
    points: float
    visibility: str
    tags: tuple
    ran: bool                  # False: no Outcome, the message says why
    score: float
    passed: bool
    message: str               # already in the rubric's output format
    extra_data: dict | None


def plan_tests(rubric, outcomes, missing_reason=None) -> tuple[list[TestPlan], list[dict], dict]:
    """(one TestPlan per rubric test in rubric order, clean leaderboard entries, notes for staff)."""
    notes: dict[str, Any] = {}
    by_key = _outcomes_by_key(rubric, outcomes, notes)
    fmt = rubric.settings["output_format"]
    plans = [_plan(t, by_key.get(t.key), missing_reason, fmt) for t in rubric.tests]
    board = clean_leaderboard((entry for t in rubric.tests if t.key in by_key
                               for entry in by_key[t.key].leaderboard or []), notes)
    return plans, board, notes


def score_of(points: float, fraction: float) -> float:
    """Points earned, to 4 decimals; a fraction below 1 never shows as full marks."""
    score = round(points * fraction, 4)
    if fraction < 1 and points > 0 and score >= points:
        score = round(points - 1e-4, 4)
    return max(0.0, float(score))


def shown(x: float) -> str:
    """A number as people read it: 4 decimals at most, no trailing zeros."""
    return f"{round(float(x), 4):g}"


def rendered(text: str, fmt: str) -> str:
    """``text`` capped, and as Markdown when the rubric asks for it."""
    text = bounded_text(text, MAX_MESSAGE)
    return to_markdown(text) if fmt == "md" else text


def _outcomes_by_key(rubric, outcomes, notes) -> dict[str, Outcome]:
    items = _outcome_list(outcomes)
    by_key: dict[str, Outcome] = {}
    unknown, dupes = set(), set()
    for o in items:
        if o.key not in rubric:
            unknown.add(o.key)
            continue
        if o.key in by_key:
            dupes.add(o.key)
        by_key[o.key] = o                     # the last one wins
    if unknown:
        notes["ignored_outcomes_for_unknown_tests"] = sorted(unknown)
    if dupes:
        notes["duplicate_outcomes_last_kept"] = sorted(dupes)
    return by_key


def _outcome_list(outcomes: Mapping[str, Outcome] | Iterable[Outcome] | None) -> list[Outcome]:
    """The Outcomes as a list; a check that returned something else is a bug, said at once."""
    if outcomes is None:
        return []
    if isinstance(outcomes, Mapping):
        for key, o in outcomes.items():
            if isinstance(o, Outcome) and o.key != key:
                raise ValueError(f"outcome stored under {key!r} has key {o.key!r}")
        outcomes = outcomes.values()
    items = list(outcomes)
    for o in items:
        if not isinstance(o, Outcome):
            raise TypeError(f"expected Outcome objects, got {type(o).__name__}")
    return items


def _plan(test, outcome: Outcome | None, missing_reason, fmt: str) -> TestPlan:
    if outcome is None:
        return TestPlan(test.number, test.name, test.points, test.visibility, test.tags, ran=False,
                        score=0.0, passed=False, extra_data=None,
                        message=rendered(_did_not_run(test.key, missing_reason), fmt))
    score = score_of(test.points, outcome.fraction)
    passed = outcome.fraction >= 1.0
    message = outcome.output
    if not passed and not message.strip():
        message = (f"Earned {shown(score)} of {shown(test.points)} points." if test.points
                   else "This informational check did not pass.")
    extra = jsonable(outcome.extra_data) if outcome.extra_data is not None else None
    return TestPlan(test.number, test.name, test.points, test.visibility, test.tags, ran=True,
                    score=score, passed=passed, message=rendered(message, fmt), extra_data=extra)


def _did_not_run(key: str, missing_reason) -> str:
    if isinstance(missing_reason, Mapping):
        reason = missing_reason.get(key)
    else:
        reason = missing_reason
    reason = str(reason or DEFAULT_MISSING_REASON)
    return reason if reason.startswith(DID_NOT_RUN) else DID_NOT_RUN + reason


def clean_leaderboard(entries: Iterable, notes: dict) -> list[dict]:
    """Entries Gradescope accepts (a name, a number or string value, asc/desc), one per name."""
    clean, seen, dropped = [], set(), []
    for e in entries:
        if not isinstance(e, Mapping):
            dropped.append(repr(e)[:80])
            continue
        name, value = e.get("name"), jsonable(e.get("value"))
        order = str(e.get("order") or "desc").lower()
        if isinstance(value, bool):
            value = int(value)
        if (not isinstance(name, str) or not name.strip() or order not in LEADERBOARD_ORDERS
                or not isinstance(value, (int, float, str))):
            dropped.append(repr(dict(e))[:80])
            continue
        if name in seen:
            dropped.append(f"duplicate {name!r}")
            continue
        seen.add(name)
        clean.append({"name": name, "value": value, "order": order})
    if dropped:
        notes["dropped_leaderboard_entries"] = dropped
    return clean


def jsonable(x: Any, depth: int = 0) -> Any:
    """A JSON-safe copy: non-finite floats -> None, numpy scalars/arrays -> Python."""
    if depth > 40:
        return str(x)
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, Mapping):
        return {str(k): jsonable(v, depth + 1) for k, v in x.items()}
    if isinstance(x, (list, tuple, set, frozenset)):
        items = sorted(x, key=repr) if isinstance(x, (set, frozenset)) else x
        return [jsonable(v, depth + 1) for v in items]
    for conv in ("tolist", "item"):          # numpy arrays / scalars, without importing numpy
        f = getattr(x, conv, None)
        if callable(f):
            try:
                return jsonable(f(), depth + 1)
            except Exception:
                break
    return str(x)
