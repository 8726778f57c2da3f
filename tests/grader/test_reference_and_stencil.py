"""The two anchors: the reference earns everything it can, the untouched stencil earns nothing."""
from pathlib import Path

import pytest

from grader.submission import PROJECT_ROOT
from tests.grader.submissions import (RUBRIC_POINTS, SCORED_BERAS_TESTS, assert_complete, by_number,
                                      grade_json, make_submission, summary)

STENCIL = PROJECT_ROOT / "submission_template" / "spring2026"


@pytest.fixture(scope="module")
def reference_results(tmp_path_factory):
    return grade_json(make_submission(tmp_path_factory.mktemp("reference")))


def test_reference_gets_full_marks_except_the_final_run(reference_results):
    assert_complete(reference_results)
    for t in reference_results["tests"]:
        if t["number"] == "5.1":
            continue
        assert t["score"] == t["max_score"], summary(reference_results)
        assert t["status"] == "passed", summary(reference_results)
    expected = sum(p for n, p in RUBRIC_POINTS.items() if n != "5.1")
    assert reference_results["score"] == expected


def test_reference_final_run_not_requested_says_how_to_request_it(reference_results):
    final = by_number(reference_results)["5.1"]
    assert final["score"] == 0 and "FINAL.txt" in final["output"] and "Not requested" in final["output"]


def test_reference_messages_are_clean(reference_results):
    tests = by_number(reference_results)
    assert "preprocess.py:" in tests["4.1"]["output"]  # the tolerated MNIST line is listed
    assert "No banned library" in tests["4.1"]["output"]
    assert "extra_data" in reference_results and "timings_s" in reference_results["extra_data"]
    assert isinstance(reference_results["execution_time"], (int, float))


def _strip_timing(results):
    results = dict(results)
    results.pop("execution_time", None)
    extra = dict(results.get("extra_data") or {})
    extra.pop("timings_s", None)
    extra.pop("sandbox", None)  # names the run's own sandbox uid
    results["extra_data"] = extra
    return results


def test_grading_is_deterministic(tmp_path, reference_results):
    root = make_submission(tmp_path, patches=[  # a partly wrong submission: messages carry numbers
        ("beras/losses.py", "[-y_true / clipped / batch,", "[-y_true / clipped,")])
    first, second = grade_json(root), grade_json(root)
    assert _strip_timing(first) == _strip_timing(second)
    assert _strip_timing(grade_json(make_submission(tmp_path / "again"))) == _strip_timing(reference_results)


def _listing(folder):
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(Path(folder).rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


_STENCIL_LISTING = {}


@pytest.fixture(scope="module")
def stencil_results():
    if not STENCIL.is_dir():
        pytest.skip(f"the stencil {STENCIL} has not been generated yet")
    _STENCIL_LISTING["before"] = _listing(STENCIL)
    results = grade_json(STENCIL)
    _STENCIL_LISTING["after"] = _listing(STENCIL)
    return results


def test_stencil_gets_a_complete_valid_result(stencil_results):
    assert_complete(stencil_results)


def test_stencil_earns_nothing_for_behaviour_and_gradients(stencil_results):
    tests = by_number(stencil_results)
    for number in SCORED_BERAS_TESTS + ("2.11",):
        assert tests[number]["score"] == 0, summary(stencil_results)
        assert tests[number]["status"] == "failed"
    assert stencil_results["score"] == 0, summary(stencil_results)


def test_stencil_messages_point_at_the_todos(stencil_results):
    tests = by_number(stencil_results)
    assert "NotImplementedError" in tests["2.5"]["output"] and "beras/activations.py:" in tests["2.5"]["output"]
    assert "preprocess.py" in tests["2.11"]["output"]
    # The stencil's given MNIST download line does not count as a banned import.
    assert "No banned library" in tests["4.1"]["output"]


def test_stencil_is_not_modified_by_grading(stencil_results):
    # Workers run on a copy: the graded folder is left exactly as it was.
    assert _STENCIL_LISTING["before"] == _STENCIL_LISTING["after"]
