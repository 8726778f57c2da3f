"""The trusted side's training loop and report, driven by a scripted stand-in worker (fast, no MNIST)."""
import numpy as np
import pytest

from grader.checks.final import report, score_fraction
from grader.runner.training import train
from grader.rubric.load import load_rubric
from grader.sandbox.supervisor import ProbeResult

LABELS = np.arange(100, dtype=np.int8) % 10


def settings(**overrides):
    s = dict(load_rubric().settings)
    s.update(overrides)
    return s


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class ScriptedWorker:
    """Answers setup, then one scripted (result, seconds) per epoch call; advances the clock."""

    def __init__(self, clock, epochs, setup=None):
        self.clock, self.epochs, self.setup = clock, list(epochs), setup
        self.timeouts = []

    def call(self, probe, args, timeout):
        if probe.endswith(":setup"):
            return self.setup or ProbeResult("ok", value={"model": "Sequential"}, seconds=0.5)
        self.timeouts.append(timeout)
        result, seconds = self.epochs.pop(0)
        if result.status == "timeout":
            seconds = timeout
        self.clock.now += seconds
        result.seconds = seconds
        return result


def epoch_ok(correct, loss=0.1):
    predictions = LABELS.copy()
    predictions[correct:] = (predictions[correct:] + 1) % 10
    return ProbeResult("ok", value={"predictions": predictions, "history": {"loss": loss, "acc": 0.9},
                                    "fit_seconds": 1.0, "problem": None, "profile": None})


def run(epochs, setup=None, **overrides):
    clock = Clock()
    worker = ScriptedWorker(clock, epochs, setup)
    s = settings(**overrides)
    result = train(worker, s, LABELS, clock=clock)
    return result, report(result, s), worker


def test_score_fraction_is_linear_between_the_thresholds():
    s = settings()
    assert score_fraction(0.95, s) == 1 and score_fraction(0.99, s) == 1
    assert score_fraction(0.80, s) == 0 and score_fraction(0.5, s) == 0
    assert score_fraction(0.875, s) == pytest.approx(0.5)
    assert score_fraction(float("nan"), s) == 0


def test_every_epoch_is_scored_and_the_last_counts():
    r, out, worker = run([(epoch_ok(90, 0.3), 2.0), (epoch_ok(97, 0.1), 2.0)], final_epochs=2,
                         final_time_budget_s=300)
    assert [e["accuracy"] for e in r.epochs] == [0.90, 0.97]
    assert out.fraction == 1 and out.leaderboard == [{"name": "Accuracy", "value": 0.97, "order": "desc"}]
    assert worker.timeouts == [300, 298]  # each epoch may use the rest of the budget


def test_budget_stops_between_epochs():
    r, out, _ = run([(epoch_ok(85), 40.0), (epoch_ok(88), 40.0), (epoch_ok(99), 40.0)],
                    final_epochs=10, final_time_budget_s=100)
    assert len(r.epochs) == 2 and "Training stopped before epoch 3" in out.output
    assert out.fraction == pytest.approx(score_fraction(0.88, settings()))


def test_timeout_scores_the_previous_epoch_or_nothing():
    r, out, _ = run([(epoch_ok(90), 10.0), (ProbeResult("timeout", stdout="[Epoch 1, Batch 47/235] loss"), 0)],
                    final_epochs=3, final_time_budget_s=60)
    assert "Epoch 2 was still running after 50 s" in out.output
    assert "batch 47/235" in out.output and "about 250 s" in out.output
    assert out.fraction == pytest.approx(score_fraction(0.90, settings()))
    r, out, _ = run([(ProbeResult("timeout"), 0)], final_epochs=3, final_time_budget_s=60)
    assert out.fraction == 0 and "No epoch finished" in out.output and out.leaderboard is None


def test_nan_loss_is_a_failure_with_a_hint():
    nan = ProbeResult("ok", value={"predictions": np.full(100, -1, np.int8), "history": {"loss": "nan"},
                                   "fit_seconds": 1.0, "problem": None, "profile": None})
    r, out, _ = run([(epoch_ok(96), 1.0), (nan, 1.0)], final_epochs=3)
    assert out.fraction == 0 and "loss is nan" in out.output and "log(0)" in out.output


def test_wrong_prediction_shape_is_a_failure():
    bad = ProbeResult("ok", value={"predictions": None, "problem": "model(x) for a batch of 256 images returned "
                                   "shape (256, 5); expected (256, 10)", "history": {}, "profile": None})
    r, out, _ = run([(bad, 1.0)])
    assert out.fraction == 0 and "shape (256, 5)" in out.output


def test_setup_error_and_memory_are_failures():
    error = {"type": "AttributeError", "message": "'Linear' object has no attribute 'w'",
             "student_frame": {"file": "assignment.py", "line": 23, "function": "get_model", "code": "x"}}
    r, out, _ = run([], setup=ProbeResult("ok", value={"stage": "get_model()", "error": error}))
    assert out.fraction == 0 and "in get_model()" in out.output and "assignment.py:23" in out.output
    memory = ProbeResult("memory", detail="the worker ran out of its 640 MB memory limit (MemoryError)")
    r, out, _ = run([(memory, 3.0)])
    assert out.fraction == 0 and "ran out of memory" in out.output and "640 MB" in out.output


@pytest.mark.parametrize("value, said", [
    ({"predictions": LABELS[:50].copy(), "history": {}, "problem": None}, "shape (100,)"),
    ({"predictions": LABELS.astype(np.float64), "history": {}, "problem": None}, "integer labels"),
    ({"predictions": LABELS.copy(), "history": [1, 2], "problem": None}, "history should be a dict"),
    (["not", "a", "dict"], "Epoch 1 failed"),
])
def test_a_malformed_epoch_reply_fails_the_final_run_only_with_a_reason(value, said):
    r, out, _ = run([(ProbeResult("ok", value=value), 1.0)])
    assert out.fraction == 0 and said in out.output, out.output


def test_an_answer_the_check_cannot_judge_costs_only_its_test():
    from grader.checks.registry import Check, compare_cases
    from grader.grade import _judged

    def broken_normalize(label, expected, got):
        raise KeyError("loss")

    check = Check("behaviour.model", "grader.probes.components:model", {}, compare_cases, normalize=broken_normalize)
    outcome = _judged(check, {"case": {"value": 1.0}}, {"case": {"value": 2.0}}, settings())
    assert outcome.key == "behaviour.model" and outcome.fraction == 0
    assert "could not be judged" in outcome.output and "KeyError" in outcome.output


def test_a_training_run_that_cannot_be_staged_costs_only_the_final_test(tmp_path, monkeypatch):
    # e.g. the disk is full when the training data are staged: the final test says so, nothing raises
    from grader.editions import load_edition
    from grader.runner import training
    from tests.grader.submissions import make_submission

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(training, "Worker", full_disk)
    root = make_submission(tmp_path, final=True)
    out = training.final_outcome(root, load_edition("spring2026"), settings(), {}, lambda msg: None)
    assert out.key == "final.accuracy" and out.fraction == 0
    assert "No space left on device" in out.output and "not your fault" in out.output


def test_without_a_cap_training_may_use_what_is_left_of_the_whole_run():
    # final_time_budget_s = 0: no cap of its own; grade() passes the time left as budget_s
    r, out, worker = run([(epoch_ok(90, 0.3), 100.0), (epoch_ok(97, 0.1), 100.0)], final_epochs=2,
                         final_time_budget_s=0, total_time_budget_s=540)
    assert worker.timeouts[0] == 540 and len(r.epochs) == 2
    assert "of the 540 s budget" in out.output
