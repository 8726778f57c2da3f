"""fall2025: the Keras-flavoured Beras (see shared/docs/editions.md) - Dense, Variable,
GradientTape with tape.gradient(target, sources), optimizers' apply_gradients, SequentialModel,
and predictions.npy as the final score. spring 2025 and fall 2024 submissions share this API
with small differences the checks tolerate (Variable a plain alias of Tensor, no assign, a
cross-entropy without epsilon, no uniform initializers, tuple weights, an unused
``import tensorflow as tf`` in losses.py)."""
import numpy as np

from grader.checks import behaviour
from grader.checks.predictions import retrained_from_run
from grader.checks.registry import GRAPH_FILES, MODEL_FILES, Check, compare_cases, standard_checks
from grader.data import mnist
from grader.editions.base import Edition
from grader.editions.api_table import (attribute as _a, cls as _cls, diffable_members, function as _fn,
                                       method as _m, model_functions, prop as _p, shared_components)
from grader.probes.adapters.fall2025 import Fall2025Api
from grader.runner.predictions import predictions_final_outcome, read_predictions
from grader.runner.training import training_run

NAME = "fall2025"

REQUIRED_FILES = (
    "beras/__init__.py", "beras/core.py", "beras/gradient_tape.py", "beras/layers.py", "beras/activations.py",
    "beras/losses.py", "beras/metrics.py", "beras/onehot.py", "beras/optimizers.py", "beras/model.py",
    "preprocess.py", "assignment.py",
)
MODULES = ("beras", "beras.core", "beras.gradient_tape", "beras.layers", "beras.activations", "beras.losses",
           "beras.metrics", "beras.onehot", "beras.optimizers", "beras.model", "preprocess", "assignment")
# The stencil's given data-download line, and older terms' unused import in losses.py.
ALLOWED_BANNED_IMPORTS = {"preprocess.py": {("tensorflow.keras", "datasets"),
                                            ("tensorflow.keras.datasets", "mnist")},
                          "beras/losses.py": {("tensorflow", None)}}


def _optimizer(name, *keywords):
    return _cls("beras.optimizers", name, ["learning_rate"], list(keywords),
                [_m("apply_gradients", "trainable_params", "grads")])


def _diffable(*forward_args):
    return diffable_members(*forward_args, weights="weights", backward=False)


API = [
    _cls("beras.core", "Tensor", ["input_array"]),
    _cls("beras.core", "Variable", ["input_array"]),
    _cls("beras.core", "Callable", members=[_m("forward")]),
    _cls("beras.core", "Weighted", members=[_p("weights"), _p("trainable_variables"),
                                            _p("non_trainable_variables"), _p("trainable")]),
    _cls("beras.core", "Diffable", members=_diffable()[1:] + [_a("gradient_tape")]),
    _cls("beras.gradient_tape", "GradientTape", members=[_m("gradient", "target", "sources"),
                                                         _m("__enter__"), _m("__exit__", "a", "b", "c")]),
    _cls("beras.layers", "Dense", ["input_size", "output_size"], ["initializer"],
         _diffable("x") + [_m("_initialize_weight", "initializer", "input_size", "output_size")]),
    *shared_components(_diffable),
    _optimizer("BasicOptimizer"),
    _optimizer("RMSProp", "beta", "epsilon"),
    _optimizer("Adam", "beta_1", "beta_2", "epsilon"),
    _cls("beras.model", "SequentialModel", ["layers"], members=[
        _m("forward", "inputs"), _m("compile", "optimizer", "loss_fn", "acc_fn"),
        _m("fit", "x", "y", "epochs", "batch_size"), _m("evaluate", "x", "y", "batch_size"),
        _m("batch_step", "x", "y", keywords=["training"]), _p("weights")]),
    *model_functions(),
    _fn("assignment", "get_model"),
]


def _tape_check(seed):
    rng = behaviour._rng(seed, 40)
    args = {"api": NAME, "w": rng.normal(size=(3, 2)), "b": rng.normal(size=(2,)), "x": rng.normal(size=(4, 3)),
            "unrelated": rng.normal(size=(3, 2))}
    return Check("gradients.tape", "grader.probes.tape:invariants", args, compare_cases,
                 files=GRAPH_FILES + ("beras/gradient_tape.py",))


class Fall2025(Edition):
    """The Keras-flavoured Beras: Dense, GradientTape, apply_gradients, predictions.npy."""
    NAME = NAME
    REQUIRED_FILES = REQUIRED_FILES
    MODULES = MODULES
    API = API
    ALLOWED_BANNED_IMPORTS = ALLOWED_BANNED_IMPORTS
    FINAL_MARKER = None           # the final score comes from predictions.npy, always
    FINAL_FILES = ("assignment.py", "beras/gradient_tape.py") + MODEL_FILES
    GRADIENT_FILES = ("beras/gradient_tape.py",)   # the gradient checks and batch_step go through the tape
    ADAPTER = Fall2025Api
    # Its own Keras-flavoured library; the one-hot encoder and the metric are spring2026's files.
    REFERENCE_SOURCES = (("reference/common", "."), ("reference/fall2025", "."),
                         ("beras/onehot.py", "beras/onehot.py"), ("beras/metrics.py", "beras/metrics.py"))
    CCE_MUST_CLIP = False

    def checks(self, seed=0):
        checks = standard_checks(self, seed)
        informational = [c for c in checks if c.key == "gradients.accumulation"]   # listed last
        return [c for c in checks if c not in informational] + [_tape_check(seed)] + informational

    def final_outcome(self, root, settings, broken, log, budget_s, requested=False):
        """The submitted predictions.npy, scored; reviewed for staff against the grader's own
        training of the student's get_model() (grader/checks/predictions.py)."""
        read = read_predictions(root)
        if not read.ok:                       # nothing to review: no retraining
            return predictions_final_outcome(root, settings, log, predictions=read)
        retrained, problem = _retrained(root, settings, broken, log, budget_s)
        return predictions_final_outcome(root, settings, log, retrained=retrained, retrain_problem=problem,
                                         predictions=read)


# The retraining must not read what it is compared with (a get_model() that loads the
# submitted predictions, or saved weights, would vouch for them): data files stay out.
DATA_SUFFIXES = (".npy", ".npz", ".pkl", ".pickle", ".pt", ".pth", ".h5", ".keras", ".joblib")


def _retrained(root, settings, broken, log, budget_s):
    """(Retrained, "") from the student's get_model() trained here, or (None, why not)."""
    for module in ("beras", "assignment"):
        if module in (broken or {}):
            return None, f"{module} does not import"
    try:
        test_labels = mnist.load("test_labels").astype(np.int8)   # trusted side only
    except mnist.MnistError as error:
        return None, f"the MNIST test labels could not be loaded ({error})"
    log("final: retraining your get_model() to review predictions.npy")
    run, problem = training_run(root, settings, test_labels, log, budget_s, leave_out_suffixes=DATA_SUFFIXES)
    if run is None:
        return None, problem
    retrained = retrained_from_run(run)
    return retrained, "" if retrained else (run.failure or run.stopped or "no epoch finished")


EDITION = Fall2025()
