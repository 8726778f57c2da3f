"""Hints that fire only when their mistake is recognised in the answers.

A recogniser looks at one failing case - the grader's own inputs, the expected and
the submitted answer - and returns hints when the data shows a known mistake (an
optimizer that left its parameters alone, a softmax that is NaN only where a global
max underflows, an RMSProp whose numbers are those of sqrt(v + eps)...). Nothing is
inferred from message text.

Each hint comes at two levels of detail: the concept to revisit, and the formula.
The rubric's ``hint_detail`` setting ("formula", "concept" or "none") says how much
the students see.

The optimizer mistakes are recognised by simulating the wrong updates next to the
right one (grader/checks/optimizer_variants.py). That module is the optimizers'
solution in another form, so the students' self-check kit leaves it out; there,
only the hint that needs no simulation (parameters left unchanged) fires.
"""
from dataclasses import dataclass

import numpy as np

try:
    import grader.checks.optimizer_variants as optimizer_variants
except ModuleNotFoundError as missing:  # the students' self-check kit ships without it
    if missing.name != "grader.checks.optimizer_variants":
        raise
    optimizer_variants = None

DETAILS = ("formula", "concept", "none")


@dataclass(frozen=True)
class Hint:
    concept: str
    formula: str = ""

    def text(self, detail):
        if detail == "none":
            return ""
        if detail == "formula" and self.formula:
            return f"{self.concept} {self.formula}"
        return self.concept


SOFTMAX_ROW_MAX = Hint("softmax must subtract each row's own max, not the max of the whole batch: "
                       "with the global max, rows far below it underflow to 0/0 = NaN.")
SOFTMAX_JACOBIAN = Hint("softmax's input gradient is one full Jacobian per sample, shaped (batch, n, n), "
                        "not only its diagonal.", "It is diag(s) - s s^T.")
RELU_AT_ZERO = Hint("the gradient differs only where x is exactly 0:",
                    "it is 1 where x > 0, alpha where x < 0 and 0 at exactly 0.")
LOSS_GRADIENT = {
    "CategoricalCrossEntropy": Hint("the loss is a mean over the batch, so its gradient carries 1/batch; "
                                    "use the clipped predictions.",
                                    "d/dy_pred = -y_true / clip(y_pred) / batch."),
    "MeanSquaredError": Hint("the loss is a mean over every entry, so its gradient carries 1/(batch * features).",
                             "d/dy_pred = 2 (y_pred - y_true) / (batch * features)."),
}
IN_PLACE = Hint("the parameters never changed: self.parameters holds the layers' own Tensors, so update "
                "each one in place (p -= ..., or p[:] = ...) instead of rebinding a name or a list entry.")
EPS_OUTSIDE_SQRT = Hint("your numbers are those of sqrt(v + eps): epsilon goes outside the square root.",
                        "w -= lr / (sqrt(v) + eps) * g.")
ADAM_BIAS_CORRECTION = Hint("your numbers are those of Adam without bias correction.",
                            "m_hat = m / (1 - beta_1^t), v_hat = v / (1 - beta_2^t).")
ADAM_T_PER_STEP = Hint("your numbers are those of an Adam whose t grows once per parameter: t counts "
                       "step() calls, once per step.")
FROZEN_UPDATED = Hint("a parameter with requires_grad False was updated: skip it (and parameters "
                      "whose grad is None).")
TRAINING_FALSE = Hint("batch_step(training=False) must not update the weights (no backward, no step).")
LAST_PARTIAL_BATCH = Hint("the last, partial batch was not trained on: loop over every batch, the last "
                          "one too (20 rows with batch size 7 are batches of 7, 7 and 6).")
LAST_BATCH_PREDICTIONS = Hint("evaluate returned predictions for fewer rows than it was given: keep every "
                              "batch's predictions and concatenate them.")
WEIGHT_COMPOSE = Hint("the local weight gradient times J[b], summed over the batch, must give dL/dw "
                      "and dL/db.", "dL/dw = x^T J and dL/db = the sum of J over the batch.")


def _finite(a):
    return np.all(np.isfinite(np.asarray(a, dtype=np.float64)))


def _close(a, b):
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.size == b.size and np.allclose(a.reshape(b.shape), b, rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------ activations

def activation_hints(spec, config, expected, got):
    if not isinstance(got, dict):
        return []
    hints = []
    forward_ok = _close(got.get("forward"), expected["forward"])
    if spec["class"] == "Softmax":
        if not forward_ok and _finite(expected["forward"]) and not _finite(got.get("forward", 0)):
            hints.append(SOFTMAX_ROW_MAX)
        elif forward_ok and not _close(got.get("input_gradient"), expected["input_gradient"]):
            hints.append(SOFTMAX_JACOBIAN)
    if spec["class"] in ("LeakyReLU", "ReLU") and forward_ok:
        x = np.asarray(config["x"])
        g, e = got.get("input_gradient"), np.asarray(expected["input_gradient"])
        try:
            g = np.asarray(g, dtype=np.float64).reshape(e.shape)
        except (TypeError, ValueError):
            return hints
        wrong = ~np.isclose(g, e, rtol=1e-5, atol=1e-8)
        if wrong.any() and np.all(x[wrong] == 0):
            hints.append(RELU_AT_ZERO)
    return hints


# ------------------------------------------------------------------ losses

def loss_hints(config, expected, got):
    if isinstance(got, dict) and not _close(got.get("gradient_y_pred"), expected["gradient_y_pred"]):
        return [LOSS_GRADIENT[config["class"]]]
    return []


# ------------------------------------------------------------------ optimizers

VARIANT_HINTS = {"eps inside sqrt": EPS_OUTSIDE_SQRT, "no bias correction": ADAM_BIAS_CORRECTION,
                 "t per parameter": ADAM_T_PER_STEP, "frozen updated": FROZEN_UPDATED}


def optimizer_hints(config, step, got):
    """step: 0-based index of the step whose values failed; got: the parameters then."""
    if not isinstance(got, list) or len(got) != len(config["params"]):
        return []
    if all(_close(g, p) for g, p in zip(got, config["params"])):
        return [IN_PLACE]
    if optimizer_variants is None:   # the students' self-check kit: no simulated updates to compare with
        return []
    for variant in optimizer_variants.variants_of(config["class"]):
        if all(_close(g, w) for g, w in zip(got, optimizer_variants.trajectory(config, variant)[step])):
            return [VARIANT_HINTS[variant]]
    return []


# ------------------------------------------------------------------ model

def model_hints(case, expected, got, args):
    """case: what the grader knows of the case (which part of the model probe, which fact)."""
    where = (case.get("part"), case.get("fact"))
    if where == ("evaluation_step", "weights_unchanged") and got is False:
        return [TRAINING_FALSE]
    if where == ("fit", "batch_sizes") and isinstance(got, (list, np.ndarray)) and _total(got) < _total(expected):
        return [LAST_PARTIAL_BATCH]
    if where == ("evaluate", "predictions") and isinstance(got, np.ndarray) and got.ndim >= 1 and \
            len(got) < len(args["x"]):
        return [LAST_BATCH_PREDICTIONS]
    return []


def _total(sizes):
    try:
        return float(np.sum(np.asarray(sizes, dtype=np.float64)))
    except (TypeError, ValueError):
        return float("nan")
