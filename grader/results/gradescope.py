"""Rubric + outcomes -> Gradescope results.json, through gradescope-utils.

Runs entirely in the trusted process; no student code is involved here.

For every rubric test (in rubric order) a unittest method is generated and
decorated with gradescope-utils' ``weight``, ``number``, ``visibility``,
``tags`` and ``partial_credit``; its docstring is the test's name; it calls
``set_score`` and raises AssertionError(output) unless the outcome earned full
credit. Leaderboard entries become methods decorated with ``leaderboard``. The
suite is run by gradescope-utils' ``JSONTestRunner`` into an in-memory stream,
and a post-processor fixes the library's known defects:

* ``execution_time`` is written as a string -> replaced by the number given;
* a test that is skipped or whose result vanished (or a crashed runner) would
  shrink the total -> every rubric test is always present, rebuilt from the
  rubric when the library lost it; our generated class has no setUpClass, no
  test is ever skipped, and a runner crash falls back to the same rebuild;
* output = captured stdout + prefixed exception text -> replaced by the
  outcome's exact message;
* scores rounded to 4 decimals; status is "passed" iff the outcome earned full
  credit (a fraction < 1 is never rounded up to max_score; a 0-point test
  passes iff its fraction is 1);
* nothing the library or unittest prints reaches the real stdout/stderr.

Every string is made safe for strict JSON / UTF-8 (lone surrogates from student
exceptions, undecodable file names: shown escaped, grader/results/text.py), and
every message is capped at MAX_MESSAGE characters (start and end kept), so the
results can always be written. With the rubric setting ``output_format = "md"``
messages are rendered as structured Markdown (grader/results/markdown.py).

Public API: build_results, write_results, format_table, OUTPUT_FORMAT.
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import os
import unittest
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from gradescope_utils.autograder_utils import decorators as gs
from gradescope_utils.autograder_utils.json_test_runner import JSONTestRunner

from .markdown import to_markdown
from .outcome import Outcome
from .results_file import checked_json, write_atomically
from .schema import ResultsError, validate_results
from .text import bounded_text, safe_tree

OUTPUT_FORMAT = "text"     # default message format (rubric setting output_format overrides)
DEFAULT_MISSING_REASON = ("no result was recorded for its check (the grading run stopped "
                          "before reaching it, or the check itself failed).")
DID_NOT_RUN = "This test did not run: "
_LEADERBOARD_ORDERS = ("asc", "desc")
MAX_MESSAGE = 20_000       # characters per message (each test's, and the top-level one)


# --------------------------------------------------------------------------- helpers

def _jsonable(x: Any, depth: int = 0) -> Any:
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
        return {str(k): _jsonable(v, depth + 1) for k, v in x.items()}
    if isinstance(x, (list, tuple, set, frozenset)):
        items = sorted(x, key=repr) if isinstance(x, (set, frozenset)) else x
        return [_jsonable(v, depth + 1) for v in items]
    for conv in ("tolist", "item"):          # numpy arrays / scalars, without importing numpy
        f = getattr(x, conv, None)
        if callable(f):
            try:
                return _jsonable(f(), depth + 1)
            except Exception:
                break
    return str(x)


def _fmt(x: float) -> str:
    return f"{round(float(x), 4):g}"


def _score(points: float, fraction: float) -> float:
    s = round(points * fraction, 4)
    if fraction < 1 and points > 0 and s >= points:
        s = round(points - 1e-4, 4)   # never show full marks for a failed test
    return max(0.0, float(s))


@dataclass
class _Plan:
    key: str
    name: str
    number: str
    points: float
    visibility: str
    tags: tuple
    ran: bool
    fraction: float
    score: float
    passed: bool
    output: str
    extra_data: dict | None


def _normalise_outcomes(rubric, outcomes, strict: bool) -> tuple[dict[str, Outcome], dict]:
    notes: dict[str, Any] = {}
    if outcomes is None:
        outcomes = {}
    if isinstance(outcomes, Mapping):
        items = []
        for k, o in outcomes.items():
            if not isinstance(o, Outcome):
                raise TypeError(f"outcome for {k!r} is a {type(o).__name__}, not an Outcome")
            if o.key != k:
                raise ValueError(f"outcome stored under {k!r} has key {o.key!r}")
            items.append(o)
    else:
        items = list(outcomes)
        for o in items:
            if not isinstance(o, Outcome):
                raise TypeError(f"expected Outcome objects, got {type(o).__name__}")
    by_key: dict[str, Outcome] = {}
    dupes, unknown = [], []
    for o in items:
        if o.key not in rubric:
            unknown.append(o.key)
            continue
        if o.key in by_key:
            dupes.append(o.key)
        by_key[o.key] = o                     # the last one wins
    if strict and (dupes or unknown):
        raise ValueError(f"outcomes: unknown keys {unknown}, duplicate keys {dupes}")
    if unknown:
        notes["ignored_outcomes_for_unknown_tests"] = sorted(set(unknown))
    if dupes:
        notes["duplicate_outcomes_last_kept"] = sorted(set(dupes))
    return by_key, notes


def _plan(rubric, by_key: Mapping[str, Outcome], missing_reason) -> list[_Plan]:
    plans = []
    for t in rubric.tests:
        o = by_key.get(t.key)
        if o is None:
            if isinstance(missing_reason, Mapping):
                reason = missing_reason.get(t.key) or DEFAULT_MISSING_REASON
            else:
                reason = missing_reason or DEFAULT_MISSING_REASON
            reason = str(reason)
            msg = reason if reason.startswith(DID_NOT_RUN) else DID_NOT_RUN + reason
            plans.append(_Plan(t.key, t.name, t.number, t.points, t.visibility, t.tags,
                               ran=False, fraction=0.0, score=0.0, passed=False,
                               output=msg, extra_data=None))
            continue
        score = _score(t.points, o.fraction)
        passed = o.fraction >= 1.0
        out = bounded_text(o.output, MAX_MESSAGE)
        if not passed and not out.strip():
            out = (f"Earned {_fmt(score)} of {_fmt(t.points)} points." if t.points
                   else "This informational check did not pass.")
        extra = _jsonable(o.extra_data) if o.extra_data is not None else None
        plans.append(_Plan(t.key, t.name, t.number, t.points, t.visibility, t.tags,
                           ran=True, fraction=o.fraction, score=score, passed=passed,
                           output=out, extra_data=extra))
    return plans


def _clean_leaderboard(entries: Iterable, notes: dict) -> list[dict]:
    clean, seen, dropped = [], set(), []
    for e in entries:
        if not isinstance(e, Mapping):
            dropped.append(repr(e)[:80])
            continue
        name, value = e.get("name"), _jsonable(e.get("value"))
        order = str(e.get("order") or "desc").lower()
        if isinstance(value, bool):
            value = int(value)
        if (not isinstance(name, str) or not name.strip() or order not in _LEADERBOARD_ORDERS
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


# --------------------------------------------------------------------------- unittest side

def _make_test_method(p: _Plan):
    score, passed, message = p.score, p.passed, p.output

    def method(self, set_score=None):
        set_score(score)
        if not passed:
            raise self.failureException(message)

    method.__doc__ = p.name
    method = gs.partial_credit(p.points)(method)
    method = gs.weight(p.points)(method)
    method = gs.number(p.number)(method)
    method = gs.visibility(p.visibility)(method)
    if p.tags:
        method = gs.tags(*p.tags)(method)
    return method


def _make_leaderboard_method(entry: dict):
    value = entry["value"]

    def method(self, set_leaderboard_value=None):
        set_leaderboard_value(value)

    method.__doc__ = f"Leaderboard: {entry['name']}"
    return gs.leaderboard(entry["name"], entry["order"])(method)


def _run_library(plans: list[_Plan], leaderboard: list[dict], settings) -> tuple[dict, str | None]:
    """Run the generated suite through JSONTestRunner; return (library json, error)."""
    attrs: dict[str, Any] = {"maxDiff": None, "__module__": __name__}
    names = []
    for i, p in enumerate(plans):
        n = f"test_{i:03d}"
        attrs[n] = _make_test_method(p)
        names.append(n)
    for j, e in enumerate(leaderboard):
        n = f"leaderboard_{j:03d}"
        attrs[n] = _make_leaderboard_method(e)
        names.append(n)
    cls = type("RubricTests", (unittest.TestCase,), attrs)
    # Explicit suite in rubric order (a TestLoader would sort names alphabetically).
    suite = unittest.TestSuite([cls(n) for n in names])

    captured: dict[str, Any] = {}
    stream = io.StringIO()
    runner = JSONTestRunner(stream=stream, descriptions=True, verbosity=0, failfast=False,
                            buffer=True, visibility=settings.get("total_visibility"),
                            stdout_visibility=settings.get("stdout_visibility"),
                            post_processor=lambda d: captured.update(json.loads(json.dumps(d))),
                            failure_prefix="")
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            runner.run(suite)
        data = json.loads(stream.getvalue())
        return data, None
    except Exception as e:  # never lose the results because of the library
        return captured or {"tests": [], "leaderboard": []}, f"{type(e).__name__}: {e}"


# --------------------------------------------------------------------------- public API

def build_results(rubric, outcomes: Mapping[str, Outcome] | Iterable[Outcome] | None, *,
                  execution_time: float, output: str = "", extra_data: Mapping | None = None,
                  missing_reason: Mapping[str, str] | str | None = None,
                  strict: bool = False) -> dict:
    """Build the results.json dict for ``rubric`` from check ``outcomes``.

    outcomes        dict key -> Outcome, or an iterable of Outcome (last one per key wins).
    execution_time  seconds for the whole grading run (written as a number).
    output          text placed before the generated summary at the top of the page.
    extra_data      top-level extra_data (made JSON-safe).
    missing_reason  why tests without an outcome did not run: one string for all, or
                    a mapping key -> reason; otherwise a default reason.
    strict          raise ValueError on outcomes for unknown keys or duplicate keys
                    (default: ignore them and record them in extra_data.grader_notes).
    """
    settings = rubric.settings
    fmt = settings.get("output_format", OUTPUT_FORMAT)
    by_key, notes = _normalise_outcomes(rubric, outcomes, strict)
    plans = _plan(rubric, by_key, missing_reason)
    raw_board = [e for p in plans if p.ran for e in (by_key[p.key].leaderboard or [])]
    board = _clean_leaderboard(raw_board, notes)

    lib, error = _run_library(plans, board, settings)
    if error:
        notes["gradescope_utils_error"] = error

    lib_tests = {str(t.get("number")): t for t in lib.get("tests", []) if isinstance(t, dict)}
    tests, mismatched = [], []
    for p in plans:
        got = lib_tests.get(p.number)
        if got is None or got.get("score") != p.score or got.get("max_score") != p.points \
                or (got.get("status") == "passed") != p.passed:
            mismatched.append(p.number)
        t: dict[str, Any] = {
            "number": p.number,
            "name": p.name,
            "score": p.score,
            "max_score": p.points,
            "status": "passed" if p.passed else "failed",
            "visibility": p.visibility,
            "output": to_markdown(p.output) if fmt == "md" else p.output,
            "output_format": fmt,
        }
        if p.tags:
            t["tags"] = list(p.tags)
        if p.extra_data is not None:
            t["extra_data"] = p.extra_data
        tests.append(t)
    if mismatched:
        notes["rebuilt_tests"] = mismatched      # the library lost or altered these

    lib_board = lib.get("leaderboard")
    leaderboard = board if error or not isinstance(lib_board, list) else \
        _clean_leaderboard(lib_board, notes)

    results: dict[str, Any] = {
        "score": round(sum(t["score"] for t in tests), 4),
        "execution_time": _execution_time(execution_time),
        "output": _top_output(_summary(output, plans, settings), fmt),
        "output_format": fmt,
        "test_output_format": fmt,
        "visibility": settings.get("total_visibility", "visible"),
        "stdout_visibility": settings.get("stdout_visibility", "hidden"),
        "tests": tests,
        "leaderboard": leaderboard,
    }
    top_extra = _jsonable(dict(extra_data)) if extra_data else {}
    if notes:
        top_extra["grader_notes"] = _jsonable(notes)
    if top_extra:
        results["extra_data"] = top_extra
    return safe_tree(results)


def _top_output(text: str, fmt: str) -> str:
    text = bounded_text(text, MAX_MESSAGE)
    return to_markdown(text) if fmt == "md" else text


def _execution_time(x) -> float:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return 0.0
    return round(f, 2) if math.isfinite(f) and f >= 0 else 0.0


_LATER = {"after_due_date": "shown after the due date",
          "after_published": "shown when grades are published",
          "hidden": "hidden from students"}


def _summary(output: str, plans: list[_Plan], settings) -> str:
    """A summary that reveals nothing about tests the student cannot see yet."""
    now = [p for p in plans if p.visibility == "visible"]
    scored = [p for p in now if p.points > 0]
    lines = []
    if output and output.strip():
        lines += [output.rstrip(), ""]
    n_pass = sum(p.passed for p in scored)
    lines.append(f"Tests shown now: {n_pass} of {len(scored)} scored tests passed, "
                 f"{_fmt(sum(p.score for p in scored))} / {_fmt(sum(p.points for p in scored))} points.")
    failed = [p.number for p in scored if p.ran and not p.passed]
    if failed:
        lines.append(f"Lost points in: {', '.join(failed)}.")
    not_run = [p.number for p in now if not p.ran]
    if not_run:
        lines.append(f"Did not run: {', '.join(not_run)} (see each test's message).")
    info_bad = [p.number for p in now if p.points == 0 and p.ran and not p.passed]
    if info_bad:
        lines.append(f"Informational (0 points) with findings: {', '.join(info_bad)}.")
    for vis, phrase in _LATER.items():
        later = [p for p in plans if p.visibility == vis]
        if later:
            pts = sum(p.points for p in later)
            lines.append(f"{len(later)} more test{'s' if len(later) != 1 else ''} worth "
                         f"{_fmt(pts)} point{'s' if pts != 1 else ''} {'are' if len(later) != 1 else 'is'} "
                         f"{phrase}; your final score can differ from what is shown now.")
    return "\n".join(lines)


def write_results(results: dict, path: str | os.PathLike) -> Path:
    """Validate ``results`` against the schema and write it atomically to ``path``.

    Raises ResultsError (and writes nothing) if the results are invalid. Strings that
    UTF-8 cannot encode are written escaped. The file is written to a temporary file in
    the same directory and moved into place with os.replace, so readers see either the
    previous file / no file, or the complete one. (Gradescope mode goes through
    grader/results/results_file.ResultsFile, which also pre-writes and reserves disk.)
    """
    return write_atomically(path, checked_json(results))


def format_table(results: dict, *, message_lines: int = 2, width: int = 100) -> str:
    """A plain-text table for local runs: number, name, score/max, status, message."""
    tests = results.get("tests") or []
    name_w = 56
    head = f"{'No.':>5}  {'Test':<{name_w}}  {'Score':>11}  Status"
    out = [head, "-" * len(head)]
    for t in tests:
        name = str(t.get("name", ""))
        vis = t.get("visibility", "visible")
        if len(name) > name_w:
            name = name[: name_w - 3] + "..."
        mx = t.get("max_score")
        score = f"{_fmt(t.get('score', 0))} / {_fmt(mx)}" if mx is not None else "-"
        status = t.get("status", "")
        if mx == 0:
            status += " (info)"
        if vis != "visible":
            status += f" [{vis}]"
        out.append(f"{str(t.get('number', '')):>5}  {name:<{name_w}}  {score:>11}  {status}")
        msg = [ln for ln in str(t.get("output", "")).splitlines() if ln.strip()]
        for ln in msg[:message_lines]:
            ln = "       " + ln
            out.append(ln if len(ln) <= width else ln[: width - 3] + "...")
        if len(msg) > message_lines:
            out.append(f"       ... ({len(msg) - message_lines} more line(s))")
    total = results.get("score", sum(t.get("score", 0) for t in tests))
    max_total = sum(t.get("max_score", 0) for t in tests)
    out.append("-" * len(head))
    out.append(f"Total: {_fmt(total)} / {_fmt(max_total)}")
    sandbox = (results.get("extra_data") or {}).get("sandbox")
    if isinstance(sandbox, dict):
        out.append(f"Sandbox: {sandbox.get('summary')}")
        out += [f"  not in force: {m}" for m in sandbox.get("missing") or []]
    return "\n".join(out)


__all__ = ["OUTPUT_FORMAT", "DEFAULT_MISSING_REASON", "ResultsError", "build_results",
           "format_table", "validate_results", "write_results"]
