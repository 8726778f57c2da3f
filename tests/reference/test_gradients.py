"""Every differentiable piece against central finite differences (float64, rel. error <= 1e-6).

The scalar whose finite differences are taken is written here in plain NumPy (independent of
the code under test), and the layer's own forward is checked against the same formula.
"""
import numpy as np
import pytest

from beras.activations import LeakyReLU, ReLU, Sigmoid, Softmax
from beras.core import Tensor
from beras.layers import Linear
from beras.losses import CategoricalCrossEntropy, MeanSquaredError
from beras.metrics import CategoricalAccuracy
from beras.model import Sequential
from beras.optimizers import BasicOptimizer

from .helpers import assert_grad, away_from_zero

BIAS_SHAPES = ["flat", "row"]   # (output_size,) and (1, output_size)
BATCHES = [1, 4]


def make_linear(rng, n_in, n_out, bias_shape):
    layer = Linear(n_in, n_out, initializer="xavier", dtype=np.float64)
    # Moderate weights (std 1/sqrt(fan_in)) keep softmax outputs far from CCE's clip bounds.
    layer.w = Tensor(rng.normal(size=(n_in, n_out)) / np.sqrt(n_in), name="w")
    shape = (n_out,) if bias_shape == "flat" else (1, n_out)
    layer.b = Tensor(rng.normal(size=shape) * 0.5, name="b")
    return layer


def input_gradient(layer, J):
    """The gradient w.r.t. the (first) input after chaining J; activations return a
    broadcast array with a leading axis of one, other layers a list: both index with [0]."""
    return layer.compose_input_gradients([J])[0]


# ---------------------------------------------------------------- Linear
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("bias_shape", BIAS_SHAPES)
@pytest.mark.parametrize("n_in,n_out", [(3, 2), (5, 4), (1, 3)])
def test_linear_gradients(rng, batch, bias_shape, n_in, n_out):
    layer = make_linear(rng, n_in, n_out, bias_shape)
    x = rng.normal(size=(batch, n_in))
    J = rng.normal(size=(batch, n_out))
    out = layer(x)
    np.testing.assert_allclose(out, x @ np.asarray(layer.w) + np.asarray(layer.b).reshape(1, -1), rtol=1e-12)
    assert out.shape == (batch, n_out)

    w, b = layer.w, layer.b

    def objective():
        return np.sum((x @ np.asarray(w) + np.asarray(b).reshape(1, -1)) * J)

    assert_grad(input_gradient(layer, J), objective, x, "Linear dL/dx")
    gw, gb = layer.compose_weight_gradients([J])
    assert_grad(gw, objective, w, "Linear dL/dw")
    assert_grad(gb, objective, b, f"Linear dL/db (bias {b.shape})")


# ---------------------------------------------------------------- activations
def leaky(x, alpha):
    return np.where(x > 0, x, alpha * x)


ACTIVATIONS = {
    "relu": (lambda: ReLU(), lambda x: leaky(x, 0.0)),
    "leaky0.3": (lambda: LeakyReLU(), lambda x: leaky(x, 0.3)),
    "leaky0.01": (lambda: LeakyReLU(alpha=0.01), lambda x: leaky(x, 0.01)),
    "sigmoid": (lambda: Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    "softmax": (lambda: Softmax(),
                lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)),
}


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("n", [2, 5])
def test_activation_gradients(rng, name, batch, n):
    make, formula = ACTIVATIONS[name]
    layer = make()
    x = away_from_zero(rng, (batch, n))
    J = rng.normal(size=(batch, n))
    out = layer(x)
    np.testing.assert_allclose(out, formula(x), rtol=1e-12, atol=1e-15)
    assert layer.get_weight_gradients() == [] and list(layer.parameters) == []
    assert_grad(input_gradient(layer, J), lambda: np.sum(formula(x) * J), x, f"{name} dL/dx")


def test_softmax_large_inputs_are_stable(rng):
    layer = Softmax()
    x = np.array([[1000.0, 1001.0, 999.0]])
    out = np.asarray(layer(x))
    assert np.all(np.isfinite(out))
    shifted = x - 1000
    np.testing.assert_allclose(out, np.exp(shifted) / np.exp(shifted).sum(), rtol=1e-12)


# ---------------------------------------------------------------- losses
def mse(p, y):
    return np.mean((p - y) ** 2)


def cce(p, y):
    return -np.sum(y * np.log(p)) / p.shape[0]


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("n", [1, 3])
def test_mse_gradients(rng, batch, n):
    p, y = rng.normal(size=(batch, n)), rng.normal(size=(batch, n))
    loss = MeanSquaredError()
    value = loss(p, y)
    assert np.ndim(value) == 0 or np.size(value) == 1
    assert float(value) == pytest.approx(mse(p, y), rel=1e-12)
    d_pred, d_true = loss.compose_input_gradients(None)
    assert_grad(d_pred, lambda: mse(p, y), p, "MSE dL/dy_pred")
    assert_grad(d_true, lambda: mse(p, y), y, "MSE dL/dy_true")


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("labels", ["one-hot", "soft"])
def test_cce_gradients(rng, batch, labels):
    n = 4
    p = rng.uniform(0.05, 0.95, size=(batch, n))     # away from the clip bounds
    if labels == "one-hot":
        y = np.eye(n)[rng.integers(0, n, size=batch)]
    else:
        y = rng.dirichlet(np.ones(n), size=batch)
    loss = CategoricalCrossEntropy()
    assert float(loss(p, y)) == pytest.approx(cce(p, y), rel=1e-12)
    d_pred, d_true = loss.compose_input_gradients(None)
    assert_grad(d_pred, lambda: cce(p, y), p, "CCE dL/dy_pred")
    assert_grad(d_true, lambda: cce(p, y), y, "CCE dL/dy_true")


# ---------------------------------------------------------------- whole models
HIDDEN_ACTS = {"relu": ReLU, "leaky": LeakyReLU, "sigmoid": Sigmoid}


def build_model(rng, depth, act, head, bias_shape, n_in=4, hidden=5, n_out=3):
    sizes = [n_in] + [hidden] * depth + [n_out]
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(make_linear(rng, a, b, bias_shape))
        if i < depth:
            layers.append(HIDDEN_ACTS[act]())
    if head == "softmax":
        layers.append(Softmax())
    return Sequential(*layers)


@pytest.mark.parametrize("bias_shape", BIAS_SHAPES)
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("loss_name,head", [("cce", "softmax"), ("mse", "linear"), ("mse", "softmax")])
@pytest.mark.parametrize("act", HIDDEN_ACTS)
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_model_parameter_gradients(rng, depth, act, loss_name, head, batch, bias_shape):
    model = build_model(rng, depth, act, head, bias_shape)
    x = rng.normal(size=(batch, 4))
    if loss_name == "cce":
        loss_fn, y = CategoricalCrossEntropy(), np.eye(3)[rng.integers(0, 3, size=batch)]
    else:
        loss_fn, y = MeanSquaredError(), rng.normal(size=(batch, 3))

    predictions = model(x)
    if head == "softmax":   # precondition: no clipping in CCE, no 1/p blow-up
        assert np.all((predictions > 1e-4) & (predictions < 1 - 1e-4))
    loss = loss_fn(predictions, y)
    loss.backward()
    params = list(model.parameters)
    assert len(params) == 2 * (depth + 1)
    analytic = [None if p.grad is None else np.array(p.grad) for p in params]

    def objective():
        with Tensor.no_grad():
            return float(loss_fn(model(x), y))

    for i, (p, g) in enumerate(zip(params, analytic)):
        assert_grad(g, objective, p, f"parameter {i} ({p.name}, shape {p.shape})")


def test_backward_then_step_reduces_loss(rng):
    """The gradients point downhill: a small step along -grad lowers the loss."""
    model = build_model(rng, 2, "sigmoid", "softmax", "flat")
    x, y = rng.normal(size=(8, 4)), np.eye(3)[rng.integers(0, 3, size=8)]
    model.compile(BasicOptimizer(model.parameters, 1e-2), CategoricalCrossEntropy(), CategoricalAccuracy())
    before = model.batch_step(x, y, training=True)["loss"]
    after = float(CategoricalCrossEntropy()(model(x), y))
    assert after < before
