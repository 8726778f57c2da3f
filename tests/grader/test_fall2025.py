"""Grading the fall2025 edition: the same checks as spring2026 through the Keras-flavoured API
(Dense, .weights, GradientTape, apply_gradients), the tape's own contract, and older terms'
differences tolerated. Bugs are methods redefined through the public API, so each applies to
every fall2025 base."""
import io
import json
from pathlib import Path

import numpy as np
import pytest

from grader.rubric.load import load_rubric
from tests.bases import BASES, COURSE_EDITIONS
from tests.grader.submissions import grade_json, losers, make_submission, summary
from tests.results.schema import validate_results

RUBRIC_PATH = Path(__file__).resolve().parents[1] / "rubrics" / "fall2025.toml"
NUMBER = {t.key: t.number for t in load_rubric(RUBRIC_PATH, edition="fall2025")}
FALL_BASES = [b for b in BASES if b == "reference" or "fall2025" in COURSE_EDITIONS]
NOT_JUDGED = {NUMBER["final.accuracy"]}


def grade_fall(root):
    results = grade_json(root, edition_name="fall2025", rubric_path=RUBRIC_PATH)
    validate_results(results)
    return results


def numbers(*keys):
    return {NUMBER[k] for k in keys}


# A student's own tape.gradient, with a switch for each classic walking mistake: queuing
# every input twice, or passing the upstream gradient straight through a layer without weights.
TAPE_WALK = """
def _walk(self, target, sources, twice=False, skip=False):
    grads, queue = {}, [(target, None)]
    while queue:
        tensor, upstream = queue.pop(0)
        layer = self.previous_layers[id(tensor)]
        if layer is None:
            continue
        if skip and not list(layer.weights) and upstream is not None:
            queue.append((layer.inputs[0], upstream))
            continue
        J = None if upstream is None else [upstream]
        for w, g in zip(layer.weights, layer.compose_weight_gradients(J)):
            grads[id(w)] = g if id(w) not in grads else grads[id(w)] + g
        for x, g in zip(layer.inputs, layer.compose_input_gradients(J)):
            grads[id(x)] = g if id(x) not in grads else grads[id(x)] + g
            queue.extend([(x, g)] * (2 if twice else 1))
    return [grads.get(id(s)) for s in sources]
"""

BUGS = {
    # found by the mutation campaign: the layer's own trainable flag went unchecked in fall2025 (its
    # weights' flags share the name and took its place in the probe's answer)
    "Weighted.trainable is True only when every weight is trainable": (
        {"beras/core.py": """
            Weighted.trainable = property(lambda self: all(w.trainable for w in self.weights),
                                          Weighted.trainable.fset)
            """},
        ("behaviour.weighted",)),
    "Dense.forward without the bias": (
        {"beras/layers.py": "Dense.forward = lambda self, x: x @ self.w\n"},
        ("behaviour.linear", "behaviour.model", "gradients.layers", "gradients.models", "gradients.general_graph",
         "gradients.tape")),
    "tape.gradient returns the sources' gradients in reverse order": (
        {"beras/gradient_tape.py": """
            _gradient_in_order = GradientTape.gradient
            GradientTape.gradient = lambda self, target, sources: _gradient_in_order(self, target, sources)[::-1]
            """},
        ("behaviour.model", "gradients.layers", "gradients.models", "gradients.general_graph", "gradients.tape")),
    "tape.gradient visits every input twice": (
        {"beras/gradient_tape.py": TAPE_WALK + "GradientTape.gradient = lambda self, t, s: _walk(self, t, s, twice=True)\n"},
        ("behaviour.model", "gradients.layers", "gradients.models", "gradients.general_graph", "gradients.tape")),
    "tape.gradient skips the layers without weights (activations)": (
        {"beras/gradient_tape.py": TAPE_WALK + "GradientTape.gradient = lambda self, t, s: _walk(self, t, s, skip=True)\n"},
        ("behaviour.model", "gradients.layers", "gradients.models", "gradients.general_graph")),
    "BasicOptimizer rebinds list entries instead of updating in place": (
        {"beras/optimizers.py": """
            def _rebinding(self, trainable_params, grads):
                for i, (p, g) in enumerate(zip(trainable_params, grads)):
                    trainable_params[i] = p - self.learning_rate * g
            BasicOptimizer.apply_gradients = _rebinding
            """},
        ("behaviour.optimizers", "behaviour.model")),
    "MeanSquaredError's gradient without 1/(batch*features)": (
        {"beras/losses.py": """
            import numpy as _np
            def _mse_gradient(self):
                y_pred, y_true = (_np.asarray(t) for t in self.inputs)
                return [2 * (y_pred - y_true)]
            MeanSquaredError.get_input_gradients = _mse_gradient
            """},
        ("behaviour.losses", "gradients.layers", "gradients.models", "gradients.tape")),
}


@pytest.mark.parametrize("base", FALL_BASES)
def test_a_correct_fall2025_submission_loses_nothing(tmp_path, base):
    results = grade_fall(make_submission(tmp_path, base=base, edition="fall2025"))
    assert losers(results, ignore=NOT_JUDGED) == set(), summary(results)


@pytest.mark.parametrize("bug", sorted(BUGS))
@pytest.mark.parametrize("base", FALL_BASES)
def test_one_bug_loses_exactly_the_tests_that_exercise_it(tmp_path, base, bug):
    overrides, keys = BUGS[bug]
    results = grade_fall(make_submission(tmp_path, base=base, edition="fall2025", overrides=overrides))
    assert losers(results, ignore=NOT_JUDGED) == numbers(*keys), summary(results)


OLDER_TERMS = {
    # spring 2025 / fall 2024: Variable a plain alias, no assign, tuple weights, a cross-entropy
    # without epsilon, and the stencil's unused TensorFlow import in losses.py.
    "beras/core.py": """
        Variable = Tensor
        del Tensor.assign
        """,
    "beras/layers.py": """
        Dense.weights = property(lambda self: (self.w, self.b))
        """,
    "beras/losses.py": """
        import tensorflow as tf
        import numpy as _np
        def _plain_forward(self, y_pred, y_true):
            return -_np.sum(_np.asarray(y_true) * _np.log(_np.asarray(y_pred))) / len(y_pred)
        def _plain_gradient(self):
            y_pred, y_true = (_np.asarray(t) for t in self.inputs)
            return [-y_true / y_pred / len(y_pred)]
        CategoricalCrossEntropy.__init__ = lambda self: None
        CategoricalCrossEntropy.forward = _plain_forward
        CategoricalCrossEntropy.get_input_gradients = _plain_gradient
        """,
}


def test_older_terms_differences_cost_nothing(tmp_path):
    results = grade_fall(make_submission(tmp_path, edition="fall2025", overrides=OLDER_TERMS))
    assert losers(results, ignore=NOT_JUDGED) == set(), summary(results)
    banned = {t["number"]: t for t in results["tests"]}[NUMBER["banned"]]
    assert "beras/losses.py" in banned["output"] and "import tensorflow as tf" in banned["output"]


def test_the_untouched_stencil_earns_nothing_for_student_tasks(tmp_path):
    stencil = Path(__file__).resolve().parents[2] / "submission_template" / "fall2025"
    results = grade_fall(stencil)
    earned = {t["number"] for t in results["tests"] if t["score"] > 0}
    # The given parts of the tape (refusing a nested tape, uninstalling itself) are the only
    # behaviour a stencil has.
    assert earned <= numbers("gradients.tape"), summary(results)


def test_a_spring2026_submission_graded_as_fall2025_is_told_so(tmp_path):
    results = grade_fall(make_submission(tmp_path))
    assert "spring2026 edition" in results["output"] and "fall2025" in results["output"]


# ------------------------------------------------------------------ the final score: predictions.npy

def _one_epoch_rubric(tmp_path):
    path = tmp_path / "rubric.toml"
    path.write_text(RUBRIC_PATH.read_text().replace("final_epochs = 5", "final_epochs = 1"))
    return path


def _true_labels():
    from grader.data import mnist
    return mnist.load("test_labels").astype(np.int64)


NO_PEEKING = {"assignment.py": """
    import os as _os
    _get_model_as_written = get_model
    def get_model():
        # The grader's retraining must not be able to read the predictions it is compared with.
        if any(name.lower().endswith(".npy") for name in _os.listdir(".")):
            raise RuntimeError("LEAK: a .npy file is visible to the retraining")
        return _get_model_as_written()
    """}


@pytest.mark.timeout(600)
def test_copied_true_labels_score_as_they_are_but_are_flagged_for_staff_only(tmp_path):
    root = make_submission(tmp_path, edition="fall2025", overrides=NO_PEEKING,
                           extra_files={"predictions.npy": _npy(_true_labels())})
    results = grade_json(root, edition_name="fall2025", rubric_path=_one_epoch_rubric(tmp_path))
    validate_results(results)
    final = {t["number"]: t for t in results["tests"]}[NUMBER["final.accuracy"]]
    assert final["score"] == final["max_score"], final["output"]        # a flag never changes the score
    review = final["extra_data"]["predictions_review"]
    assert [f["flag"] for f in review["flags"]][:1] == ["exact_labels"], review
    assert review["retrained"] and review["retrained"]["epochs"] == 1, review    # no LEAK: it trained
    visible = json.dumps([t["output"] for t in results["tests"]]) + results.get("output", "")
    assert "exact_labels" not in visible and "review" not in visible.lower()


def test_a_missing_predictions_file_is_explained(tmp_path):
    results = grade_fall(make_submission(tmp_path, edition="fall2025"))
    final = {t["number"]: t for t in results["tests"]}[NUMBER["final.accuracy"]]
    assert final["score"] == 0
    assert "predictions.npy" in final["output"] and "assignment.py" in final["output"]


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_an_older_term_course_submission_loses_nothing(tmp_path):
    """The course base rewritten as spring 2025 / fall 2024 handed it out (tests/bases/older_terms.py)."""
    from tests.bases import build_base
    results = grade_fall(build_base(tmp_path / "older", "course", edition="fall2025", variant="older"))
    assert losers(results, ignore=NOT_JUDGED) == set(), summary(results)
