"""Gradient checks: backward's gradients against finite differences of the same forward.

The probes return, per case, the loss, the analytic gradients (.grad, and what
reached the input leaves) and central differences of the subject's own loss.
Only trusted numbers decide: the reference's answers, whose gradients are
checked against the reference's own finite differences. A student's case
passes when its loss is the reference's on the same graph and every gradient
is the reference's within the rubric's tolerance; what the student's worker
reports about finite differences could be forged, so it is never used.
"""
import numpy as np

from grader.checks.compare import error_text
from grader.gradcheck import compare
from grader.results.outcome import Outcome

ATOL = 1e-7  # float64 central differences with eps 1e-6 carry ~1e-9 of noise


def _rng(seed, offset):
    return np.random.default_rng([9000 + offset, seed])


def _linear_spec(rng, n_in, n_out, bias_shape, scale=1.0, dense="Linear"):
    b = rng.normal(size=(n_out,) if bias_shape == "(out,)" else (1, n_out))
    return {"class": dense, "w": scale * rng.normal(size=(n_in, n_out)), "b": b}


def _probs(rng, batch, n):
    p = rng.uniform(0.1, 1.0, size=(batch, n))
    return p / p.sum(axis=1, keepdims=True)


def layer_cases(seed=0, dense="Linear"):
    rng, cases = _rng(seed, 1), []
    for batch in (1, 4):
        for bias_shape in ("(out,)", "(1, out)"):
            cases.append({"label": f"{dense}, batch {batch}, bias {bias_shape}",
                          "layer": _linear_spec(rng, 3, 2, bias_shape, dense=dense),
                          "x": rng.normal(size=(batch, 3)), "R": rng.normal(size=(batch, 2))})
        for cls, kwargs in (("LeakyReLU", {"alpha": 0.2}), ("ReLU", {}), ("Sigmoid", {}), ("Softmax", {})):
            cases.append({"label": f"{cls}, batch {batch}", "layer": {"class": cls, "kwargs": kwargs},
                          "x": rng.normal(size=(batch, 4)) + 0.05, "R": rng.normal(size=(batch, 4))})
        cases.append({"label": f"MeanSquaredError, batch {batch}",
                      "layer": {"class": "MeanSquaredError", "is_loss": True},
                      "x": rng.normal(size=(batch, 3)), "y": rng.normal(size=(batch, 3))})
        cases.append({"label": f"CategoricalCrossEntropy, batch {batch}",
                      "layer": {"class": "CategoricalCrossEntropy", "is_loss": True},
                      "x": _probs(rng, batch, 3), "y": np.eye(3)[rng.integers(0, 3, batch)]})
    return {"cases_spec": cases}


def model_cases(seed=0, dense="Linear"):
    rng, models = _rng(seed, 2), []
    activations = ["ReLU", "LeakyReLU", "Sigmoid"]
    for i, (hidden, loss, batch) in enumerate([(1, "CategoricalCrossEntropy", 5), (2, "MeanSquaredError", 1),
                                               (3, "CategoricalCrossEntropy", 1), (2, "CategoricalCrossEntropy", 6),
                                               (1, "MeanSquaredError", 4)]):
        sizes = [4] + [5 - (j % 2) for j in range(hidden)] + [3]
        layers = []
        for j in range(len(sizes) - 1):
            # weights ~ 1/sqrt(fan_in): deep random models keep softmax outputs far from the
            # cross-entropy's clip, where finite differences would be meaningless
            layers.append(_linear_spec(rng, sizes[j], sizes[j + 1], "(out,)" if (i + j) % 2 else "(1, out)",
                                       scale=1 / np.sqrt(sizes[j]), dense=dense))
            if j < len(sizes) - 2:
                layers.append({"class": activations[(i + j) % 3], "kwargs": {}})
        layers.append({"class": "Softmax" if loss == "CategoricalCrossEntropy" else "Sigmoid", "kwargs": {}})
        y = np.eye(3)[rng.integers(0, 3, batch)] if loss == "CategoricalCrossEntropy" else rng.uniform(size=(batch, 3))
        shown = " -> ".join(l["class"] for l in layers)
        models.append({"label": f"{shown}, {loss}, batch {batch}", "layers": layers, "loss": loss,
                       "x": rng.normal(size=(batch, 4)), "y": y})
    return {"models": models}


def _graph_args(offset, seed, dense):
    rng = _rng(seed, offset)
    graphs = []
    for batch in (1, 3):
        graphs.append({"label": f"two branches into a two-input layer, batch {batch}",
                       "linears": [_linear_spec(rng, 3, 4, "(out,)", dense=dense),
                                   _linear_spec(rng, 2, 4, "(1, out)", dense=dense),
                                   _linear_spec(rng, 4, 3, "(out,)", dense=dense)],
                       "x1": rng.normal(size=(batch, 3)), "x2": rng.normal(size=(batch, 2)),
                       "y": np.eye(3)[rng.integers(0, 3, batch)]})
    return {"graphs": graphs}


def general_graph_cases(seed=0, dense="Linear"):
    args = _graph_args(3, seed, dense)
    # The two-input layer's first input is a leaf: backpropagation must still reach the
    # branch behind its second input (not stop at the first input it finds to be a leaf).
    rng, batch = _rng(seed, 5), 3
    args["graphs"].append({"label": f"an input and a branch into a two-input layer, batch {batch}",
                           "leaf_first": True,
                           "linears": [_linear_spec(rng, 3, 4, "(out,)", dense=dense),
                                       _linear_spec(rng, 2, 4, "(1, out)", dense=dense),
                                       _linear_spec(rng, 4, 3, "(out,)", dense=dense)],
                           "x1": rng.normal(size=(batch, 3)), "x2": rng.normal(size=(batch, 4)),
                           "y": np.eye(3)[rng.integers(0, 3, batch)]})
    return args


def accumulation_cases(seed=0, dense="Linear"):
    return _graph_args(4, seed, dense)


class ReferenceGradientError(RuntimeError):
    """The reference's own gradients disagree with its finite differences: a grader fault."""


def _checked_reference(reference, label, warn):
    for name, numeric in reference["numeric"].items():
        if not compare(reference["analytic"].get(name), numeric, rtol=warn, atol=ATOL).ok:
            raise ReferenceGradientError(f"the reference's gradient {name} in {label!r} disagrees with its "
                                         "finite differences")
    return reference


def _case_problems(value, reference, rtol, warn):
    """Problems and warnings of one graph. The verdict rests on trusted numbers only: the
    student's forward must give the reference's loss on the same graph and inputs, and then
    every gradient must equal the reference's (computed in another worker, itself checked
    against finite differences). Whatever the student's worker reports about finite
    differences is never used to vouch for a gradient."""
    loss, expected_loss = value.get("loss"), reference["loss"]
    if not isinstance(loss, float) or not abs(loss - expected_loss) <= 1e-9 * (1 + abs(expected_loss)):
        shown = f"{loss:.10g}" if isinstance(loss, float) else repr(loss)
        return [f"the forward pass on this graph gives loss {shown}, expected {expected_loss:.10g}: the "
                "gradients of a different function cannot be right; fix the forward pass first (see the "
                "behaviour tests)"], []
    problems, warnings = [], []
    analytic = value.get("analytic") if isinstance(value.get("analytic"), dict) else {}
    for name, expected in reference["analytic"].items():
        got = analytic.get(name)
        report = compare(got, expected, rtol=warn, atol=ATOL)
        if not report.ok:
            problems.append(report.describe(name).replace("expected (finite differences)", "expected (the reference)     "))
        elif not compare(got, expected, rtol=rtol, atol=ATOL).ok:
            warnings.append(f"{name}: relative error {report.max_rel_error:.2g} is above {rtol:g} "
                            f"(accepted, below {warn:g}; float64 gradients usually agree to 1e-7)")
    return problems, warnings


def score_gradients(key, expected_cases, got_cases, settings, *, informational_note=""):
    rtol, warn = settings["gradcheck_rtol"], settings["gradcheck_warn"]
    lines, passed = [], 0
    for label, expected in expected_cases.items():
        got = got_cases.get(label) if isinstance(got_cases, dict) else None
        reference = expected.get("value")
        if got is None:
            lines.append(f"- {label}: not run")
            continue
        if "error" in got:
            lines.append(f"- {label}: {error_text(got['error'])}")
            continue
        if not isinstance(got.get("value"), dict):
            lines.append(f"- {label}: the probe's answer was malformed")
            continue
        problems, warnings = _case_problems(got["value"], _checked_reference(reference, label, warn), rtol, warn)
        passed += not problems
        status = "OK" if not problems else "WRONG"
        detail = problems + [f"warning: {w}" for w in warnings]
        lines.append(f"- {label}: {status}" + "".join("\n    " + d.replace("\n", "\n    ") for d in detail))
    total = len(expected_cases)
    head = (f"{passed}/{total} graphs have correct gradients (central differences in float64, "
            f"relative error <= {warn:g}).")
    return Outcome(key, passed / total if total else 0.0,
                   head + (f"\n{informational_note}" if informational_note else "") + "\n" + "\n".join(lines))


ACCUMULATION_NOTE = ("Informational: the handout's framework does not ask for this. When one tensor "
                     "feeds two layers, its producer's backward runs twice; .grad must add up "
                     "(param.grad = g if param.grad is None else param.grad + g) to be correct.")
