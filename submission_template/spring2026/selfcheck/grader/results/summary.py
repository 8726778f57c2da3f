"""The text at the top of the results page: a summary of the tests as written.

It is made from the test entries of results.json themselves (number, score,
max_score, status, visibility), so it says what the page shows. It reveals
nothing about tests the student cannot see yet: those are only counted, with
their points and when they will be shown, so that "all tests passed" on the
visible tests never reads as a final grade.
"""
from __future__ import annotations

from .plan import shown

_LATER = {"after_due_date": "shown after the due date",
          "after_published": "shown when grades are published",
          "hidden": "hidden from students"}


def summarise(intro: str, tests: list[dict], not_run: set[str]) -> str:
    """``intro`` (the grading run's own notes), then the summary of ``tests``."""
    lines = [intro.rstrip(), ""] if intro and intro.strip() else []
    now = [t for t in tests if t["visibility"] == "visible"]
    lines += _shown_now(now, not_run)
    for visibility, phrase in _LATER.items():
        later = [t for t in tests if t["visibility"] == visibility]
        if later:
            lines.append(_later(later, phrase))
    return "\n".join(lines)


def _passed(t: dict) -> bool:
    return t["status"] == "passed"


def _shown_now(now: list[dict], not_run: set[str]) -> list[str]:
    scored = [t for t in now if t["max_score"] > 0]
    lines = [f"Tests shown now: {sum(map(_passed, scored))} of {len(scored)} scored tests passed, "
             f"{shown(sum(t['score'] for t in scored))} / {shown(sum(t['max_score'] for t in scored))} points."]
    lost = [t["number"] for t in scored if t["number"] not in not_run and not _passed(t)]
    if lost:
        lines.append(f"Lost points in: {', '.join(lost)}.")
    missing = [t["number"] for t in now if t["number"] in not_run]
    if missing:
        lines.append(f"Did not run: {', '.join(missing)} (see each test's message).")
    findings = [t["number"] for t in now
                if t["max_score"] == 0 and t["number"] not in not_run and not _passed(t)]
    if findings:
        lines.append(f"Informational (0 points) with findings: {', '.join(findings)}.")
    return lines


def _later(later: list[dict], phrase: str) -> str:
    points = sum(t["max_score"] for t in later)
    many = len(later) != 1
    return (f"{len(later)} more test{'s' if many else ''} worth {shown(points)} "
            f"point{'s' if points != 1 else ''} {'are' if many else 'is'} {phrase}; "
            "your final score can differ from what is shown now.")
