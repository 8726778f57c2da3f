"""The final training run (FINAL.txt): the student's model trained in a worker of its own.

The student's get_model/get_optimizer/get_loss_fn/get_acc_fn and fit run in a
worker (grader/probes/final.py), one epoch per call, so that this side can
- score every epoch from the predicted labels (the worker never sees the test
  labels: its MNIST folder holds the training files and the test images only);
- keep to the time budget it is given (a TimeBudget on the run's clock): before an
  epoch, stop when the last epoch's time is more than what remains; each epoch call
  may take at most what remains, and an epoch that overruns is killed and the
  previous one scored;
- optionally (rubric: final_stop_at_full_marks) stop once an epoch earns full marks;
- explain slowness with what the worker's sampler saw (the busiest lines).
How a finished Run is scored and reported is grader/checks/final.py.
"""
import json
import re
import time

import numpy as np

from grader.checks.compare import error_text
from grader.checks.final import DATA_DTYPE, KEY, Run, not_requested, report, score_fraction
from grader.data import mnist
from grader.results.outcome import Outcome
from grader.runner.budget import TimeBudget
from grader.sandbox.supervisor import SandboxSetupError, Worker
from grader.shims import SHIMS_DIR
from grader.submission import has_final_marker

PROBE = "grader.probes.final:"
SEED = 0
SETUP_TIMEOUT = 120.0
STDOUT_SHOWN = 1200
HIDE_LABELS_ENV = "BERAS_HIDE_TEST_LABELS"
_PROFILE_RE = re.compile(r"BERAS-FINAL-PROFILE (\{.*\})")
_BATCH_RE = re.compile(r"Batch (\d+)/(\d+)")


def final_outcome(root, edition, settings, broken, log, budget_s=None, requested=False):
    """requested: train even without FINAL.txt (the self-check's --final)."""
    if not requested and not has_final_marker(root, edition.FINAL_MARKER):
        return not_requested()
    for module in ("beras", "assignment"):
        if module in (broken or {}):
            return Outcome(KEY, 0.0, "The final training run could not start: " + broken[module])
    try:
        test_labels = mnist.load("test_labels").astype(np.int8)   # trusted side only
    except mnist.MnistError as error:
        return Outcome(KEY, 0.0, f"The grader could not load the MNIST test labels ({error}). "
                                 "This is not your fault; tell the course staff.")
    log("final: training your get_model() on MNIST")
    run, problem = training_run(root, settings, test_labels, log, budget_s)
    if run is None:
        return Outcome(KEY, 0.0, f"The final training run could not be prepared ({problem}). "
                                 "This is not your fault; tell the course staff.")
    return report(run, settings)


def training_run(root, settings, test_labels, log, budget_s=None, leave_out_suffixes=()):
    """(the finished Run, None), or (None, why no worker could be prepared). The worker's own
    MNIST folder holds the training files and test images, no test labels (not even a decoy);
    files ending in ``leave_out_suffixes`` are not in its copy of the submission."""
    try:
        worker = Worker(root, memory_mb=settings["final_memory_mb"], shims=SHIMS_DIR, env={HIDE_LABELS_ENV: "1"},
                        data_files=mnist.files_for_worker(decoy_test_labels=False),
                        data_links=mnist.prepared_for_worker(training=True), data_dir_env=mnist.ENV_VAR,
                        leave_out_suffixes=leave_out_suffixes)
    except (OSError, SandboxSetupError) as error:  # e.g. a full disk: this test only, never the run
        return None, f"{type(error).__name__}: {error}"
    try:
        return train(worker, settings, test_labels, log, budget_s=budget_s), None
    finally:
        worker.close()


# ------------------------------------------------------------------ the run

def train(worker, settings, test_labels, log=lambda msg: None, clock=time.monotonic, budget_s=None):
    """Run the epochs within budget_s seconds (default: the rubric's cap, or the whole run's budget)."""
    budget = TimeBudget(budget_s if budget_s is not None else
                        (settings["final_time_budget_s"] or settings["total_time_budget_s"]),
                        reserve_s=0.0, clock=clock)
    run = Run(settings, budget.total_s)
    epochs, batch = settings["final_epochs"], settings["final_batch_size"]
    setup = {"dtype": DATA_DTYPE, "seed": SEED, "flush_subnormals": settings["final_flush_subnormals"]}
    result = worker.call(PROBE + "setup", setup, timeout=budget.allow(SETUP_TIMEOUT))
    run.setup_seconds = result.seconds
    if result.ok and isinstance(result.value, dict):  # the worker's word, for the staff log only
        log(f"  final setup: subnormal floats flushed to zero: {result.value.get('subnormals_flushed') is True}")
    if not result.ok or "error" in (result.value or {}):
        run.failure = "Building your model failed " + _call_failure(result, "setup")
        run.total_seconds = budget.elapsed()
        return run
    for number in range(1, epochs + 1):
        if not _epoch_fits(run, number, budget):
            break
        remaining = budget.remaining()
        result = worker.call(PROBE + "epoch", {"batch_size": batch}, timeout=remaining)
        log(f"  final epoch {number}: {result.status} in {result.seconds:.1f} s")
        if result.status == "timeout":
            run.stopped = _overrun_text(number, result, remaining, budget.total_s, run)
            run.profile = _profile_from_stderr(result.stderr)
            break
        run.failure = _scored_epoch(run, number, result, test_labels)
        if run.failure:
            break
        if settings.get("final_stop_at_full_marks") and number < epochs and score_fraction(run.accuracy, settings) >= 1:
            run.stopped = (f"Training stopped after epoch {number}: its test accuracy already earns full "
                           f"marks, and the course staff chose to stop there (the remaining "
                           f"{epochs - number} epoch(s) could not change the score).")
            break
    run.total_seconds = budget.elapsed()
    return run


def _epoch_fits(run, number, budget):
    """Whether epoch `number` may start; when not, run.stopped says why."""
    elapsed, remaining = budget.elapsed(), budget.remaining()
    if run.epochs and run.epochs[-1]["seconds"] > remaining:
        run.stopped = (f"Training stopped before epoch {number}: {elapsed:.0f} s of the {budget.total_s:.0f} s "
                       f"budget are used and the last epoch took {run.epochs[-1]['seconds']:.0f} s. "
                       f"The model as trained after {len(run.epochs)} epoch(s) is scored.")
        return False
    if remaining <= 0:
        run.stopped = f"The {budget.total_s:.0f} s budget was used up before epoch {number}."
        return False
    return True


def _scored_epoch(run, number, result, test_labels):
    """Score one epoch's answer into run.epochs; the failure text when it cannot be scored, else None."""
    value = result.value if result.ok else None
    if not isinstance(value, dict) or "error" in value:
        run.profile = value.get("profile") if isinstance(value, dict) else None
        return f"Epoch {number} failed " + _call_failure(result, "epoch")
    if value.get("problem") or value.get("predictions") is None:
        return (f"After epoch {number}, predicting the test images failed: "
                f"{value.get('problem') or 'no predictions'}.\n    hint: model(x) must return the "
                f"softmax probabilities, one row of 10 per image.")
    malformed = _malformed_epoch(value, len(test_labels))
    if malformed:
        return f"After epoch {number}, the training worker's answer was malformed: {malformed}."
    predictions = np.asarray(value["predictions"])
    row = {"epoch": number, "accuracy": float(np.mean(predictions == test_labels)),
           "seconds": result.seconds, "fit_seconds": float(value.get("fit_seconds", result.seconds)),
           "history": value.get("history") or {}, "profile": value.get("profile"),
           "non_finite": int(np.sum(predictions < 0))}
    run.epochs.append(row)
    run.predictions = predictions          # the last scored epoch's labels
    run.printed = result.stdout or ""
    loss = row["history"].get("loss")
    if isinstance(loss, str) or row["non_finite"] == len(predictions):
        return (f"Epoch {number}: the training loss is {loss} and "
                f"{row['non_finite']} of {len(predictions)} test predictions are not finite numbers."
                "\n    hint: NaN usually means log(0) (clip y_pred to [eps, 1 - eps] in the "
                "cross-entropy), an overflowing softmax (subtract each row's max), or a learning "
                "rate that is too large.")
    return None


def _malformed_epoch(value, n):
    """Why an epoch's reply cannot be scored (None when it can): one integer label per test image."""
    predictions = value.get("predictions")
    if not isinstance(predictions, np.ndarray) or predictions.dtype.kind not in "iu":
        return f"predictions should be an array of integer labels, got {type(predictions).__name__}"
    if predictions.shape != (n,):
        return f"predictions should have shape ({n},), got {predictions.shape}"
    if not isinstance(value.get("history", {}), dict):
        return "the training history should be a dict"
    if not isinstance(value.get("fit_seconds", 0.0), (int, float)):
        return "fit_seconds should be a number"
    return None


def _call_failure(result, stage_name):
    value = result.value if result.ok else None
    if isinstance(value, dict) and "error" in value:
        return f"in {value.get('stage', stage_name)}: {error_text(value['error'])}"
    if result.status == "memory":
        return (f"because your code ran out of memory: {result.detail}.\n    hint: an array much bigger "
                f"than needed (e.g. a (batch, in, out) weight gradient, or a copy of the whole training set "
                f"per batch) exhausts the memory limit.")
    if result.status == "timeout":
        return f"(it did not finish in time: {result.detail})."
    if result.status == "error" and result.error:
        return ": " + error_text(result.error)
    text = f": {result.detail or ('its answer was malformed' if result.ok else result.status)}"
    printed = (result.stdout or "").strip()
    if printed:
        text += f"\nYour code printed:\n{printed[-STDOUT_SHOWN:]}"
    return text


def _overrun_text(number, result, remaining, budget, run):
    text = (f"Epoch {number} was still running after {result.seconds:.0f} s, the time left of the "
            f"{budget:.0f} s budget, and was stopped.")
    batches = _BATCH_RE.findall(result.stdout or "")
    if batches:
        done, total = int(batches[-1][0]), int(batches[-1][1])
        if 0 < done < total:
            text += (f" Your fit's progress line had reached batch {done}/{total}, so one epoch would take "
                     f"about {result.seconds * total / done:.0f} s.")
    if run.epochs:
        text += f" The model as trained after epoch {number - 1} is scored."
    else:
        text += " No epoch finished, so there is no model to score."
    return text


def _profile_from_stderr(stderr):
    found = _PROFILE_RE.findall(stderr or "")
    if not found:
        return None
    try:
        return json.loads(found[-1])
    except ValueError:
        return None


