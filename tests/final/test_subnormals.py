"""The final run's worker flushes subnormal floats to zero; the probes' worker keeps IEEE arithmetic.

What the submission itself computes is the evidence: half of float32's smallest normal number
is a subnormal (non-zero) under IEEE arithmetic and 0.0 with flush-to-zero.
"""
import subprocess
import sys
from pathlib import Path

import pytest

from grader.editions import load_edition
from grader.rubric.load import load_rubric
from grader.runner.training import final_outcome
from tests.grader.submissions import TEST_RUBRIC, grade_json, losers, make_submission, summary

ROOT = Path(__file__).resolve().parents[2]
HALF_OF_TINY = "float(np.float32(np.finfo(np.float32).tiny) * np.float32(0.5))"


def final_run(submission, **settings):
    """The final training run alone, with the tests' rubric's settings (some replaced)."""
    settings = dict(load_rubric(TEST_RUBRIC).settings, **settings)
    return final_outcome(Path(submission), load_edition("spring2026"), settings, {}, lambda msg: None)


def test_flushing_turns_subnormal_results_into_zero_in_this_and_later_threads():
    script = f"""
import threading
import numpy as np
from grader.probes.subnormals import flush_subnormals_to_zero
before = {HALF_OF_TINY}
took = flush_subnormals_to_zero()
after = {HALF_OF_TINY}
in_thread = []
worker = threading.Thread(target=lambda: in_thread.append({HALF_OF_TINY}))
worker.start(); worker.join()
print(before > 0, took, after, in_thread[0])
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "0.0", "0.0"], out.stdout + out.stderr


REPORTS_ITS_ARITHMETIC = f'''

_get_model_as_written = get_model


def get_model():
    raise RuntimeError("HALF-OF-TINY " + repr({HALF_OF_TINY}) + " END")
'''


@pytest.mark.parametrize("base, flush, seen", [("reference", True, "0.0"), ("course", True, "0.0"),
                                               ("reference", False, "5.877471754111438e-39")])
def test_the_students_code_runs_with_subnormals_flushed_in_the_final_run_unless_staff_say_not(
        tmp_path, base, flush, seen):
    sub = make_submission(tmp_path, base=base, final=True,
                          overrides={"assignment.py": "import numpy as np\n" + REPORTS_ITS_ARITHMETIC})
    out = final_run(sub, final_flush_subnormals=flush)
    assert out.fraction == 0.0
    assert f"HALF-OF-TINY {seen} END" in out.output, out.output


IMPORT_TIME_CHECK = f'''

import numpy as _np_check
if {HALF_OF_TINY.replace("np.", "_np_check.")} == 0.0:
    raise RuntimeError("the probes ran with subnormals flushed to zero")
'''


@pytest.mark.parametrize("base", ["reference", "course"])
def test_the_probes_keep_ieee_arithmetic(tmp_path, base):
    """Gradient checks compare tiny differences: their worker must not flush."""
    sub = make_submission(tmp_path, base=base, overrides={"beras/activations.py": IMPORT_TIME_CHECK})
    results = grade_json(sub)
    assert not losers(results), summary(results)
