import json
import os
import threading

import pytest

from gradescope_utils.autograder_utils.json_test_runner import JSONTestResult, JSONTestRunner

from grader.results import Outcome, ResultsError, build_results, results_file, write_results
from grader.rubric import parse_rubric
from tests.results.schema import validate_results


# These tests pin their own points (staff edit the shipped rubric's points freely).
# Every test's points, written here (names and visibilities come from the tests' rubric).
FIXED_POINTS = {"api": 7, "behaviour.tensor": 3, "behaviour.weighted": 2, "behaviour.linear": 6,
                "behaviour.initializers": 4, "behaviour.activations": 8, "behaviour.losses": 8,
                "behaviour.metrics": 2, "behaviour.onehot": 3, "behaviour.optimizers": 8, "behaviour.model": 8,
                "behaviour.preprocess": 3, "gradients.layers": 8, "gradients.models": 6,
                "gradients.general_graph": 4, "gradients.accumulation": 0, "banned": 0, "final.accuracy": 20}


@pytest.fixture(scope="module")
def rubric():
    import tomllib
    from tests.grader.submissions import TEST_RUBRIC
    data = tomllib.loads(TEST_RUBRIC.read_text())
    assert set(FIXED_POINTS) == set(data["tests"])
    for key, points in FIXED_POINTS.items():
        data["tests"][key]["points"] = points
    return parse_rubric(data, source="fixed test rubric")


def _by_number(results):
    return {t["number"]: t for t in results["tests"]}


def test_full_partial_zero_missing(rubric):
    outcomes = [
        Outcome("api", 1.0, "all present"),
        Outcome("behaviour.linear", 0.5, "forward ok\nbackward wrong: expected (2, 3) got (3, 2)"),
        Outcome("behaviour.losses", 0.0, "MSE off by a factor of 2"),
        Outcome("behaviour.activations", float("nan"), "NaN fraction"),
        Outcome("behaviour.tensor", 1.7, "clamped"),
        Outcome("behaviour.weighted", -3, "clamped"),
        Outcome("gradients.accumulation", 1.0, "accumulates"),
        Outcome("banned", 0.0, "preprocess.py imports torch"),
        Outcome("final.accuracy", 0.25, "accuracy 0.8375", extra_data={"accuracy": 0.8375},
                leaderboard=[{"name": "Accuracy", "value": 0.8375, "order": "desc"}]),
    ]
    res = build_results(rubric, outcomes, execution_time=12.3456,
                        missing_reason={"behaviour.model": "the worker ran out of memory"})
    validate_results(res)
    t = _by_number(res)
    exp = {  # number: (score, max, status)
        "1.1": (7, 7, "passed"), "2.3": (3, 6, "failed"), "2.6": (0, 8, "failed"),
        "2.5": (0, 8, "failed"), "2.1": (3, 3, "passed"), "2.2": (0, 2, "failed"),
        "3.4": (0, 0, "passed"), "4.1": (0, 0, "failed"), "5.1": (5, 20, "failed"),
        "2.10": (0, 8, "failed"), "3.3": (0, 4, "failed"),
    }
    for num, (score, mx, status) in exp.items():
        assert (t[num]["score"], t[num]["max_score"], t[num]["status"]) == (score, mx, status), num
    assert res["score"] == 7 + 3 + 3 + 5
    assert t["2.3"]["output"] == "forward ok\nbackward wrong: expected (2, 3) got (3, 2)"
    assert t["1.1"]["output"] == "all present"
    assert t["2.10"]["output"] == "This test did not run: the worker ran out of memory"
    assert t["2.4"]["output"].startswith("This test did not run: ")
    assert t["5.1"]["extra_data"] == {"accuracy": 0.8375}
    assert "extra_data" not in t["1.1"]
    assert res["leaderboard"] == [{"name": "Accuracy", "value": 0.8375, "order": "desc"}]
    assert res["execution_time"] == 12.35 and isinstance(res["execution_time"], float)
    assert res["visibility"] == "visible"
    assert {x["output_format"] for x in res["tests"]} == {"text"}


def test_every_test_listed_in_rubric_order(rubric):
    res = build_results(rubric, [], execution_time=0)
    validate_results(res)
    assert [x["number"] for x in res["tests"]] == [x.number for x in rubric.tests]
    assert [x["name"] for x in res["tests"]] == [x.name for x in rubric.tests]
    assert [x["visibility"] for x in res["tests"]] == [x.visibility for x in rubric.tests]
    assert sum(x["max_score"] for x in res["tests"]) == 100
    assert res["score"] == 0
    assert all(x["status"] == "failed" and x["output"].startswith("This test did not run")
               for x in res["tests"])
    assert _by_number(res)["3.3"]["visibility"] == "after_due_date"


def test_all_full_marks(rubric):
    res = build_results(rubric, {k: Outcome(k, 1.0) for k in rubric.keys}, execution_time=1)
    validate_results(res)
    assert res["score"] == 100
    assert all(x["status"] == "passed" and x["score"] == x["max_score"] for x in res["tests"])


def test_rounding_never_gives_full_marks_to_a_failure(rubric):
    res = build_results(rubric, [Outcome("final.accuracy", 0.9999999, ""),
                                 Outcome("behaviour.linear", 1 / 3, "")], execution_time=1)
    t = _by_number(res)
    assert t["5.1"]["status"] == "failed" and t["5.1"]["score"] == 19.9999
    assert t["5.1"]["output"]                       # a default message, never empty on failure
    assert t["2.3"]["score"] == 2.0


def test_the_total_is_rounded_to_4_decimals():
    r = parse_rubric({"tests": {k: {"name": k, "number": str(i), "points": 1, "visibility": "visible"}
                                for i, k in enumerate("abc", 1)}})
    res = build_results(r, [Outcome("a", 0.1), Outcome("b", 0.2)], execution_time=0)
    assert 0.1 + 0.2 != 0.3 and res["score"] == 0.3


def test_gradescope_utils_writes_the_entries_and_nothing_rebuilds_them(rubric, monkeypatch):
    """What the library writes stands: a name it words differently reaches results.json."""
    monkeypatch.setattr(JSONTestResult, "getDescription", lambda self, test: "as the library says")
    res = build_results(rubric, [Outcome("api", 1, "fine")], execution_time=0)
    assert {t["name"] for t in res["tests"]} == {"as the library says"}
    assert _by_number(res)["1.1"]["output"] == "fine"


def test_a_test_the_library_loses_is_a_grader_fault_not_fewer_points(rubric, monkeypatch):
    """gradescope-utils drops a skipped test from the list (its known defect): the results
    are refused rather than written with a smaller total."""
    record = JSONTestResult.addSuccess

    def lose_api(self, test):
        if test.shortDescription() != rubric.test("api").name:
            record(self, test)
    monkeypatch.setattr(JSONTestResult, "addSuccess", lose_api)
    with pytest.raises(ResultsError, match="every rubric test"):
        build_results(rubric, [Outcome("api", 1, "fine")], execution_time=0)


def test_a_crash_of_the_library_is_a_grader_fault(rubric, monkeypatch):
    def boom(self, test):
        raise RuntimeError("setUpClass exploded")
    monkeypatch.setattr(JSONTestRunner, "run", boom)
    with pytest.raises(ResultsError, match="setUpClass exploded"):
        build_results(rubric, [Outcome("api", 1, "fine")], execution_time=2)


def test_unknown_and_duplicate_outcomes(rubric):
    outs = [Outcome("api", 0.0, "first"), Outcome("api", 1.0, "second"), Outcome("nope", 1.0)]
    res = build_results(rubric, outs, execution_time=0)
    validate_results(res)
    assert _by_number(res)["1.1"]["output"] == "second"
    notes = res["extra_data"]["grader_notes"]
    assert notes["ignored_outcomes_for_unknown_tests"] == ["nope"]
    assert notes["duplicate_outcomes_last_kept"] == ["api"]


def test_bad_leaderboard_and_extra_data_are_sanitised(rubric):
    outs = [Outcome("final.accuracy", 1.0, "", extra_data={"x": float("inf"), "t": (1, 2)},
                    leaderboard=[{"name": "Accuracy", "value": 0.9},
                                 {"name": "Accuracy", "value": 0.1},
                                 {"name": "Bad", "value": float("nan")},
                                 {"name": "Time", "value": 3, "order": "asc"}])]
    res = build_results(rubric, outs, execution_time=0, extra_data={"run": {"seed": 0}})
    validate_results(res)
    assert res["leaderboard"] == [{"name": "Accuracy", "value": 0.9, "order": "desc"},
                                  {"name": "Time", "value": 3, "order": "asc"}]
    assert _by_number(res)["5.1"]["extra_data"] == {"x": None, "t": [1, 2]}
    assert res["extra_data"]["run"] == {"seed": 0}


def test_summary_does_not_leak_later_tests(rubric):
    res = build_results(rubric, {k: Outcome(k, 1.0) for k in rubric.keys}, execution_time=0,
                        output="Submission: 3 files.")
    assert res["output"].startswith("Submission: 3 files.")
    assert "96" in res["output"]                      # points of tests shown now
    assert "after the due date" in res["output"]


def test_deterministic(rubric):
    outs = [Outcome("api", 1, "a"), Outcome("behaviour.linear", 0.3, "b", extra_data={"z": 1, "a": 2}),
            Outcome("final.accuracy", 0.5, "c", leaderboard=[{"name": "Accuracy", "value": 0.875}])]
    a = build_results(rubric, outs, execution_time=1.0)
    b = build_results(rubric, outs, execution_time=99.0)
    a.pop("execution_time"), b.pop("execution_time")
    assert json.dumps(a, sort_keys=False) == json.dumps(b, sort_keys=False)


def test_no_output_leaks(rubric, capsys):
    build_results(rubric, [Outcome("api", 0.0, "loud failure"), Outcome("banned", 1.0, "x")],
                  execution_time=0)
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_custom_rubric_visibility_and_tags():
    r = parse_rubric({"settings": {"total_visibility": "after_published", "output_format": "md"},
                      "tests": {"x": {"name": "X", "number": "1", "points": 2.5,
                                      "visibility": "hidden", "tags": ["t1"]}}})
    res = build_results(r, [Outcome("x", 0.5, "**half**")], execution_time=0)
    validate_results(res)
    assert res["visibility"] == "after_published"
    # Messages are plain text; in md they are escaped so that they read as written.
    assert res["tests"] == [{"number": "1", "name": "X", "score": 1.25, "max_score": 2.5,
                             "status": "failed", "visibility": "hidden", "output": "\\*\\*half\\*\\*",
                             "output_format": "md", "tags": ["t1"]}]
    assert "hidden from students" in res["output"]


# ---------------------------------------------------------------- write_results

def test_write_results_roundtrip(rubric, tmp_path):
    res = build_results(rubric, [Outcome("api", 1)], execution_time=0)
    path = write_results(res, tmp_path / "a" / "b" / "results.json")
    assert json.loads(path.read_text()) == res
    assert os.listdir(path.parent) == ["results.json"]          # no temp file left


def test_write_results_refuses_invalid(rubric, tmp_path):
    path = tmp_path / "results.json"
    path.write_text("OLD")
    res = build_results(rubric, [], execution_time=0)
    res["tests"][0]["status"] = "ok"
    with pytest.raises(ResultsError):
        write_results(res, path)
    res["tests"][0]["status"] = "failed"
    res["tests"][0]["score"] = float("nan")
    with pytest.raises(ResultsError):
        write_results(res, path)
    assert path.read_text() == "OLD"
    assert os.listdir(tmp_path) == ["results.json"]


def test_write_results_is_atomic(rubric, tmp_path, monkeypatch):
    """A failure before the rename leaves no file at all (not a partial one), and the
    rename happens within the target directory (so it is atomic)."""
    res = build_results(rubric, [Outcome("api", 1)], execution_time=0)
    path = tmp_path / "out" / "results.json"
    seen = []

    def failing_replace(src, dst):
        seen.append((os.path.dirname(src), open(src).read()))
        raise OSError("disk full")
    monkeypatch.setattr(results_file.os, "replace", failing_replace)
    with pytest.raises(OSError):
        write_results(res, path)
    assert not path.exists()
    assert os.listdir(path.parent) == []
    assert seen[0][0] == str(path.parent)
    assert json.loads(seen[0][1]) == res          # the temp file was complete before the rename
    monkeypatch.undo()

    # Concurrent reader: it only ever sees no file or the complete JSON.
    stop, bad = threading.Event(), []

    def reader():
        while not stop.is_set():
            try:
                text = path.read_text()
            except FileNotFoundError:
                continue
            try:
                json.loads(text)
            except ValueError:
                bad.append(text[:50])
    th = threading.Thread(target=reader)
    th.start()
    try:
        for _ in range(30):
            write_results(res, path)
    finally:
        stop.set()
        th.join()
    assert bad == []

