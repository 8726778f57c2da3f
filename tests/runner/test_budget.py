"""The run's time budget with a fake clock: what remains, the reserve, the staff's cap; and a
training run (scripted epochs on the same fake clock) never passing what it was given."""
import random

import pytest

from grader.runner.budget import TimeBudget
from grader.runner.training import train
from tests.final.test_final_logic import LABELS, Clock, ScriptedWorker, epoch_ok, settings
from grader.sandbox.supervisor import ProbeResult


def test_what_remains_is_the_total_less_the_reserve_and_the_time_spent():
    clock = Clock()
    clock.now = 1000.0                       # the clock's origin is wherever the run started
    budget = TimeBudget(540, reserve_s=30, clock=clock)
    assert budget.remaining() == 510
    clock.now += 100
    assert budget.elapsed() == 100 and budget.remaining() == 410
    assert budget.allow(60) == 60 and budget.allow(500) == 410
    clock.now += 1000                        # past the end: nothing left, never negative
    assert budget.remaining() == 0 and budget.allow(10) == 0


@pytest.mark.parametrize("cap, spent, expected", [
    (0, 40, 470),        # no cap of its own: what is left of 540 - 30
    (None, 40, 470),
    (300, 40, 300),      # a staff cap smaller than what is left
    (600, 40, 470),      # a cap larger than what is left: what is left
    (300, 400, 110),     # late in the run: what is left, even under the cap
    (300, 600, 0),       # the run's time is gone
])
def test_the_training_budget_is_what_remains_or_the_staff_cap(cap, spent, expected):
    clock = Clock()
    budget = TimeBudget(540, reserve_s=30, clock=clock)
    clock.now += spent
    training = budget.for_training(cap)
    assert training.total_s == expected and training.remaining() == expected


def test_the_training_budget_never_outlasts_the_whole_run():
    clock = Clock()
    budget = TimeBudget(540, reserve_s=30, clock=clock)
    clock.now += 123
    training = budget.for_training(0)
    for step in (10, 100, 250, 30, 500):
        clock.now += step
        assert training.remaining() <= budget.remaining()


@pytest.mark.parametrize("seed", range(8))
def test_a_training_run_never_passes_its_budget(seed):
    # Random epoch lengths, some overrunning (the worker is stopped at the time left):
    # however they fall, the run ends within its budget.
    rng = random.Random(seed)
    clock = Clock()
    epochs = [(ProbeResult("timeout"), 0.0) if rng.random() < 0.15 else (epoch_ok(95), rng.uniform(5, 200))
              for _ in range(10)]
    worker = ScriptedWorker(clock, epochs)
    run = train(worker, settings(final_epochs=10), LABELS, clock=clock, budget_s=500)
    assert clock.now <= 500
    assert run.total_seconds <= 500
    assert all(timeout > 0 for timeout in worker.timeouts)


def test_staff_may_stop_training_once_full_marks_are_reached():
    clock = Clock()
    scripted = [(epoch_ok(90), 10.0), (epoch_ok(97), 10.0), (epoch_ok(99), 10.0)]
    run = train(ScriptedWorker(clock, list(scripted)), settings(final_epochs=3, final_stop_at_full_marks=True),
                LABELS, clock=clock, budget_s=500)
    assert [r["epoch"] for r in run.epochs] == [1, 2]          # epoch 2 earns full marks (97 % >= 95 %)
    assert "full marks" in run.stopped and run.accuracy == pytest.approx(0.97)
    clock = Clock()
    run = train(ScriptedWorker(clock, list(scripted)), settings(final_epochs=3), LABELS, clock=clock, budget_s=500)
    assert len(run.epochs) == 3 and run.stopped is None          # off by default: every epoch


@pytest.mark.parametrize("key", ["final_stop_at_full_marks", "final_flush_subnormals"])
@pytest.mark.parametrize("value", ["yes", 1])
def test_the_switches_must_be_true_or_false(tmp_path, key, value):
    from grader.rubric.load import RubricError, load_rubric
    from tests.grader.submissions import rubric_with
    with pytest.raises(RubricError, match=key):
        load_rubric(rubric_with(tmp_path, **{key: value}))
