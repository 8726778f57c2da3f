"""A whole grading run with FINAL.txt ends within the rubric's total_time_budget_s, however slow
the training: the training gets what is left, and an epoch that would pass it is not started or
is stopped. Real grading runs (workers, MNIST), on both bases."""
import time

import pytest

from grader.grade import grade
from tests.grader.submissions import make_submission, rubric_with

pytestmark = pytest.mark.timeout(300)

TOTAL_S = 50      # the grader keeps 30 s of it in reserve: about 20 s for the probes and training
SLOW_FIT = """

import time as _time

_plain_fit = Sequential.fit


def _slow_fit(self, *args, **kwargs):
    _time.sleep(7)          # every epoch at least 7 s: three would not fit in the time left
    return _plain_fit(self, *args, **kwargs)


Sequential.fit = _slow_fit
"""


@pytest.mark.parametrize("base", ["reference", "course"])
def test_a_slow_training_run_ends_within_the_whole_run_limit(tmp_path, base):
    root = make_submission(tmp_path, base=base, final=True, overrides={"beras/model.py": SLOW_FIT})
    rubric = rubric_with(tmp_path, total_time_budget_s=TOTAL_S, final_epochs=10, final_batch_size=64)
    started = time.monotonic()
    results = grade(root, rubric_path=rubric)
    wall = time.monotonic() - started
    assert wall <= TOTAL_S, wall
    final = next(t for t in results["tests"] if t["number"] == "5.1")
    info = final["extra_data"]["final"]
    assert info["epochs_run"] < 10, final["output"]
    # Why it stopped is said: not started for lack of time, or stopped mid-epoch.
    assert "Training stopped before epoch" in final["output"] or "was still running after" in final["output"], \
        final["output"]
    assert info["total_seconds"] <= TOTAL_S - 30 + 1
