"""Gradient probes: backward's .grad next to central differences of the subject's own forward.

Every graph ends in a grader-made head built on the subject's own Diffable,
so the subject's own backward machinery carries the gradient all the way.
"""
import numpy as np

from grader.gradcheck import numeric_gradient
from grader.probes.cases import Cases, fresh_import


def _beras():
    return fresh_import("beras")


def _tensor(array):
    return _beras().Tensor(np.array(array, dtype=np.float64, copy=True))


def _diagonal_jacobians(values):
    """(batch, n) -> (batch, n, n): per-sample Jacobian of an element-wise product."""
    values = np.asarray(values)
    out = np.zeros(values.shape + values.shape[-1:], dtype=values.dtype)
    idx = np.arange(values.shape[-1])
    out[:, idx, idx] = values
    return out


def _grader_layers():
    """Diffables written by the grader on top of the subject's Diffable.

    The course's given ``Diffable.__call__`` neither converts inputs nor wraps the result
    of ``forward``: it sets ``out.backward`` on whatever forward returned. So these
    layers take and return Tensors of the subject's own class, never NumPy scalars or
    plain arrays.
    """
    beras = _beras()
    Diffable, Tensor = beras.Diffable, beras.Tensor

    class WeightedSum(Diffable):
        """sum(x * R): a scalar head that sends R back as the upstream gradient."""

        def __init__(self, R):
            super().__init__()
            self.R = np.asarray(R)

        def forward(self, x):
            return Tensor(np.asarray(np.sum(np.asarray(x) * self.R), dtype=np.float64))

        def get_input_gradients(self):
            return [self.R.copy()]

        def get_weight_gradients(self):
            return []

    class Multiply(Diffable):
        """a * b element-wise: a layer with two inputs."""

        def forward(self, a, b):
            return Tensor(np.asarray(a) * np.asarray(b))

        def get_input_gradients(self):
            a, b = (np.asarray(t) for t in self.inputs)
            return [_diagonal_jacobians(b), _diagonal_jacobians(a)]

        def get_weight_gradients(self):
            return []

    return WeightedSum, Multiply


def _capturing_leaf(array, store, key):
    leaf = _tensor(array)
    leaf.backward = lambda grad=None: store.__setitem__(key, np.asarray(grad[0]) + store.get(key, 0))
    return leaf


def _build(spec):
    beras = _beras()
    if spec["class"] == "Linear":
        layer = beras.Linear(*np.shape(spec["w"]))
        layer.w, layer.b = _tensor(spec["w"]), _tensor(spec["b"])
        return layer
    return getattr(beras, spec["class"])(**spec.get("kwargs", {}))


def _report(loss_of, params, captured, inputs):
    """Analytic (.grad and captured input gradients) and numeric gradients, by name."""
    analytic, numeric = {}, {}
    for name, p in params.items():
        analytic[name] = None if p.grad is None else np.array(p.grad, dtype=np.float64)
    for name in inputs:
        analytic[name] = captured.get(name)
    for name, p in params.items():
        numeric[name] = numeric_gradient(loss_of, p)
    for name, leaf in inputs.items():
        numeric[name] = numeric_gradient(loss_of, leaf)
    return {"analytic": analytic, "numeric": numeric, "loss": float(loss_of())}


def _parameters_of(named_layers):
    params = {}
    for label, layer in named_layers:
        for pname, p in zip(("w", "b"), getattr(layer, "parameters", []) or []):
            params[f"{label}.{pname}"] = p
    return params


def layer_alone(cases_spec):
    """Each piece between a capturing leaf and a WeightedSum (or, for a loss, alone)."""
    cases = Cases()
    for c in cases_spec:
        def run():
            WeightedSum, _ = _grader_layers()
            layer = _build(c["layer"])
            captured = {}
            x = _capturing_leaf(c["x"], captured, "input")
            if c["layer"].get("is_loss"):
                y = _tensor(c["y"])
                loss_of = lambda: float(np.asarray(layer(x, y)))
            else:
                head = WeightedSum(c["R"])
                loss_of = lambda: float(np.asarray(head(layer(x))))
            for p in getattr(layer, "parameters", []) or []:
                p.grad = None
            if c["layer"].get("is_loss"):
                layer(x, y).backward()
            else:
                head(layer(x)).backward()
            return _report(loss_of, _parameters_of([("layer", layer)]), captured, {"input": x})

        cases.run(c["label"], run)
    return cases.results


def sequential(models):
    """Random Sequential models from the subject's classes; loss.backward() fills .grad."""
    cases = Cases()
    for m in models:
        def run():
            beras = _beras()
            layers = [_build(spec) for spec in m["layers"]]
            model = beras.Sequential(*layers)
            loss_fn = getattr(beras, m["loss"])()
            x, y = _tensor(m["x"]), _tensor(m["y"])
            loss_of = lambda: float(np.asarray(loss_fn(model(x), y)))
            loss_fn(model(x), y).backward()
            named = [(f"layer{i}", layer) for i, layer in enumerate(layers)]
            return _report(loss_of, _parameters_of(named), {}, {})

        cases.run(m["label"], run)
    return cases.results


def _two_branch_loss(g, shared):
    beras = _beras()
    WeightedSum, Multiply = _grader_layers()
    first, second, head_layer = (_build(spec) for spec in g["linears"])
    act_a, act_b = beras.ReLU(), beras.Sigmoid()
    multiply, softmax, loss_fn = Multiply(), beras.Softmax(), beras.CategoricalCrossEntropy()
    captured = {}
    x1 = _capturing_leaf(g["x1"], captured, "x1")
    x2 = _capturing_leaf(g["x2"], captured, "x2")
    y = _tensor(g["y"])

    def loss():
        if shared:  # one tensor consumed by two layers: its gradients must add up
            h = first(x1)
            a, b = act_a(h), act_b(h)
        else:
            a, b = act_a(first(x1)), act_b(second(x2))
        return loss_fn(softmax(head_layer(multiply(a, b))), y)

    named = [("first", first), ("head", head_layer)] + ([] if shared else [("second", second)])
    inputs = {"x1": x1} if shared else {"x1": x1, "x2": x2}
    loss().backward()
    return _report(lambda: float(np.asarray(loss())), _parameters_of(named), captured, inputs)


def general_graph(graphs):
    """Two branches meet in a grader-made two-input layer (each tensor used once)."""
    cases = Cases()
    for g in graphs:
        cases.run(g["label"], _two_branch_loss, g, False)
    return cases.results


def accumulation(graphs):
    """One tensor feeds two layers: needs .grad (and upstream gradients) to accumulate."""
    cases = Cases()
    for g in graphs:
        cases.run(g["label"], _two_branch_loss, g, True)
    return cases.results
