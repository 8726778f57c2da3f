"""The staff review against a real retraining of the student's get_model() on real MNIST.

Honest predictions (the submission's own assignment.py, or its model trained with
another seed) are not flagged, on the reference and on the course-faithful base; the
answer key, a near-perfect copy, a copy as accurate as the model, a random file, and
a strong model's outputs submitted with weak code are."""
import shutil

import numpy as np
import pytest

from grader.checks import predictions as judge
from grader.rubric import load_rubric
from grader.runner.predictions import predictions_final_outcome, read_predictions
from tests.bases import BASES, build_base
from tests.predictions.files import truth, with_errors
from tests.predictions.training import retrain, run_assignment, train_scores

EPOCHS = 2
# The course's per-sample compose loops take 100-600 s an epoch on this shared machine: the course
# base trains one epoch on the first 12000 training images (both sides alike), about 92 %.
COURSE_EPOCHS, COURSE_ROWS = 1, 12000
# The defaults grader/rubric/fall2025.toml carries,
# written out here so that the tests say which values they vouch for.
RUBRIC = """
[settings]
stdout_visibility = "hidden"
final_full_accuracy = 0.95
final_zero_accuracy = 0.80
predictions_max_plausible_accuracy = 0.993
predictions_accuracy_margin = 0.05
predictions_min_error_correlation = 0.15

[tests."final.accuracy"]
name = "Final: predictions"
number = "5.1"
points = 20
visibility = "visible"
"""
# A student's own, weaker models, through the public API (appended to assignment.py).
WEAK = """

from beras.activations import Sigmoid as _Sigmoid, Softmax as _Softmax
from beras.layers import Dense as _Dense
from beras.model import SequentialModel as _SequentialModel
from beras.optimizers import BasicOptimizer as _BasicOptimizer


def get_model():
    return _SequentialModel([_Dense(784, 16), _Sigmoid(), _Dense(16, 10), _Softmax()])


def get_optimizer():
    return _BasicOptimizer(0.05)
"""
MIDDLING = """

from beras.activations import ReLU as _ReLU, Softmax as _Softmax
from beras.layers import Dense as _Dense
from beras.model import SequentialModel as _SequentialModel
from beras.optimizers import BasicOptimizer as _BasicOptimizer


def get_model():
    return _SequentialModel([_Dense(784, 32, initializer="kaiming"), _ReLU(), _Dense(32, 10), _Softmax()])


def get_optimizer():
    return _BasicOptimizer(0.1)
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    path = tmp_path_factory.mktemp("rubric") / "rubric.toml"
    path.write_text(RUBRIC)
    return load_rubric(path, edition="fall2025").settings


@pytest.fixture(scope="module")
def labels():
    return truth()


def _base(dest, base):
    try:
        return build_base(dest, base, edition="fall2025")
    except ValueError as error:        # the fall2025 course base comes with its own helper's branch
        pytest.skip(f"no fall2025 {base} base here: {error}")


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory, labels):
    """(the reference submission with the predictions.npy its assignment.py writes, a retraining)."""
    root = build_base(tmp_path_factory.mktemp("reference") / "submission", "reference", edition="fall2025")
    run_assignment(root, EPOCHS)              # the student's step, as the handout says
    return root, retrain(root, seed=1, epochs=EPOCHS, batch=64, truth=labels)


@pytest.fixture(scope="module", params=BASES)
def honest(request, tmp_path_factory, labels):
    """(submission with its own predictions.npy, the grader-style retraining with another seed)."""
    if request.param == "reference":
        return request.getfixturevalue("reference_run")
    root = _base(tmp_path_factory.mktemp(f"honest_{request.param}") / "submission", request.param)
    # The course's assignment.py trains for a fixed number of epochs: the same calls, fewer epochs.
    shutil.move(train_scores(root, seed=0, epochs=COURSE_EPOCHS, batch=128, out=root.parent / "p.npy",
                             rows=COURSE_ROWS), root / "predictions.npy")
    return root, retrain(root, seed=1, epochs=COURSE_EPOCHS, batch=64, truth=labels, rows=COURSE_ROWS)


def _flags(labels_submitted, labels, settings, retrained):
    return [f["flag"] for f in judge.review_flags(labels_submitted, labels, settings, retrained)]


def test_honest_predictions_are_not_flagged(honest, labels, settings):
    root, retrained = honest
    read = read_predictions(root)
    assert read.ok, read.message
    logged = []
    outcome = predictions_final_outcome(root, settings, logged.append, retrained=retrained)
    review = outcome.extra_data["predictions_review"]
    assert review["flags"] == [], review
    assert outcome.fraction > 0.5, outcome.output
    assert any("no flags" in line for line in logged)
    assert review["comparison"]["error_correlation"] > settings["predictions_min_error_correlation"]


def test_the_true_labels_are_flagged(reference_run, labels, settings):
    _, retrained = reference_run
    assert "exact_labels" in _flags(labels, labels, settings, retrained)


def test_a_near_perfect_copy_is_flagged(reference_run, labels, settings):
    _, retrained = reference_run
    flags = _flags(with_errors(labels, 40), labels, settings, retrained)      # 99.6 %
    assert "implausible_accuracy" in flags and "errors_unlike_retrained" in flags


def test_a_copy_exactly_as_accurate_as_the_model_is_flagged(reference_run, labels, settings):
    root, retrained = reference_run
    own = read_predictions(root).labels
    copy = with_errors(labels, int(np.sum(own != labels)))                  # the honest file's accuracy
    assert _flags(own, labels, settings, retrained) == []
    assert _flags(copy, labels, settings, retrained) == ["errors_unlike_retrained"]


def test_a_random_file_is_flagged(reference_run, labels, settings):
    _, retrained = reference_run
    random = np.random.default_rng(7).integers(0, 10, size=len(labels))
    assert "errors_unlike_retrained" in _flags(random, labels, settings, retrained)


def test_strong_predictions_with_weak_code_are_flagged(reference_run, tmp_path, labels, settings):
    """The reference's predictions.npy submitted with a get_model() that cannot produce them."""
    root, _ = reference_run
    weak = build_base(tmp_path / "weak", "reference", edition="fall2025")
    with open(weak / "assignment.py", "a") as f:
        f.write(WEAK)
    retrained = retrain(weak, seed=1, epochs=1, batch=64, truth=labels)
    assert retrained.accuracy < 0.8, retrained
    flags = _flags(read_predictions(root).labels, labels, settings, retrained)
    assert "far_more_accurate" in flags


def test_a_middling_honest_model_is_not_flagged(tmp_path, labels, settings):
    """Two trainings of a 91-95 % model agree less than the reference's do; still no flag."""
    root = build_base(tmp_path / "middling", "reference", edition="fall2025")
    with open(root / "assignment.py", "a") as f:
        f.write(MIDDLING)
    run_assignment(root, EPOCHS)
    retrained = retrain(root, seed=1, epochs=EPOCHS, batch=64, truth=labels)
    read = read_predictions(root)
    assert 0.85 < judge.accuracy(read.labels, labels) < 0.97
    assert judge.review(read, labels, settings, retrained)["flags"] == []
