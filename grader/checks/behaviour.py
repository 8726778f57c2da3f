"""Behaviour checks: the student's answers against the reference's, case by case.

Each check names its probe (grader/probes/components.py), builds the probe's
inputs here from a seeded generator, and scores the share of cases that
match. A failing case shows the hints its check's ``diagnose`` recognises in the
answers (grader/checks/hints.py).
"""
from dataclasses import dataclass, field

import numpy as np

from grader.checks import hints
from grader.checks.compare import differences, error_text, tolerance_for
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
    normalize: object = None          # (meta, expected, got) -> (expected, got)
    tolerance: object = field(default=tolerance_for)   # meta -> {"rtol", "atol"}
    diagnose: object = None           # (meta, expected, got) -> [hints.Hint]: recognised mistakes
    meta: dict = field(default_factory=dict)   # {case key: what the case is (dtype, method, config...)}


def _rng(seed, offset=0):
    """The generator of one builder's inputs; ``seed`` is the run's input seed (see registry)."""
    return np.random.default_rng([SEED + offset, seed])


def score_cases(key, expected_cases, got_cases, *, meta=None, normalize=None, tolerance=tolerance_for,
                diagnose=None, hint_detail="formula"):
    """Outcome with the share of the reference's cases that the student matches.

    Every case key was chosen by the grader, and ``meta`` says what each case is (its
    dtype, method, inputs...): tolerances, normalisers and hints read that, never labels.
    Cases that fail in the same way (e.g. one NotImplementedError behind every case) are
    reported once, with the list of cases."""
    meta = meta or {}
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
        case = meta.get(label, {})
        if normalize:
            want, have = normalize(case, want, have)
        problems = differences(want, have, **tolerance(case), path="result", hints=hint_detail != "none")
        if not problems:
            passed += 1
            continue
        hints = _hint_lines(diagnose, case, expected["value"], got["value"], hint_detail)
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


def _hint_lines(diagnose, case, expected, got, detail):
    if diagnose is None or detail == "none":
        return ""
    try:
        found = diagnose(case, expected, got)
    except Exception:  # a hint is a courtesy: never let it cost the verdict
        return ""
    return "".join(f"\nhint: {h.text(detail)}" for h in found[:2])


# ---------------------------------------------------------------- inputs

def _linear_configs(seed):
    rng, configs = _rng(seed, 1), []
    for dtype in (np.float32, np.float64):
        for bias_shape in ("(out,)", "(1, out)"):
            for batch, n_in, n_out in ((5, 4, 3), (1, 6, 2)):
                w = rng.normal(size=(n_in, n_out)).astype(dtype)
                b = rng.normal(size=(n_out,) if bias_shape == "(out,)" else (1, n_out)).astype(dtype)
                label = f"{np.dtype(dtype).name}, bias {bias_shape}, batch {batch}"
                configs.append({"label": label, "x": rng.normal(size=(batch, n_in)).astype(dtype), "w": w,
                                "b": b, "J": rng.normal(size=(batch, n_out)).astype(dtype),
                                "cases": {m: f"{m} [{label}]" for m in LINEAR_METHODS}})
    return configs


LINEAR_METHODS = ("forward", "compose_input_gradients", "compose_weight_gradients")


def _linear_check_inputs(seed, dense):
    configs = _linear_configs(seed)
    construct = f"{dense}(7, 3) parameters"
    meta = {construct: {"dtype": "float64", "method": "__init__"}}
    for c in configs:
        meta.update({key: {"dtype": c["x"].dtype.name, "method": m} for m, key in c["cases"].items()})
    return {"configs": configs, "construct_case": construct}, meta


def _activation_inputs(seed):
    rng, configs = _rng(seed, 2), []
    for dtype in (np.float32, np.float64):
        x = rng.normal(size=(4, 5)).astype(dtype)
        x[0, :2] = 0.0  # LeakyReLU's gradient at exactly 0
        configs.append({"label": np.dtype(dtype).name, "x": x, "J": rng.normal(size=(4, 5)).astype(dtype)})
    # Row 3 spans 750: exp of (x - the row's min) overflows there, so only subtracting each row's max passes.
    big = np.array([[1000.0, 1001.0, 1002.0], [0.0, 1.0, 2.0], [-50.0, 3.0, 700.0]])
    configs.append({"label": "float64, large and row-dependent values", "x": big,
                    "J": rng.normal(size=big.shape)})
    specs = [("LeakyReLU", {}, "LeakyReLU()"), ("LeakyReLU", {"alpha": 0.1}, "LeakyReLU(alpha=0.1)"),
             ("ReLU", {}, "ReLU()"), ("Sigmoid", {}, "Sigmoid()"), ("Softmax", {}, "Softmax()")]
    cases = [{"label": f"{shown} [{c['label']}]", "class": cls, "kwargs": kwargs, "x": c["x"], "J": c["J"]}
             for cls, kwargs, shown in specs for c in configs]
    return {"cases_spec": cases}, {c["label"]: {"dtype": c["x"].dtype.name, "case": c} for c in cases}


def _probabilities(rng, batch, n):
    p = rng.uniform(0.05, 1.0, size=(batch, n))
    return p / p.sum(axis=1, keepdims=True)


def _loss_configs(seed, clipping=True):
    rng, configs = _rng(seed, 3), []
    for batch, n in ((6, 4), (1, 3)):
        configs.append({"label": f"MeanSquaredError, batch {batch}", "class": "MeanSquaredError",
                        "y_pred": rng.normal(size=(batch, n)), "y_true": rng.normal(size=(batch, n))})
        configs.append({"label": f"CategoricalCrossEntropy, batch {batch}", "class": "CategoricalCrossEntropy",
                        "y_pred": _probabilities(rng, batch, n),
                        "y_true": np.eye(n)[rng.integers(0, n, batch)]})
    if not clipping:
        return configs
    clipped = np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]])
    configs.append({"label": "CategoricalCrossEntropy with a 0 probability (clipping)",
                    "class": "CategoricalCrossEntropy", "y_pred": clipped,
                    "y_true": np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])})
    return configs


def _metric_configs(seed):
    rng = _rng(seed, 4)
    labels = np.eye(4)[rng.integers(0, 4, 50)]
    return [{"label": "50 random rows", "probs": _probabilities(rng, 50, 4), "labels": labels},
            {"label": "all correct", "probs": labels * 0.9 + 0.025, "labels": labels}]


def _optimizer_configs(seed):
    rng, configs = _rng(seed, 5), []
    params = [rng.normal(size=(3, 2)), rng.normal(size=(2,)), rng.normal(size=(1, 2)), rng.normal(size=(2, 2))]
    frozen = [False, False, False, True]
    # Small gradients make sqrt(v) + eps and sqrt(v + eps) clearly different.
    steps = [[rng.normal(scale=1e-3, size=np.shape(p)) for p in params] for _ in range(4)]
    steps[2][1] = None  # a parameter without a gradient this step is left alone
    for cls, kwargs in (("BasicOptimizer", {}), ("RMSProp", {}), ("RMSProp", {"beta": 0.8, "epsilon": 1e-5}),
                        ("Adam", {}), ("Adam", {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6})):
        shown = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        label = f"{cls}({shown}) over 4 steps"
        configs.append({"label": label, "class": cls, "kwargs": kwargs, "lr": 0.01, "params": params,
                        "frozen": frozen, "steps": steps,
                        "cases": {str(i): f"{label}: after step {i + 1}" for i in range(len(steps))}})
    return configs


def _optimizer_meta(configs):
    return {key: {"dtype": "float64", "config": c, "step": int(i)} for c in configs for i, key in c["cases"].items()}


def _model_args(seed):
    rng = _rng(seed, 6)
    weights = [(rng.normal(size=(6, 5)), rng.normal(size=(5,))), (rng.normal(size=(5, 3)), rng.normal(size=(1, 3)))]
    args = {"weights": [[w, b] for w, b in weights], "x": rng.normal(size=(20, 6)),
            "y": np.eye(3)[rng.integers(0, 3, 20)], "lr": 0.1, "cases_spec": MODEL_CASES}
    meta = {}
    for part, keys in MODEL_CASES.items():
        for fact, key in (keys.items() if isinstance(keys, dict) else [(part, keys)]):
            meta[key] = {"dtype": "float64", "part": part, "fact": fact}
    return args, meta


# {part of the model probe: case key, or {fact: case key}}
MODEL_CASES = {
    "parameters": "Model.parameters",
    "forward": "Sequential.forward",
    "evaluation_step": {"weights_unchanged": "batch_step(training=False): weights unchanged",
                        "loss": "batch_step(training=False): loss",
                        "accuracy": "batch_step(training=False): accuracy"},
    "training_step": {"loss": "batch_step(training=True): loss", "accuracy": "batch_step(training=True): accuracy",
                      "parameters": "batch_step(training=True): parameters after the step"},
    "two_training_steps": "two batch_step(training=True) calls in a row",
    "fit": {"batch_sizes": "fit(epochs=2, batch_size=7) on 20 rows: batch sizes trained on",
            "history": "fit(epochs=2, batch_size=7) on 20 rows: returns a dict with loss and acc",
            "epoch_averages": "fit(epochs=2, batch_size=7) on 20 rows: each epoch's loss and acc "
                              "average that epoch's batches"},
    "evaluate": {"averages": "evaluate(batch_size=7) on 20 rows: averaged loss and accuracy",
                 "predictions": "evaluate(batch_size=7) on 20 rows: predictions for every row",
                 "weights_unchanged": "evaluate(batch_size=7) on 20 rows: weights unchanged"},
}


def _normalize_model(case, expected, got):
    if case.get("part") == "fit" and case.get("fact") == "epoch_averages":
        return _averages_its_batches(expected), _averages_its_batches(got)
    if case.get("part") == "evaluate" and case.get("fact") == "averages":
        return _either_average(expected, got)
    if case.get("part") == "evaluate" and case.get("fact") == "predictions" and got is None:
        return None, None  # evaluate may return the metrics alone (the handout allows both)
    return expected, got


def _averages_its_batches(record):
    """Whether fit's per-epoch history is the mean of what batch_step returned in that epoch,
    weighted by batch size or not (both are right); the batches are fit's own, so this holds
    whatever order it shuffled in."""
    try:
        batches, epochs, history = record["batches"], record["epochs"], record["history"]
        per_epoch = len(batches) // epochs
        if history is None or not per_epoch or per_epoch * epochs != len(batches):
            return False
        for column, metric in ((1, "loss"), (2, "acc")):
            if len(history[metric]) != epochs:
                return False
            for e in range(epochs):
                chunk = np.array([b[column] for b in batches[e * per_epoch:(e + 1) * per_epoch]], dtype=float)
                sizes = np.array([b[0] for b in batches[e * per_epoch:(e + 1) * per_epoch]], dtype=float)
                means = (chunk.mean(), np.average(chunk, weights=sizes))
                if not any(np.isclose(history[metric][e], m, rtol=1e-6, atol=1e-9) for m in means):
                    return False
        return True
    except (KeyError, TypeError, ValueError, IndexError):
        return False


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


def _normalize_preprocess(case, expected, got):
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


def _diagnose_activations(case, expected, got):
    return hints.activation_hints(case["case"], case["case"], expected, got)


def _diagnose_losses(case, expected, got):
    return hints.loss_hints(case["config"], expected, got)


def _diagnose_linear(case, expected, got):
    return [hints.WEIGHT_COMPOSE] if case.get("method") == "compose_weight_gradients" else []


def _diagnose_optimizers(case, expected, got):
    return hints.optimizer_hints(case["config"], case["step"], got)


def _diagnose_model(args):
    return lambda case, expected, got: hints.model_hints(case, expected, got, args)


def _by_label(configs, **fields):
    return {c["label"]: dict(fields, config=c) for c in configs}


def behaviour_checks(seed=0, api="spring2026", dense="Linear", clipping=True):
    """The behaviour checks of one edition: ``api`` names its probe adapter, ``dense`` its dense
    layer's class (for labels), ``clipping`` whether its cross-entropy must clip (older fall
    terms had none)."""
    rng = _rng(seed, 0)
    tensor_x = rng.normal(size=(3, 4))
    w, b = rng.normal(size=(3, 2)), np.zeros(2)
    linear_args, linear_meta = _linear_check_inputs(seed, dense)
    activation_args, activation_meta = _activation_inputs(seed)
    loss_configs, optimizer_configs = _loss_configs(seed, clipping), _optimizer_configs(seed)
    model_args, model_meta = _model_args(seed)
    a = {"api": api}
    return [
        Check("behaviour.tensor", f"grader.probes.tensors:{api}_tensor", {"x": tensor_x, "y": tensor_x * 2}),
        Check("behaviour.weighted", "grader.probes.tensors:weighted", {**a, "w": w, "b": b}),
        Check("behaviour.linear", "grader.probes.components:linear", {**a, **linear_args},
              diagnose=_diagnose_linear, meta=linear_meta),
        Check("behaviour.activations", "grader.probes.components:activations", {**a, **activation_args},
              diagnose=_diagnose_activations, meta=activation_meta),
        Check("behaviour.losses", "grader.probes.components:losses", {**a, "configs": loss_configs},
              diagnose=_diagnose_losses, meta=_by_label(loss_configs, dtype="float64")),
        Check("behaviour.metrics", "grader.probes.components:metrics", {**a, "configs": _metric_configs(seed)}),
        Check("behaviour.optimizers", "grader.probes.components:optimizers", {**a, "configs": optimizer_configs},
              diagnose=_diagnose_optimizers, meta=_optimizer_meta(optimizer_configs)),
        Check("behaviour.model", "grader.probes.components:model", {**a, **model_args}, timeout=30,
              normalize=_normalize_model, diagnose=_diagnose_model(model_args), meta=model_meta),
        Check("behaviour.preprocess", "grader.probes.components:preprocess",
              {**a, "rows": [0, 59999] + sorted(int(r) for r in rng.choice(np.arange(1, 59999), 2, replace=False))},
              timeout=60, normalize=_normalize_preprocess, tolerance=lambda case: {"rtol": 1e-5, "atol": 1e-6}),
    ]
