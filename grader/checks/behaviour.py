"""Behaviour checks: the student's answers against the reference's, case by case.

Each check names its probe (grader/probes/components.py), builds the probe's
inputs here from a seeded generator, and scores the share of cases that
match. HINTS are shown under a failing case whose label contains the key.
"""
from dataclasses import dataclass, field

import numpy as np

from grader.checks.compare import FLOAT64, differences, error_text, tolerance_for
from grader.results.outcome import Outcome

SEED = 20260

HINTS = {
    "Softmax": "softmax must subtract each row's own max (not the global max) and its "
               "Jacobian is diag(s) - s s^T per sample, shaped (batch, n, n).",
    "LeakyReLU": "the gradient is 1 where x > 0, alpha where x < 0 and 0 at exactly 0.",
    "CategoricalCrossEntropy": "clip y_pred to [eps, 1 - eps]; the gradient w.r.t. y_pred is "
                               "-y_true / y_pred / batch.",
    "MeanSquaredError": "the gradient w.r.t. y_pred is 2 (y_pred - y_true) / (batch * features).",
    "RMSProp": "v = beta v + (1 - beta) g^2, then w -= lr / (sqrt(v) + eps) * g (eps outside the sqrt).",
    "Adam": "increment t once per step(), then use the bias-corrected m_hat and v_hat.",
    "optimizer": "self.parameters is a list of Tensors: loop over it and update each one in place "
                 "(p -= ... or p[:] = ...), skipping those with requires_grad False or grad None.",
    "batch_step(training=False)": "only update weights when training is True.",
    "fit(": "fit must run batch_step on every batch, the last partial one too, and return a dict of lists.",
    "evaluate(": "evaluate must not train; return the averaged metrics (and optionally the predictions for every row).",
    "compose_weight_gradients": "the local weight gradient times J[b], summed over the batch, must give "
                                "dL/dw = x^T J and dL/db = the sum of J over the batch.",
}


@dataclass
class Check:
    key: str
    probe: str
    args: dict
    timeout: float = 20.0
    normalize: object = None          # (label, expected, got) -> (expected, got)
    tolerance: object = field(default=tolerance_for)


def _rng(offset=0):
    return np.random.default_rng(SEED + offset)


def score_cases(key, expected_cases, got_cases, *, normalize=None, tolerance=tolerance_for):
    """Outcome with the share of the reference's cases that the student matches."""
    if not isinstance(got_cases, dict):
        return Outcome(key, 0.0, "The probe returned no results.")
    passed, failures = 0, []
    for label, expected in expected_cases.items():
        got = got_cases.get(label, {"error": {"type": "Missing", "message": "case not run", "student_frame": None}})
        if "error" in got:
            failures.append(f"- {label}: {error_text(got['error'])}")
            continue
        want, have = expected["value"], got["value"]
        if normalize:
            want, have = normalize(label, want, have)
        problems = differences(want, have, **tolerance(label), path="result")
        if problems:
            failures.append(f"- {label}:\n    " + "\n    ".join(p.replace("\n", "\n    ") for p in problems[:3])
                            + _hint(label))
        else:
            passed += 1
    total = len(expected_cases)
    head = f"{passed}/{total} cases match the reference."
    return Outcome(key, passed / total if total else 0.0, head + ("\n" + "\n".join(failures) if failures else ""))


def _hint(label):
    hints = [text for key, text in HINTS.items() if key in label]
    return "".join(f"\n    hint: {h}" for h in hints[:2])


# ---------------------------------------------------------------- inputs

def _linear_configs():
    rng, configs = _rng(1), []
    for dtype in (np.float32, np.float64):
        for bias_shape in ("(out,)", "(1, out)"):
            for batch, n_in, n_out in ((5, 4, 3), (1, 6, 2)):
                w = rng.normal(size=(n_in, n_out)).astype(dtype)
                b = rng.normal(size=(n_out,) if bias_shape == "(out,)" else (1, n_out)).astype(dtype)
                configs.append({"label": f"{np.dtype(dtype).name}, bias {bias_shape}, batch {batch}",
                                "x": rng.normal(size=(batch, n_in)).astype(dtype), "w": w, "b": b,
                                "J": rng.normal(size=(batch, n_out)).astype(dtype)})
    return configs


def _activation_inputs():
    rng, configs = _rng(2), []
    for dtype in (np.float32, np.float64):
        x = rng.normal(size=(4, 5)).astype(dtype)
        x[0, :2] = 0.0  # LeakyReLU's gradient at exactly 0
        configs.append({"label": np.dtype(dtype).name, "x": x, "J": rng.normal(size=(4, 5)).astype(dtype)})
    big = np.array([[1000.0, 1001.0, 1002.0], [0.0, 1.0, 2.0], [-5.0, 3.0, 700.0]])
    configs.append({"label": "float64, large and row-dependent values", "x": big,
                    "J": rng.normal(size=big.shape)})
    specs = [{"class": "LeakyReLU", "kwargs": {}, "label": "LeakyReLU()"},
             {"class": "LeakyReLU", "kwargs": {"alpha": 0.1}, "label": "LeakyReLU(alpha=0.1)"},
             {"class": "ReLU", "kwargs": {}, "label": "ReLU()"},
             {"class": "Sigmoid", "kwargs": {}, "label": "Sigmoid()"},
             {"class": "Softmax", "kwargs": {}, "label": "Softmax()"}]
    return {"specs": specs, "configs": configs}


def _probabilities(rng, batch, n):
    p = rng.uniform(0.05, 1.0, size=(batch, n))
    return p / p.sum(axis=1, keepdims=True)


def _loss_configs():
    rng, configs = _rng(3), []
    for batch, n in ((6, 4), (1, 3)):
        configs.append({"label": f"MeanSquaredError, batch {batch}", "class": "MeanSquaredError",
                        "y_pred": rng.normal(size=(batch, n)), "y_true": rng.normal(size=(batch, n))})
        configs.append({"label": f"CategoricalCrossEntropy, batch {batch}", "class": "CategoricalCrossEntropy",
                        "y_pred": _probabilities(rng, batch, n),
                        "y_true": np.eye(n)[rng.integers(0, n, batch)]})
    clipped = np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]])
    configs.append({"label": "CategoricalCrossEntropy with a 0 probability (clipping)",
                    "class": "CategoricalCrossEntropy", "y_pred": clipped,
                    "y_true": np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])})
    return configs


def _metric_configs():
    rng = _rng(4)
    labels = np.eye(4)[rng.integers(0, 4, 50)]
    return [{"label": "50 random rows", "probs": _probabilities(rng, 50, 4), "labels": labels},
            {"label": "all correct", "probs": labels * 0.9 + 0.025, "labels": labels}]


def _optimizer_configs():
    rng, configs = _rng(5), []
    params = [rng.normal(size=(3, 2)), rng.normal(size=(2,)), rng.normal(size=(1, 2)), rng.normal(size=(2, 2))]
    frozen = [False, False, False, True]
    # Small gradients make sqrt(v) + eps and sqrt(v + eps) clearly different.
    steps = [[rng.normal(scale=1e-3, size=np.shape(p)) for p in params] for _ in range(4)]
    steps[2][1] = None  # a parameter without a gradient this step is left alone
    for cls, kwargs in (("BasicOptimizer", {}), ("RMSProp", {}), ("RMSProp", {"beta": 0.8, "epsilon": 1e-5}),
                        ("Adam", {}), ("Adam", {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6})):
        shown = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        configs.append({"label": f"{cls}({shown}) over 4 steps (optimizer)", "class": cls, "kwargs": kwargs,
                        "lr": 0.01, "params": params, "frozen": frozen, "steps": steps})
    return configs


def _model_args():
    rng = _rng(6)
    weights = [(rng.normal(size=(6, 5)), rng.normal(size=(5,))), (rng.normal(size=(5, 3)), rng.normal(size=(1, 3)))]
    return {"weights": [[w, b] for w, b in weights], "x": rng.normal(size=(20, 6)),
            "y": np.eye(3)[rng.integers(0, 3, 20)], "lr": 0.1}


def _normalize_model(label, expected, got):
    if label.startswith("fit(") and isinstance(got, dict) and isinstance(got.get("lengths"), dict):
        # Any dict of lists with loss and acc will do; the batches must all be seen.
        keys = {"loss", "acc"}
        got = dict(got, lengths=keys <= set(got["lengths"]))
        expected = dict(expected, lengths=True)
    if label.startswith("evaluate(") and isinstance(got, dict) and got.get("predictions") is None:
        expected = {k: v for k, v in expected.items() if k != "predictions"}
    return expected, got


def _normalize_preprocess(label, expected, got):
    def integer_kinds(summary):
        if not isinstance(summary, dict):
            return summary
        out = {}
        for part, desc in summary.items():
            if isinstance(desc, dict) and desc.get("dtype_kind") in ("i", "u"):
                desc = dict(desc, dtype_kind="integer")
            if isinstance(desc, dict) and part.endswith("_x") and desc.get("dtype_kind") == "f":
                desc = dict(desc, dtype_kind="float")
            out[part] = desc
        return out
    return integer_kinds(expected), integer_kinds(got)


def behaviour_checks():
    rng = _rng(0)
    tensor_x = rng.normal(size=(3, 4))
    w, b = rng.normal(size=(3, 2)), np.zeros(2)
    return [
        Check("behaviour.tensor", "grader.probes.components:tensor", {"x": tensor_x, "y": tensor_x * 2}),
        Check("behaviour.weighted", "grader.probes.components:weighted", {"w": w, "b": b}),
        Check("behaviour.linear", "grader.probes.components:linear", {"configs": _linear_configs()}),
        Check("behaviour.activations", "grader.probes.components:activations", _activation_inputs()),
        Check("behaviour.losses", "grader.probes.components:losses", {"configs": _loss_configs()}),
        Check("behaviour.metrics", "grader.probes.components:metrics", {"configs": _metric_configs()}),
        Check("behaviour.optimizers", "grader.probes.components:optimizers", {"configs": _optimizer_configs()},
              tolerance=lambda label: FLOAT64),
        Check("behaviour.model", "grader.probes.components:model", _model_args(), timeout=30,
              normalize=_normalize_model),
        Check("behaviour.preprocess", "grader.probes.components:preprocess", {"rows": [0, 1, 59999]},
              timeout=60, normalize=_normalize_preprocess, tolerance=lambda label: {"rtol": 1e-5, "atol": 1e-6}),
    ]
