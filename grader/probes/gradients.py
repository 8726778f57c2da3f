"""Gradient probes: the subject's own backpropagation next to central differences of its forward.

Every graph ends in a grader-made head built on the subject's own Diffable, so the
subject's own machinery (spring2026: backward and .grad; fall2025: GradientTape)
carries the gradient all the way. The adapter (grader/probes/adapters/) says how.
"""
import numpy as np

from grader.gradcheck import numeric_gradient
from grader.probes import adapters
from grader.probes.cases import Cases


def _diagonal_jacobians(values):
    """(batch, n) -> (batch, n, n): per-sample Jacobian of an element-wise product."""
    values = np.asarray(values)
    out = np.zeros(values.shape + values.shape[-1:], dtype=values.dtype)
    idx = np.arange(values.shape[-1])
    out[:, idx, idx] = values
    return out


def _grader_layers(api):
    """Diffables written by the grader on top of the subject's Diffable.

    The course's given ``Diffable.__call__`` neither converts inputs nor wraps the result
    of ``forward``. So these layers take and return Tensors of the subject's own class,
    never NumPy scalars or plain arrays.
    """
    Diffable, Tensor = api.cls("Diffable"), api.Tensor

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

        @property
        def weights(self):          # no default on the course's fall-2025 Diffable
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

        @property
        def weights(self):          # no default on the course's fall-2025 Diffable
            return []

    return WeightedSum, Multiply


def _report(api, loss, named_layers, inputs):
    """Analytic gradients (the subject's own backpropagation) and numeric ones, by name."""
    params = _parameters_of(api, named_layers)
    loss_of = lambda: float(np.asarray(loss()))
    analytic = api.backprop(loss, params, inputs)
    numeric = {name: numeric_gradient(loss_of, t) for name, t in {**params, **inputs}.items()}
    return {"analytic": analytic, "numeric": numeric, "loss": loss_of()}


def _parameters_of(api, named_layers):
    params = {}
    for label, layer in named_layers:
        for pname, p in zip(("w", "b"), api.parameters(layer)):
            params[f"{label}.{pname}"] = p
    return params


def layer_alone(api, cases_spec):
    """Each piece between an input leaf and a WeightedSum (or, for a loss, alone)."""
    cases = Cases()
    api = adapters.load(api)
    for c in cases_spec:
        def run():
            WeightedSum, _ = _grader_layers(api)
            layer = api.layer(c["layer"])
            x = api.leaf(c["x"])
            if c["layer"].get("is_loss"):
                y = api.tensor(c["y"], dtype=np.float64)
                loss = lambda: layer(x, y)
            else:
                head = WeightedSum(c["R"])
                loss = lambda: head(layer(x))
            named = [("layer", layer)] if c["layer"]["class"] == api.DENSE else []
            return _report(api, loss, named, {"input": x})

        cases.run(c["label"], run)
    return cases.results


def sequential(api, models):
    """Random sequential models from the subject's classes, through its own backpropagation."""
    cases = Cases()
    api = adapters.load(api)
    for m in models:
        def run():
            layers = [api.layer(spec) for spec in m["layers"]]
            model = api.sequential(layers)
            loss_fn = api.cls(m["loss"])()
            x, y = api.tensor(m["x"], dtype=np.float64), api.tensor(m["y"], dtype=np.float64)
            named = [(f"layer{i}", layer) for i, (spec, layer) in enumerate(zip(m["layers"], layers))
                     if spec["class"] == api.DENSE]
            return _report(api, lambda: loss_fn(model(x), y), named, {})

        cases.run(m["label"], run)
    return cases.results


def _two_branch_loss(api, g, shared):
    WeightedSum, Multiply = _grader_layers(api)
    first, second, head_layer = (api.layer(spec) for spec in g["linears"])
    act_a, act_b = api.cls("ReLU")(), api.cls("Sigmoid")()
    multiply, softmax, loss_fn = Multiply(), api.cls("Softmax")(), api.cls("CategoricalCrossEntropy")()
    leaf_first = g.get("leaf_first", False)
    x1 = api.leaf(g["x1"])
    # leaf_first: x2 is a plain Tensor, a true leaf of the subject's own library (a grader
    # leaf that records its gradient would not look like one)
    x2 = api.tensor(g["x2"], dtype=np.float64) if leaf_first else api.leaf(g["x2"])
    y = api.tensor(g["y"], dtype=np.float64)

    def loss():
        if shared:  # one tensor consumed by two layers: its gradients must add up
            h = first(x1)
            a, b = act_a(h), act_b(h)
        elif leaf_first:  # an input straight into the two-input layer, a branch beside it
            a, b = x2, act_b(first(x1))
        else:
            a, b = act_a(first(x1)), act_b(second(x2))
        return loss_fn(softmax(head_layer(multiply(a, b))), y)

    named = [("first", first), ("head", head_layer)] + ([] if shared or leaf_first else [("second", second)])
    inputs = {"x1": x1} if shared or leaf_first else {"x1": x1, "x2": x2}
    return _report(api, loss, named, inputs)


def general_graph(api, graphs):
    """Two branches meet in a grader-made two-input layer (each tensor used once)."""
    cases = Cases()
    api = adapters.load(api)
    for g in graphs:
        cases.run(g["label"], _two_branch_loss, api, g, False)
    return cases.results


def accumulation(api, graphs):
    """One tensor feeds two layers: needs gradients (and upstream gradients) to accumulate."""
    cases = Cases()
    api = adapters.load(api)
    for g in graphs:
        cases.run(g["label"], _two_branch_loss, api, g, True)
    return cases.results
