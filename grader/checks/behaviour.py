"""Behaviour checks: the student's answers against the reference's, case by case.

Each check names its probe (grader/probes/components.py), builds the probe's
inputs here from a seeded generator, and scores the share of cases that
match. A failing case shows the hints its check's ``diagnose`` recognises in the
answers (grader/checks/hints.py).
"""
from dataclasses import dataclass, field

import numpy as np

from grader.checks import hints
from grader.checks.compare import FLOAT64, differences, error_text, tolerance_for
from grader.results.outcome import Outcome

SEED = 20260
# A preprocess that keeps two float64 copies of MNIST runs out of a worker's memory on
# Gradescope; it is judged again on this slice (training rows, test rows), and told why.
PREPROCESS_SUBSET_ENV = {
    "env": {"BERAS_MNIST_SUBSET": "10000,2000"},
    "note": ("Your load_and_preprocess_data() ran out of the grader's memory on the full MNIST, so it was "
             "checked on the first 10000 training and 2000 test examples instead. Hint: float64 copies of "
             "the training set take 376 MB each; convert once (e.g. .astype(np.float32) / 255, or divide "
             "in place with /=)."),
}


@dataclass
class Check:
    key: str
    probe: str
    args: dict
    timeout: float = 20.0
    normalize: object = None          # (label, expected, got) -> (expected, got)
    tolerance: object = field(default=tolerance_for)
    diagnose: object = None           # (label, expected, got) -> [hints.Hint]: recognised mistakes


def _rng(offset=0):
    return np.random.default_rng(SEED + offset)


def score_cases(key, expected_cases, got_cases, *, normalize=None, tolerance=tolerance_for, diagnose=None,
                hint_detail="formula"):
    """Outcome with the share of the reference's cases that the student matches.

    Cases that fail in the same way (e.g. one NotImplementedError behind every case) are
    reported once, with the list of cases."""
    if not isinstance(got_cases, dict):
        return Outcome(key, 0.0, "The probe returned no results.")
    passed, failures = 0, {}
    for label, expected in expected_cases.items():
        got = got_cases.get(label)
        if not isinstance(got, dict) or not ("value" in got or "error" in got):
            got = {"error": {"type": "Missing", "message": "case not run", "student_frame": None}}
        if "error" in got:
            failures.setdefault(error_text(got["error"]), []).append(label)
            continue
        want, have = expected["value"], got["value"]
        if normalize:
            want, have = normalize(label, want, have)
        problems = differences(want, have, **tolerance(label), path="result", hints=hint_detail != "none")
        if not problems:
            passed += 1
            continue
        hints = _hint_lines(diagnose, label, expected["value"], got["value"], hint_detail)
        text = "\n".join(problems[:3]) + hints
        failures.setdefault(text, []).append(label)
    total = len(expected_cases)
    head = f"{passed}/{total} cases match the reference."
    return Outcome(key, passed / total if total else 0.0, head + "".join(
        _failure_block(labels, text) for text, labels in failures.items()))


def _failure_block(labels, text):
    shown = labels[0] if len(labels) == 1 else f"{len(labels)} cases ({'; '.join(labels[:6])}" + \
        (f"; ... {len(labels) - 6} more" if len(labels) > 6 else "") + ")"
    return f"\n- {shown}:\n    " + text.replace("\n", "\n    ")


def _hint_lines(diagnose, label, expected, got, detail):
    if diagnose is None or detail == "none":
        return ""
    try:
        found = diagnose(label, expected, got)
    except Exception:  # a hint is a courtesy: never let it cost the verdict
        return ""
    return "".join(f"\nhint: {h.text(detail)}" for h in found[:2])


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
    specs = [("LeakyReLU", {}, "LeakyReLU()"), ("LeakyReLU", {"alpha": 0.1}, "LeakyReLU(alpha=0.1)"),
             ("ReLU", {}, "ReLU()"), ("Sigmoid", {}, "Sigmoid()"), ("Softmax", {}, "Softmax()")]
    return {"cases_spec": [{"label": f"{shown} [{c['label']}]", "class": cls, "kwargs": kwargs,
                            "x": c["x"], "J": c["J"]}
                           for cls, kwargs, shown in specs for c in configs]}


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
        configs.append({"label": f"{cls}({shown}) over 4 steps", "class": cls, "kwargs": kwargs,
                        "lr": 0.01, "params": params, "frozen": frozen, "steps": steps})
    return configs


def _model_args():
    rng = _rng(6)
    weights = [(rng.normal(size=(6, 5)), rng.normal(size=(5,))), (rng.normal(size=(5, 3)), rng.normal(size=(1, 3)))]
    return {"weights": [[w, b] for w, b in weights], "x": rng.normal(size=(20, 6)),
            "y": np.eye(3)[rng.integers(0, 3, 20)], "lr": 0.1}


def _normalize_model(label, expected, got):
    if isinstance(expected, dict) and "batches" in expected:
        return _either_average(expected, got)
    if label.endswith("predictions for every row") and got is None:
        return None, None  # evaluate may return the metrics alone (the handout allows both)
    return expected, got


def _either_average(expected, got):
    """evaluate's metrics: the mean over batches, weighted by batch size (ours) or not (the
    given update_metric_dict's convention). Both are right; the batches are the reference's."""
    batches = [b for b in expected["batches"] if None not in b]
    candidates = [{k: v for k, v in expected.items() if k != "batches"}]
    if batches:
        sizes, losses, accs = (np.array(column, dtype=np.float64) for column in zip(*batches))
        candidates.append({"loss": float(losses.mean()), "accuracy": float(accs.mean())})
    have = {k: v for k, v in got.items() if k != "batches"} if isinstance(got, dict) else got

    def distance(candidate):
        try:
            return sum(abs(candidate[k] - have[k]) for k in candidate)
        except (KeyError, TypeError):
            return float("inf")

    return min(candidates, key=distance), have


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


def _by_label(items):
    return {item["label"]: item for item in items}


def _diagnose_activations(args):
    cases = _by_label(args["cases_spec"])
    return lambda label, expected, got: hints.activation_hints(cases[label], cases[label], expected, got)


def _diagnose_losses(configs):
    cases = _by_label(configs)
    return lambda label, expected, got: hints.loss_hints(cases[label], expected, got)


def _diagnose_linear(label, expected, got):
    return [hints.WEIGHT_COMPOSE] if label.startswith("compose_weight_gradients") else []


def _diagnose_optimizers(configs):
    cases = _by_label(configs)

    def diagnose(label, expected, got):
        name, _, fact = label.rpartition(": after step ")
        return hints.optimizer_hints(cases[name], int(fact) - 1, got)
    return diagnose


def _diagnose_model(args):
    return lambda label, expected, got: hints.model_hints(label, expected, got, args)


def behaviour_checks():
    rng = _rng(0)
    tensor_x = rng.normal(size=(3, 4))
    w, b = rng.normal(size=(3, 2)), np.zeros(2)
    activation_args, loss_configs = _activation_inputs(), _loss_configs()
    optimizer_configs, model_args = _optimizer_configs(), _model_args()
    return [
        Check("behaviour.tensor", "grader.probes.components:tensor", {"x": tensor_x, "y": tensor_x * 2}),
        Check("behaviour.weighted", "grader.probes.components:weighted", {"w": w, "b": b}),
        Check("behaviour.linear", "grader.probes.components:linear", {"configs": _linear_configs()},
              diagnose=_diagnose_linear),
        Check("behaviour.activations", "grader.probes.components:activations", activation_args,
              diagnose=_diagnose_activations(activation_args)),
        Check("behaviour.losses", "grader.probes.components:losses", {"configs": loss_configs},
              diagnose=_diagnose_losses(loss_configs)),
        Check("behaviour.metrics", "grader.probes.components:metrics", {"configs": _metric_configs()}),
        Check("behaviour.optimizers", "grader.probes.components:optimizers", {"configs": optimizer_configs},
              tolerance=lambda label: FLOAT64, diagnose=_diagnose_optimizers(optimizer_configs)),
        Check("behaviour.model", "grader.probes.components:model", model_args, timeout=30,
              normalize=_normalize_model, diagnose=_diagnose_model(model_args)),
        Check("behaviour.preprocess", "grader.probes.components:preprocess", {"rows": [0, 1, 59999]},
              timeout=60, normalize=_normalize_preprocess, tolerance=lambda label: {"rtol": 1e-5, "atol": 1e-6}),
    ]
