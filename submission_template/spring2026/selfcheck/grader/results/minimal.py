"""A results.json that needs nothing but the rubric (or not even that).

For the runs that cannot end with a graded result:

* written before grading starts, so that a run killed for time or memory, or one
  whose final write fails, still leaves an honest, valid account behind;
* when the grader itself failed (the reference did not answer, MNIST is missing,
  an internal error);
* when the rubric is invalid (a staff error): then there is no rubric to list
  tests from, and the file has no tests, only the explanation.

Built directly as a dict - no gradescope-utils, no checks, nothing that could be
what failed - and still schema-valid: every rubric test is listed with its
max_score and a score of 0.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

from .markdown import to_markdown
from .text import safe_tree

UNFINISHED = ("The grading run did not finish: the autograder stopped before it could write "
              "your results (most likely it was stopped for time or memory). No test was judged; "
              "this score is not a judgement of your code. Resubmit, or tell the course staff.")
GRADER_FAULT = ("The grader failed and could not grade this submission: {reason}\n"
                "This is not your fault and not a judgement of your code; tell the course staff.")
BAD_RUBRIC = ("The autograder is misconfigured (the course staff's rubric is invalid), so this "
              "submission was not graded: {reason}\nThis is not your fault; tell the course staff.")
NOT_WRITTEN = ("The grading run finished, but its results could not be written ({reason}). "
               "This is not a judgement of your code; resubmit, or tell the course staff.")


def minimal_results(rubric, message: str, *, execution_time: float = 0.0,
                    extra_data: Mapping[str, Any] | None = None) -> dict:
    """Every test of ``rubric`` (None: no tests) at 0 of its max score, each saying ``message``."""
    settings = rubric.settings if rubric is not None else {}
    fmt = settings.get("output_format", "text")
    shown = to_markdown(message) if fmt == "md" else message
    tests = [{"number": t.number, "name": t.name, "score": 0.0, "max_score": t.points,
              "status": "failed", "visibility": t.visibility, "output": shown, "output_format": fmt}
             for t in (rubric.tests if rubric is not None else [])]
    results = {
        "score": 0.0,
        "execution_time": seconds(execution_time),
        "output": shown,
        "output_format": fmt,
        "test_output_format": fmt,
        "visibility": settings.get("total_visibility", "visible"),
        "stdout_visibility": settings.get("stdout_visibility", "hidden"),
        "tests": tests,
        "leaderboard": [],
    }
    if extra_data:
        results["extra_data"] = dict(extra_data)
    return safe_tree(results)


def seconds(value) -> float:
    """A run's duration as results.json wants it: a finite number >= 0, to 2 decimals."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.0
    return round(value, 2) if math.isfinite(value) and value >= 0 else 0.0
