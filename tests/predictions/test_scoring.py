"""Scoring predictions against the real MNIST test labels, and keeping the review out of sight.

No training here: the review's checks that need no retrained model, the score, the
Outcome, results.json and the rubric settings."""
import re

import numpy as np
import pytest

from grader.checks import predictions as judge
from grader.results import build_results
from grader.rubric import RubricError, load_rubric
from grader.runner.predictions import PredictionsFile, predictions_final_outcome, read_predictions
from tests.predictions.files import truth, with_errors

RUBRIC = """
[settings]
stdout_visibility = "{stdout}"
final_full_accuracy = 0.95
final_zero_accuracy = 0.75
predictions_max_plausible_accuracy = 0.99
predictions_accuracy_margin = 0.04
predictions_min_error_correlation = 0.2

[tests."api"]
name = "API"
number = "1.1"
points = 10
visibility = "visible"

[tests."final.accuracy"]
name = "Final: predictions"
number = "5.1"
points = 20
visibility = "visible"
"""
REVIEW_WORDS = re.compile(r"flag|review|retrain|exact_labels|implausible|correlat", re.IGNORECASE)


@pytest.fixture(scope="module")
def labels():
    return truth()


def rubric(tmp_path, stdout="hidden", extra=""):
    path = tmp_path / "rubric.toml"
    path.write_text(RUBRIC.format(stdout=stdout) + extra)
    return load_rubric(path, edition="fall2025")


def read_of(labels, form="labels"):
    return PredictionsFile(labels=np.asarray(labels, dtype=np.int64), form=form)


@pytest.mark.parametrize("wrong, expected_fraction", [
    (0, 1.0), (500, 1.0), (1000, 0.75), (1500, 0.5), (2500, 0.0), (9000, 0.0)])
def test_accuracy_is_scored_linearly_between_the_rubrics_thresholds(tmp_path, labels, wrong, expected_fraction):
    # full at 0.95, none at 0.75: 9000 right of 10000 is (0.90 - 0.75) / 0.20 = 0.75 of the points
    settings = rubric(tmp_path).settings
    outcome = judge.predictions_outcome(read_of(with_errors(labels, wrong)), labels, settings)
    assert outcome.key == "final.accuracy"
    assert outcome.fraction == pytest.approx(expected_fraction)
    accuracy = (10000 - wrong) / 10000
    assert outcome.leaderboard == [{"name": "Accuracy", "value": accuracy, "order": "desc"}]
    assert f"{accuracy:.2%}" in outcome.output and "predictions.npy" in outcome.output


def test_a_problem_earns_nothing_and_shows_the_readers_message(tmp_path, labels):
    root = tmp_path / "sub"
    (root / "beras").mkdir(parents=True)
    read = read_predictions(root)
    outcome = judge.predictions_outcome(read, labels, rubric(tmp_path).settings)
    assert outcome.fraction == 0.0 and outcome.leaderboard is None
    assert read.message in outcome.output


def test_exact_labels_are_flagged_without_a_retrained_model(tmp_path, labels):
    flags = judge.review_flags(labels, labels, rubric(tmp_path).settings)
    assert [f["flag"] for f in flags] == ["exact_labels"]


def test_more_accurate_than_plausible_is_flagged(tmp_path, labels):
    settings = rubric(tmp_path).settings                   # plausible up to 0.99 here
    assert [f["flag"] for f in judge.review_flags(with_errors(labels, 50), labels, settings)] == \
        ["implausible_accuracy"]
    assert judge.review_flags(with_errors(labels, 150), labels, settings) == []


def test_error_correlation_is_the_phi_coefficient(labels):
    # 2x2 table by hand: both wrong 30, only the submission 20, only the retrained 50, both right 9900
    wrong = np.zeros(10000, dtype=bool)
    retrained_wrong = np.zeros(10000, dtype=bool)
    wrong[:50] = True
    retrained_wrong[20:100] = True
    phi = (30 * 9900 - 20 * 50) / np.sqrt(50 * 9950 * 80 * 9920)
    assert judge.error_correlation(wrong, retrained_wrong) == pytest.approx(phi)
    assert judge.error_correlation(np.zeros(10000, dtype=bool), retrained_wrong) is None


def _flagged_and_clean_outcomes(tmp_path, labels):
    settings = rubric(tmp_path).settings
    read = read_of(labels)                                 # exactly the answer key: flagged
    flagged = judge.review(read, labels, settings)
    assert flagged["flags"]
    return settings, judge.predictions_outcome(read, labels, settings, flagged), \
        judge.predictions_outcome(read, labels, settings)


def test_a_flag_changes_nothing_the_student_sees(tmp_path, labels):
    _, flagged, clean = _flagged_and_clean_outcomes(tmp_path, labels)
    assert (flagged.fraction, flagged.output, flagged.leaderboard) == (clean.fraction, clean.output, clean.leaderboard)
    assert not REVIEW_WORDS.search(flagged.output)
    assert flagged.extra_data["predictions_review"]["flags"][0]["flag"] == "exact_labels"


def test_in_results_json_the_review_is_only_in_extra_data(tmp_path, labels):
    settings, flagged, clean = _flagged_and_clean_outcomes(tmp_path, labels)
    rubric_ = rubric(tmp_path)
    results = build_results(rubric_, [flagged], execution_time=1.0)
    without = build_results(rubric_, [clean], execution_time=1.0)
    test = next(t for t in results["tests"] if t["number"] == "5.1")
    assert test["extra_data"]["predictions_review"]["flags"]
    visible = {k: v for k, v in test.items() if k != "extra_data"}
    assert visible == {k: v for k, v in next(t for t in without["tests"] if t["number"] == "5.1").items()
                       if k != "extra_data"}
    assert not REVIEW_WORDS.search(results["output"]) and not REVIEW_WORDS.search(test["output"])
    assert results["leaderboard"] == without["leaderboard"]


def test_the_review_is_logged_only_while_stdout_is_hidden(tmp_path, labels):
    data = judge.review(read_of(labels), labels, rubric(tmp_path).settings)
    hidden = judge.review_log_lines(data, rubric(tmp_path, stdout="hidden").settings)
    assert any("exact_labels" in line for line in hidden)
    for visibility in ("visible", "after_due_date", "after_published"):
        assert judge.review_log_lines(data, rubric(tmp_path, stdout=visibility).settings) == []


def test_the_optional_hidden_review_test(tmp_path, labels):
    extra = '\n[tests."final.review"]\nname = "Review"\nnumber = "5.2"\npoints = 0\nvisibility = "hidden"\n'
    rubric_ = rubric(tmp_path, extra=extra)
    settings = rubric_.settings
    flagged = judge.review_outcome(judge.review(read_of(labels), labels, settings))
    clean = judge.review_outcome(judge.review(read_of(with_errors(labels, 300)), labels, settings))
    assert (flagged.key, flagged.fraction, clean.fraction) == ("final.review", 0.0, 1.0)
    results = build_results(rubric_, [flagged], execution_time=1.0)
    review_test = next(t for t in results["tests"] if t["number"] == "5.2")
    assert review_test["visibility"] == "hidden" and "exact_labels" in review_test["output"]


def test_end_to_end_from_the_file(tmp_path, labels):
    root = tmp_path / "sub"
    (root / "beras").mkdir(parents=True)
    np.save(root / "predictions.npy", labels)
    logged = []
    outcome = predictions_final_outcome(root, rubric(tmp_path).settings, logged.append)
    assert outcome.fraction == 1.0
    assert any("exact_labels" in line for line in logged)
    assert outcome.extra_data["predictions_review"]["retrained"] is None


@pytest.mark.parametrize("key, value", [
    ("predictions_max_plausible_accuracy", 1.5), ("predictions_accuracy_margin", -0.1),
    ("predictions_min_error_correlation", 2), ("predictions_min_error_correlation", "high")])
def test_the_rubric_refuses_bad_review_settings(tmp_path, key, value):
    text = RUBRIC.format(stdout="hidden")
    text = re.sub(rf"(?m)^{key} = .*$", f"{key} = {value!r}".replace("'", '"'), text)
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(RubricError, match=key):
        load_rubric(path, edition="fall2025")


def test_the_fall2025_rubric_carries_the_review_settings():
    r = load_rubric(edition="fall2025")
    assert "final.accuracy" in r.keys
    assert r.settings["stdout_visibility"] == "hidden"     # the review goes to the staff-only log
    for key in ("predictions_max_plausible_accuracy", "predictions_accuracy_margin",
                "predictions_min_error_correlation"):
        assert key in r.settings


def test_a_training_run_becomes_a_retrained_model_only_when_it_scored_an_epoch(tmp_path, labels):
    from grader.checks.final import Run
    settings = rubric(tmp_path).settings
    run = Run(settings, budget_s=100)
    assert judge.retrained_from_run(run) is None                       # no epoch yet
    own = with_errors(labels, 400)
    run.epochs = [{"epoch": 1, "accuracy": 0.95}, {"epoch": 2, "accuracy": 0.96}]
    run.predictions = own                                               # the last epoch's labels
    run.stopped = "Training stopped before epoch 3"
    retrained = judge.retrained_from_run(run)
    assert (retrained.accuracy, retrained.epochs, retrained.note) == (0.96, 2, "Training stopped before epoch 3")
    np.testing.assert_array_equal(retrained.labels, own)
    run.failure = "Epoch 3 failed"
    assert judge.retrained_from_run(run) is None
    assert judge.retrained_from_run(None) is None
