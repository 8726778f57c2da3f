"""fall2025's final score: the submitted predictions.npy against the true MNIST test labels.

Judgement only, on plain data: the file is read by grader/runner/predictions.py (a
PredictionsFile: labels or a problem), the test labels come from grader/data/mnist.py
in the trusted process, and the student's own get_model() retrained by the grader
(the training runner, FINAL-style budget) arrives as a ``Retrained`` (its predicted
test labels and accuracy), or None when it failed or did not run.

Score: the accuracy of the submitted labels, scored exactly as spring2026's final
training (grader.checks.final.score_fraction: the rubric's final_full_accuracy and
final_zero_accuracy, linear between), and a leaderboard entry.

Safeguards, for staff only. The handout says the grader checks that the predictions
come from the submitted code; a review flags predictions that
- match the true labels exactly, or are more accurate than an MLP written in NumPy
  plausibly gets (predictions_max_plausible_accuracy);
- are far more accurate than the retrained model (predictions_accuracy_margin);
- err independently of the retrained model (predictions_min_error_correlation): two
  trainings of one model, whatever their seeds, get largely the same hard images wrong,
  while a random file, the answer key with some labels changed, or another model's
  outputs do not. The raw agreement rate is reported but not used to flag: it falls
  with accuracy (two honest trainings of a weak model agree on 34-61 % of the images),
  so no one threshold separates honest from copied across the class.
A flag never changes the score or the student's message: the visible Outcome is built
from the submitted labels and the rubric only (``predictions_outcome``); the review is
a separate Outcome (``review_outcome``) for a hidden rubric test and extra_data.
The defaults were measured with benchmarks/prediction_agreement.py (see there).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.checks.final import KEY, score_fraction
from grader.results.outcome import Outcome

REVIEW_KEY = "final.review"

MIN_ERRORS = 20      # fewer mistakes than this on either side say too little about which images are hard

# The rubric settings this module reads (defaults and validation: grader/rubric/load.py):
# predictions_max_plausible_accuracy, predictions_accuracy_margin, predictions_min_error_correlation.


@dataclass(frozen=True)
class Retrained:
    """The student's get_model() trained by the grader: its predicted test labels and accuracy."""
    labels: np.ndarray            # (10000,) predicted labels after the last scored epoch
    accuracy: float
    epochs: int = 0               # epochs the grader trained
    note: str = ""                # why training ended early, if it did (for staff)


def retrained_from_run(run):
    """A Retrained from a grader.checks.final.Run whose last epoch's labels are kept as
    ``run.predictions``; None when that run failed or scored no epoch."""
    labels = getattr(run, "predictions", None)
    if run is None or run.failure or not run.epochs or labels is None:
        return None
    return Retrained(labels=np.asarray(labels), accuracy=float(run.accuracy), epochs=len(run.epochs),
                     note=run.stopped or "")


# ------------------------------------------------------------------ measures

def accuracy(labels, truth):
    return float(np.mean(np.asarray(labels) == np.asarray(truth)))


def error_correlation(wrong, retrained_wrong):
    """The correlation (phi coefficient) of two 0/1 "this image is predicted wrong" indicators;
    None when either side is always right or always wrong (no correlation to measure)."""
    p, q = float(np.mean(wrong)), float(np.mean(retrained_wrong))
    if not (0 < p < 1 and 0 < q < 1):
        return None
    both = float(np.mean(wrong & retrained_wrong))
    return (both - p * q) / float(np.sqrt(p * (1 - p) * q * (1 - q)))


def compare_with_retrained(labels, retrained_labels, truth):
    """How the submitted labels relate to the retrained model's, on the test set.

    agreement           share of images on which both predict the same label
    error_correlation   correlation of the two "predicted wrong" indicators: two trainings of
                        one model get the same hard images wrong (measured: 0.42-0.69 for the
                        reference, 0.21-0.36 for a weak model at 36-70 %), while a random file,
                        the answer key with some labels changed, or outputs unrelated to the
                        model err independently of it (about 0)
    fixed_share         of the images the retrained model gets wrong, the share the submitted
                        labels get right (None when the retrained model makes no mistake)
    """
    labels, retrained, truth = np.asarray(labels), np.asarray(retrained_labels), np.asarray(truth)
    wrong, retrained_wrong = labels != truth, retrained != truth
    errors, retrained_errors = int(np.sum(wrong)), int(np.sum(retrained_wrong))
    return {
        "accuracy": 1.0 - errors / len(truth),
        "retrained_accuracy": 1.0 - retrained_errors / len(truth),
        "agreement": float(np.mean(labels == retrained)),
        "error_correlation": error_correlation(wrong, retrained_wrong),
        "fixed_share": float(np.sum(~wrong & retrained_wrong)) / retrained_errors if retrained_errors else None,
        "errors": errors,
        "retrained_errors": retrained_errors,
    }


# ------------------------------------------------------------------ the review (staff only)

def _flag(code, text):
    return {"flag": code, "why": text}


def review_flags(labels, truth, settings, retrained=None):
    """[{"flag": code, "why": text}] for staff; empty when nothing looks wrong."""
    acc = accuracy(labels, truth)
    flags = []
    plausible = settings["predictions_max_plausible_accuracy"]
    if acc == 1.0:
        flags.append(_flag("exact_labels", "the predictions are exactly the true test labels"))
    elif acc > plausible:
        flags.append(_flag("implausible_accuracy", f"test accuracy {acc:.4f} is above {plausible:.4f}, more than "
                                                   "an MLP written in NumPy plausibly reaches"))
    if retrained is None:
        return flags
    c = compare_with_retrained(labels, retrained.labels, truth)
    margin = settings["predictions_accuracy_margin"]
    if acc - retrained.accuracy > margin:
        flags.append(_flag("far_more_accurate", f"test accuracy {acc:.4f}, the retrained get_model() "
                                                f"{retrained.accuracy:.4f} after {retrained.epochs} epoch(s): "
                                                f"more than {margin:.4f} apart"))
    least = settings["predictions_min_error_correlation"]
    enough = min(c["errors"], c["retrained_errors"]) >= MIN_ERRORS
    if enough and c["error_correlation"] is not None and c["error_correlation"] < least:
        flags.append(_flag("errors_unlike_retrained", f"its mistakes and the retrained get_model()'s are "
                                                      f"correlated {c['error_correlation']:.3f} (agreement "
                                                      f"{c['agreement']:.4f}); two trainings of one model "
                                                      f"correlate at least {least:.3f}"))
    return flags


def review(read, truth, settings, retrained=None, retrain_problem=""):
    """Everything staff see about one submission's predictions, as plain data."""
    data = {"flags": [], "file": read.name, "file_details": read.details, "form": read.form or None,
            "retrained": None, "retrain_problem": retrain_problem or None}
    if retrained is not None:
        data["retrained"] = {"epochs": retrained.epochs, "accuracy": round(retrained.accuracy, 4),
                             "note": retrained.note or None}
    if not read.ok:
        data["problem"] = read.problem
        return data
    data["flags"] = review_flags(read.labels, truth, settings, retrained)
    if retrained is not None:
        data["comparison"] = {k: (round(v, 4) if isinstance(v, float) else v)
                              for k, v in compare_with_retrained(read.labels, retrained.labels, truth).items()}
    return data


def review_text(review_data):
    """The review in words, for staff."""
    flags = review_data["flags"]
    if review_data.get("problem"):
        text = f"No predictions to review ({review_data['problem']})."
    elif not flags:
        text = "Predictions review: no flags."
    else:
        text = "Predictions review: FLAGGED\n" + "\n".join(f"- {f['flag']}: {f['why']}" for f in flags)
    if review_data.get("retrained") is None and not review_data.get("problem"):
        why = review_data.get("retrain_problem")
        text += ("\nThe retrained get_model() was not available" + (f" ({why})" if why else "")
                 + ": only the checks that need no retrained model ran.")
    return text


def review_log_lines(review_data, settings):
    """Lines for the grading run's stdout log, which Gradescope shows to instructors only while
    the rubric's stdout_visibility is "hidden"; none otherwise (a student would read them)."""
    if settings["stdout_visibility"] != "hidden":
        return []
    return review_text(review_data).splitlines()


def review_outcome(review_data):
    """An optional hidden 0-point rubric test REVIEW_KEY: passes when nothing was flagged.

    Not in the draft rubric by default: on Gradescope a hidden test also hides every
    student's total score (see the draft's comment)."""
    return Outcome(REVIEW_KEY, 0.0 if review_data["flags"] else 1.0, review_text(review_data),
                   extra_data={"predictions_review": review_data})


# ------------------------------------------------------------------ the visible score

def predictions_outcome(read, truth, settings, review_data=None):
    """The Outcome of the final test. Its score, message and leaderboard come from the submitted
    file and the rubric only, so a review flag can never show in them; the review, when given,
    is stored in its extra_data (kept by Gradescope, never shown to students)."""
    outcome = _visible_outcome(read, truth, settings)
    if review_data is not None:
        outcome.extra_data["predictions_review"] = review_data
    return outcome


def _visible_outcome(read, truth, settings):
    full, zero = settings["final_full_accuracy"], settings["final_zero_accuracy"]
    scoring = (f"Scoring: full marks at >= {full:.1%} test accuracy, none at <= {zero:.1%}, linear between")
    if not read.ok:
        return Outcome(KEY, 0.0, f"{read.message}\n{scoring}; without readable predictions this test earns "
                                 f"nothing.", extra_data={"predictions": {"file": read.name, "problem": read.problem,
                                                                          **read.details}})
    acc = accuracy(read.labels, truth)
    fraction = score_fraction(acc, settings)
    form = ("predicted labels" if read.form == "labels" else
            "scores, one row of 10 per image; the predicted label is each row's largest")
    text = (f"{read.name}: {len(read.labels)} predictions ({form}).\n"
            f"Test accuracy {acc:.2%} (goal: {full:.0%}).\n"
            f"{scoring}; these predictions earn {fraction:.1%} of the points.")
    return Outcome(KEY, fraction, text, extra_data={"predictions": {"file": read.name, "form": read.form,
                                                                    "accuracy": acc, **read.details}},
                   leaderboard=[{"name": "Accuracy", "value": round(acc, 4), "order": "desc"}])
