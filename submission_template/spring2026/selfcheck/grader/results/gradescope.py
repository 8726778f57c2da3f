"""Rubric + Outcomes -> Gradescope's results.json, written once, by gradescope-utils.

Why gradescope-utils writes it: it is Gradescope's own library for this file (the
product brief names it), its decorators say everything a rubric test is - points
(``partial_credit``), ``number``, ``visibility``, ``tags``, the message shown on
failure (``hide_errors``), ``leaderboard`` - and its ``JSONTestRunner`` builds the
tests, the leaderboard and the total from them. Its runner takes a ``post_processor``
for what the library has no notion of, and that is all we add; nothing the library
wrote is rebuilt or overwritten from our side.

How: each rubric test (grader/results/plan.py: score, pass/fail, message, already
decided) becomes one unittest method whose docstring is the test's name. It calls
``set_score``; a passing test prints its message (the library's output for a test is
what it printed), a failing one raises and its message is its ``hide_errors`` text
(shown instead of the assertion). The methods run in rubric order, in one in-memory
run of ``JSONTestRunner``; none is ever skipped and the class has no ``setUpClass``,
so the library's known defects (a skipped test vanishes, a crashing ``setUpClass``
takes every test with it) cannot occur. Nothing it or unittest prints reaches the
real stdout/stderr.

The post_processor adds, and only adds:

* the grading run's ``execution_time`` as a number (the library writes its own, a string);
* ``output_format`` for each test and ``output_format`` / ``test_output_format``;
* each test's ``extra_data``, and the top-level ``extra_data`` (with ``grader_notes``);
* the top-level ``output``: the run's notes and a summary of the tests as written
  (grader/results/summary.py);
* the total rounded to 4 decimals (the library's float sum can end in ...0000004).

It first checks that the library listed every rubric test once, in rubric order,
with its max_score. If not, or if the library fails, ``build_results`` raises
ResultsError: a grader fault (grader/cli.py writes every test at 0 saying so, exit
status 3), never a results.json with fewer points to earn.

Public API: build_results.
"""
from __future__ import annotations

import contextlib
import io
import json
import sys
import unittest
from typing import Iterable, Mapping

from gradescope_utils.autograder_utils import decorators as gs
from gradescope_utils.autograder_utils.json_test_runner import JSONTestRunner

from .minimal import seconds
from .outcome import Outcome
from .plan import TestPlan, jsonable, plan_tests, rendered
from .schema import ResultsError
from .summary import summarise
from .text import safe_tree


def build_results(rubric, outcomes: Mapping[str, Outcome] | Iterable[Outcome] | None, *,
                  execution_time: float, output: str = "", extra_data: Mapping | None = None,
                  missing_reason: Mapping[str, str] | str | None = None) -> dict:
    """The results.json dict for ``rubric`` from check ``outcomes``.

    outcomes        dict key -> Outcome, or an iterable of Outcome (last one per key wins;
                    outcomes for unknown keys are ignored and noted in extra_data.grader_notes).
    execution_time  seconds for the whole grading run (written as a number).
    output          the run's own notes, placed before the generated summary at the top.
    extra_data      top-level extra_data (made JSON-safe).
    missing_reason  why tests without an outcome did not run: one string for all, or
                    a mapping key -> reason; otherwise a default reason.
    Raises ResultsError when gradescope-utils fails or loses a rubric test.
    """
    plans, leaderboard, notes = plan_tests(rubric, outcomes, missing_reason)
    fmt = rubric.settings["output_format"]
    not_run = {p.number for p in plans if not p.ran}
    top_extra = jsonable(dict(extra_data or {}))
    if notes:
        top_extra["grader_notes"] = jsonable(notes)

    def add_what_the_library_lacks(data: dict) -> None:
        _require_every_test(plans, data["tests"])
        for entry, plan in zip(data["tests"], plans):
            entry["output_format"] = fmt
            if plan.extra_data is not None:
                entry["extra_data"] = plan.extra_data
        data["score"] = round(data["score"], 4)
        data["execution_time"] = seconds(execution_time)
        data["output"] = rendered(summarise(output, data["tests"], not_run), fmt)
        data["output_format"] = data["test_output_format"] = fmt
        if top_extra:
            data["extra_data"] = top_extra

    written = _run_library(_suite(plans, leaderboard), rubric.settings, add_what_the_library_lacks)
    return safe_tree(json.loads(written))


def _require_every_test(plans: list[TestPlan], tests: list[dict]) -> None:
    expected = [(p.number, p.points) for p in plans]
    got = [(t.get("number"), t.get("max_score")) for t in tests]
    if got != expected:
        raise ResultsError(f"gradescope-utils did not list every rubric test with its max_score: "
                           f"expected {expected}, got {got}")


# --------------------------------------------------------------------------- the unittest side

def _test_method(plan: TestPlan):
    def method(self, set_score=None):
        set_score(plan.score)
        if not plan.passed:
            raise self.failureException(plan.message)   # shown as the hide_errors text below
        sys.stdout.write(plan.message)                  # captured by the runner: the test's output

    method.__doc__ = plan.name
    method = gs.partial_credit(plan.points)(method)      # the one wrapper; the rest only tag it
    method = gs.number(plan.number)(method)
    method = gs.visibility(plan.visibility)(method)
    if plan.tags:
        method = gs.tags(*plan.tags)(method)
    if not plan.passed:
        method = gs.hide_errors(plan.message)(method)
    return method


def _leaderboard_method(entry: dict):
    def method(self, set_leaderboard_value=None):
        set_leaderboard_value(entry["value"])

    method.__doc__ = f"Leaderboard: {entry['name']}"
    return gs.leaderboard(entry["name"], entry["order"])(method)


def _suite(plans: list[TestPlan], leaderboard: list[dict]) -> unittest.TestSuite:
    methods = {f"test_{i:03d}": _test_method(p) for i, p in enumerate(plans)}
    methods.update({f"leaderboard_{j:03d}": _leaderboard_method(e) for j, e in enumerate(leaderboard)})
    cls = type("RubricTests", (unittest.TestCase,), {**methods, "__module__": __name__})
    # An explicit suite keeps rubric order (a TestLoader would sort the names).
    return unittest.TestSuite([cls(name) for name in methods])


def _run_library(suite, settings, post_processor) -> str:
    """The JSON text JSONTestRunner writes for ``suite`` (ResultsError if it fails)."""
    stream = io.StringIO()
    runner = JSONTestRunner(stream=stream, descriptions=True, verbosity=0, failfast=False, buffer=True,
                            visibility=settings["total_visibility"],
                            stdout_visibility=settings["stdout_visibility"],
                            post_processor=post_processor, failure_prefix="")
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            runner.run(suite)
    except ResultsError:
        raise
    except Exception as error:
        raise ResultsError(f"gradescope-utils could not build the results: "
                           f"{type(error).__name__}: {error}") from error
    return stream.getvalue()
