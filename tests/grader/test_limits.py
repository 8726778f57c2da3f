"""Submission limits (grader/limits.py): under, at and over the limit, with and without
earlier results, counted by submission time as Gradescope's metadata gives it.

The metadata is what Gradescope writes to /autograder/submission_metadata.json; earlier
results are real results.json objects from the grader's own writer. Tests use their own
rubric (a limit of 3 from 2026-02-19), never the production one's numbers.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader import limits
from grader.results.gradescope import build_results
from grader.results.outcome import Outcome
from grader.rubric.load import RubricError, load_rubric
from tests.grader.submissions import BASES, losers, make_submission, rubric_with, summary
from tests.results.schema import validate_results

PROJECT = Path(__file__).resolve().parents[2]
ZONE = "-05:00"


def unlimited_rubric(tmp_path, name="rubric.toml"):
    """A copy of the edition's rubric without its own [limits] table."""
    path = rubric_with(tmp_path, name=name)
    text = re.sub(r"(?ms)^\[limits\]\n.*?(?=^\[|^#|\Z)", "", path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    return path


def limited_rubric(tmp_path, body='max_submissions = 3\nafter = "2026-02-19"'):
    path = unlimited_rubric(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + f"\n[limits]\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture
def rubric(tmp_path):
    return load_rubric(limited_rubric(tmp_path))


def at(day, hour=12):
    return f"2026-02-{day:02d}T{hour:02d}:00:00.000000{ZONE}"


def earlier_results(rubric, fraction):
    """A real results.json of an earlier run: the API test at ``fraction``, the rest not run."""
    return build_results(rubric, {"behaviour.tensor": Outcome("behaviour.tensor", fraction, "earlier run")},
                         execution_time=3.0, output="Earlier run's notes.")


def metadata(created, previous=()):
    """Gradescope's metadata: ``previous`` is [(time, results or None, autograder_error)]."""
    return {"id": 9, "created_at": created, "assignment": {"title": "Beras"},
            "previous_submissions": [{"submission_time": t, "score": (r or {}).get("score", 0.0),
                                      "results": r, "autograder_error": error} for t, r, error in previous]}


def test_under_the_limit_is_graded_and_says_how_many_remain(rubric):
    decision = limits.decide(rubric.limits, metadata(at(21), [(at(18), None, False), (at(20), None, False)]))
    assert decision.grade
    assert decision.note == "Submission 2 of the 3 allowed from 2026-02-19 on: 1 left."   # the 18th does not count


def test_at_the_limit_is_graded_and_says_it_was_the_last(rubric):
    decision = limits.decide(rubric.limits, metadata(at(23), [(at(d), None, False) for d in (20, 21)]))
    assert decision.grade and decision.data["number"] == 3
    assert "Submission 3 of the 3 allowed" in decision.note and "last" in decision.note


def test_over_the_limit_keeps_the_latest_earlier_results(rubric):
    kept = earlier_results(rubric, 0.5)
    previous = [(at(20), earlier_results(rubric, 1.0), False), (at(22), kept, False),
                (at(21), earlier_results(rubric, 0.25), False)]
    decision = limits.decide(rubric.limits, metadata(at(24), previous))
    assert not decision.grade
    results = decision.results
    assert results["tests"] == kept["tests"] and results["score"] == kept["score"] > 0
    first = results["output"].split("\n\n")[0]
    assert "submission 4" in first and "limit of 3" in first and f"{kept['score']:g} points stands" in first
    assert "2026-02-22 12:00" in first                           # which submission's score stands
    assert results["output"].endswith(kept["output"])
    validate_results(json.loads(json.dumps(results)))


def test_over_the_limit_without_earlier_results_is_graded_and_says_so(rubric):
    decision = limits.decide(rubric.limits, metadata(at(24), [(at(d), None, False) for d in (20, 21, 22)]))
    assert decision.grade
    assert "over the limit of 3" in decision.note and "graded" in decision.note


def test_a_regrade_counts_only_what_came_before_it(rubric):
    later = [(at(d), earlier_results(rubric, 1.0), False) for d in (22, 23, 24)]
    decision = limits.decide(rubric.limits, metadata(at(21), [(at(20), None, False)] + later))
    assert decision.grade and decision.data["number"] == 2


def test_runs_the_autograder_failed_on_do_not_count(rubric):
    previous = [(at(20), None, True), (at(21), None, True), (at(22), None, False)]
    decision = limits.decide(rubric.limits, metadata(at(23), previous))
    assert decision.grade and decision.data["number"] == 2


def test_before_the_date_nothing_is_counted(rubric):
    decision = limits.decide(rubric.limits, metadata(at(18), [(at(d), None, False) for d in (10, 11, 12, 13)]))
    assert decision.grade and "does not count" in decision.note


def test_kept_twice_the_note_is_not_repeated_and_the_graded_submission_is_named(rubric):
    first = limits.decide(rubric.limits, metadata(at(24), [(at(d), earlier_results(rubric, 0.5), False)
                                                          for d in (20, 21, 22)]))
    second = limits.decide(rubric.limits, metadata(at(25), [(at(d), earlier_results(rubric, 0.5), False)
                                                           for d in (20, 21, 22)] + [(at(24), first.results, False)]))
    assert not second.grade
    assert second.results["output"].count("over the limit") == 1
    assert "submission 5" in second.results["output"] and "2026-02-22 12:00" in second.results["output"]


def test_no_limit_or_no_metadata_changes_nothing(tmp_path, rubric):
    plain = load_rubric(unlimited_rubric(tmp_path, name="plain.toml"))
    assert plain.limits is None
    assert limits.decide(plain.limits, metadata(at(24))) == limits.Decision(grade=True)
    assert limits.decide(rubric.limits, None) == limits.Decision(grade=True)


def test_an_after_with_a_time_and_offset(tmp_path):
    rubric = load_rubric(limited_rubric(tmp_path, 'max_submissions = 1\nafter = 2026-02-20T17:00:00-05:00'))
    assert limits.decide(rubric.limits, metadata(at(20, 16), [(at(19), None, False)])).data["counted"] is False
    decision = limits.decide(rubric.limits, metadata(at(20, 18), [(at(20, 17), earlier_results(rubric, 1), False)]))
    assert not decision.grade


@pytest.mark.parametrize("body, complaint", [
    ("max_submissions = 0", "positive integer"),
    ('max_submissions = "15"', "positive integer"),
    ("max_submissions = true", "positive integer"),
    ('after = "2026-02-19"', "positive integer"),
    ('max_submissions = 3\nafter = "Feb 19"', "not a date"),
    ("max_submissions = 3\nafter = 12:00:00", "must be a date"),
    ("max_submissions = 3\nper_day = 2", "unknown key"),
])
def test_invalid_limits_are_refused(tmp_path, body, complaint):
    with pytest.raises(RubricError, match=complaint):
        load_rubric(limited_rubric(tmp_path, body))


def test_the_spring2026_rubric_carries_the_handouts_rule():
    import datetime as dt
    assert dict(load_rubric().limits) == {"max_submissions": 15, "after": dt.date(2026, 2, 19)}


def _grader(*args):
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=PROJECT, capture_output=True,
                          text=True, timeout=300)


def test_over_the_limit_locally_nothing_is_graded(tmp_path, rubric):
    rubric_path = Path(rubric.source)
    kept = earlier_results(rubric, 1.0)
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps(metadata(at(24), [(at(d), kept, False) for d in (20, 21, 22)])))
    submission = make_submission(tmp_path, name="never_graded", patches=[
        ("beras/core.py", "import inspect\n", "import inspect\nraise SystemExit('graded after all')\n")])
    done = _grader(submission, "--rubric", rubric_path, "--metadata", meta, "--json", tmp_path / "r.json")
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "r.json").read_text())
    assert results["tests"] == kept["tests"] and "graded after all" not in json.dumps(results)
    assert "submission 4" in results["output"] and results["extra_data"]["submission_limit"]["over"] is True


def test_over_the_limit_on_gradescope_the_earlier_results_are_written(tmp_path, rubric):
    kept = earlier_results(rubric, 0.5)
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps(metadata(at(24), [(at(d), kept, False) for d in (20, 21, 22)])))
    out = tmp_path / "results" / "results.json"
    done = _grader("--submission-dir", make_submission(tmp_path), "--results", out, "--rubric", rubric.source,
                   "--metadata", meta)
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    validate_results(results)
    assert results["score"] == kept["score"] and results["output"].startswith("This is submission 4")


@pytest.mark.parametrize("base", BASES)
def test_under_the_limit_a_correct_submission_is_graded_in_full(tmp_path, rubric, base):
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps(metadata(at(21), [(at(20), None, False)])))
    done = _grader(make_submission(tmp_path, base=base), "--rubric", rubric.source, "--metadata", meta,
                   "--json", tmp_path / "r.json", "--quiet")
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "r.json").read_text())
    assert losers(results) == set(), summary(results)
    assert results["output"].startswith("Submission 2 of the 3 allowed from 2026-02-19 on: 1 left.")
    assert results["extra_data"]["submission_limit"] == {"counted": True, "number": 2, "max_submissions": 3}
