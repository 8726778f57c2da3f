"""spring2026: the PyTorch-flavoured Beras (see shared/docs/editions.md): Linear, .parameters,
loss.backward(), Optimizer(parameters, lr), FINAL.txt. The API table's form: api_table.py."""
from grader.checks.registry import MODEL_FILES, standard_checks
from grader.editions.api_table import (attribute as _a, cls as _cls, diffable_members, function as _fn,
                                       method as _m, model_functions, prop as _p, shared_components)
from grader.editions.base import Edition
from grader.probes.adapters.spring2026 import Spring2026Api

NAME = "spring2026"

# Files a submission must have, relative to its root (the folder holding beras/).
REQUIRED_FILES = (
    "beras/__init__.py", "beras/core.py", "beras/layers.py", "beras/activations.py",
    "beras/losses.py", "beras/metrics.py", "beras/onehot.py", "beras/optimizers.py",
    "beras/model.py", "preprocess.py", "assignment.py",
)
# The stencil's given data-download line, served by the grader's stand-in.
ALLOWED_BANNED_IMPORTS = {"preprocess.py": {("tensorflow.keras", "datasets"),
                                            ("tensorflow.keras.datasets", "mnist")}}
FINAL_MARKER = "final.txt"   # matched case-insensitively at the submission root

MODULES = ("beras", "beras.core", "beras.layers", "beras.activations", "beras.losses",
           "beras.metrics", "beras.onehot", "beras.optimizers", "beras.model",
           "preprocess", "assignment")


def _diffable(*forward_args):
    return diffable_members(*forward_args)


API = [
    _cls("beras.core", "Tensor", ["input_array"], ["name"],
         [_m("assign", "value"), _m("get_name"), _a("no_grad")]),
    _cls("beras.core", "Callable", members=[_m("forward")]),
    _cls("beras.core", "Weighted", members=[_p("parameters"), _p("trainable_variables"),
                                            _p("non_trainable_variables"), _p("trainable")]),
    _cls("beras.core", "Diffable", members=_diffable()[1:]),
    _cls("beras.layers", "Linear", ["input_size", "output_size"], ["initializer"],
         _diffable("x") + [_m("_initialize_weight", "initializer", "input_size", "output_size")]),
    *shared_components(_diffable),
    _cls("beras.optimizers", "BasicOptimizer", ["parameters", "learning_rate"],
         members=[_m("step"), _m("zero_grad")]),
    _cls("beras.optimizers", "RMSProp", ["parameters", "learning_rate"], ["beta", "epsilon"],
         members=[_m("step"), _m("zero_grad")]),
    _cls("beras.optimizers", "Adam", ["parameters", "learning_rate"],
         ["beta_1", "beta_2", "epsilon"], members=[_m("step"), _m("zero_grad")]),
    _cls("beras.model", "Sequential", members=[
        _m("forward", "inputs"), _m("compile", "optimizer", "loss_fn", "acc_fn"),
        _m("fit", "x", "y", "epochs", "batch_size"), _m("evaluate", "x", "y", "batch_size"),
        _m("batch_step", "x", "y", keywords=["training"]), _p("parameters")]),
    *model_functions(),
    _fn("assignment", "get_model"),
    _fn("assignment", "get_optimizer", "model"),
    _fn("assignment", "get_loss_fn"),
    _fn("assignment", "get_acc_fn"),
]


class Spring2026(Edition):
    """The PyTorch-flavoured Beras: Linear, loss.backward(), Optimizer(parameters, lr), FINAL.txt."""
    NAME = NAME
    REQUIRED_FILES = REQUIRED_FILES
    MODULES = MODULES
    API = API
    ALLOWED_BANNED_IMPORTS = ALLOWED_BANNED_IMPORTS
    FINAL_MARKER = FINAL_MARKER
    FINAL_FILES = ("assignment.py",) + MODEL_FILES
    ADAPTER = Spring2026Api
    REFERENCE_SOURCES = (("beras", "beras"), ("reference/common", "."), ("reference/spring2026", "."))

    def checks(self, seed=0):
        return standard_checks(self, seed)


EDITION = Spring2026()
