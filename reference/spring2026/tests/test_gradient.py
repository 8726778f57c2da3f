"""Gradients: each layer's local gradients and loss.backward() through a model, against finite differences.

Every check compares your gradient with central finite differences of your
own forward pass, in float64: (f(x + eps) - f(x - eps)) / (2 eps).

Run from your submission folder:  python tests/test_gradient.py [--list | --all | --test=NAME] [--verbose]
(NAME: any part of a test's name, e.g. --test=dense, --test=softmax, --test=backward)
"""
import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

from _checks import also_known_as, assert_close, check, first_or_only, main_for_file, numerical_gradient

RTOL, ATOL = 1e-5, 1e-7


def _float64_linear(input_size, output_size, seed):
    """A Linear layer whose weights and bias are float64 Tensors (for finite differences)."""
    from beras.core import Tensor
    from beras.layers import Linear
    rng = np.random.default_rng(seed)
    layer = Linear(input_size, output_size)
    bias_shape = np.shape(layer.b)
    layer.w = Tensor(rng.normal(size=(input_size, output_size)))
    layer.b = Tensor(rng.normal(size=bias_shape))
    return layer


def _upstream_check(layer, x, upstream, what):
    """Compare layer.compose_input_gradients([J]) with d(sum(layer(x) * J))/dx."""
    from beras.core import Tensor
    x = np.array(x, dtype=np.float64)
    layer(Tensor(x.copy()))  # records layer.inputs / layer.outputs
    got = first_or_only(layer.compose_input_gradients([upstream]), f"{what}.compose_input_gradients([J])")
    probe = x.copy()
    expected = numerical_gradient(lambda: np.sum(np.asarray(layer(probe), dtype=np.float64) * upstream), probe)
    assert_close(got, expected, f"{what}: gradient with respect to the input (compose_input_gradients)",
                 rtol=RTOL, atol=ATOL)


# --------------------------------------------------------------------- layers

@also_known_as("dense_input_gradient")
def test_linear_input_gradient():
    layer = _float64_linear(3, 2, seed=0)
    rng = np.random.default_rng(1)
    _upstream_check(layer, rng.normal(size=(4, 3)), rng.normal(size=(4, 2)), "Linear(3, 2)")


@also_known_as("dense_weight_gradients")
def test_linear_weight_gradients():
    from beras.core import Tensor
    layer = _float64_linear(3, 2, seed=2)
    rng = np.random.default_rng(3)
    x, upstream = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    layer(Tensor(x.copy()))
    grads = layer.compose_weight_gradients([upstream])
    check(grads is not None and len(grads) == 2,
          "Linear.compose_weight_gradients([J]) should give two gradients: [dL/dw, dL/db]")
    f = lambda: np.sum(np.asarray(layer(Tensor(x.copy())), dtype=np.float64) * upstream)
    assert_close(grads[0], numerical_gradient(f, layer.w), "Linear: dL/dw (from compose_weight_gradients)",
                 rtol=RTOL, atol=ATOL)
    db = np.asarray(grads[1], dtype=np.float64)
    check(db.size == 2, f"Linear: dL/db should have one entry per output (2), got shape {db.shape}")
    assert_close(db, numerical_gradient(f, layer.b), "Linear: dL/db (from compose_weight_gradients)",
                 rtol=RTOL, atol=ATOL, shape=False)


# --------------------------------------------------------------------- activations

def _away_from_zero(rng, shape):
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < 0.1, x + np.sign(x + 1e-12) * 0.2, x)


def test_leaky_relu_gradient():
    from beras.activations import LeakyReLU
    rng = np.random.default_rng(4)
    _upstream_check(LeakyReLU(), _away_from_zero(rng, (4, 5)), rng.normal(size=(4, 5)), "LeakyReLU()")
    _upstream_check(LeakyReLU(alpha=0.05), _away_from_zero(rng, (3, 2)), rng.normal(size=(3, 2)),
                    "LeakyReLU(alpha=0.05)")
    layer = LeakyReLU()
    layer(np.array([[-2.0, 0.0, 3.0]]))
    local = first_or_only(layer.get_input_gradients(), "LeakyReLU.get_input_gradients()")
    assert_close(local, [[0.3, 0.0, 1.0]], "LeakyReLU local gradient at x = -2, 0, 3 (0 at exactly 0)",
                 shape=False)


def test_relu_gradient():
    from beras.activations import ReLU
    rng = np.random.default_rng(5)
    _upstream_check(ReLU(), _away_from_zero(rng, (4, 5)), rng.normal(size=(4, 5)), "ReLU()")


def test_sigmoid_gradient():
    from beras.activations import Sigmoid
    rng = np.random.default_rng(6)
    _upstream_check(Sigmoid(), rng.normal(scale=2.0, size=(4, 5)), rng.normal(size=(4, 5)), "Sigmoid()")


def test_softmax_gradient():
    from beras.activations import Softmax
    rng = np.random.default_rng(7)
    _upstream_check(Softmax(), rng.normal(size=(4, 5)), rng.normal(size=(4, 5)),
                    "Softmax() (needs the full Jacobian diag(s) - s s^T, not only its diagonal)")


# --------------------------------------------------------------------- losses

def _loss_gradient_check(loss_fn, y_pred, y_true, what):
    y_pred = np.array(y_pred, dtype=np.float64)
    loss_fn(y_pred.copy(), y_true)
    grads = loss_fn.get_input_gradients()
    got = first_or_only(grads, f"{what}.get_input_gradients()")
    probe = y_pred.copy()
    expected = numerical_gradient(lambda: loss_fn(probe, y_true), probe)
    assert_close(got, expected, f"{what}: dL/dy_pred (first entry of get_input_gradients())",
                 rtol=RTOL, atol=ATOL)


@also_known_as("mean_squared_error_gradient")
def test_mse_gradient():
    from beras.losses import MeanSquaredError
    rng = np.random.default_rng(8)
    _loss_gradient_check(MeanSquaredError(), rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), "MeanSquaredError")


@also_known_as("categorical_crossentropy_gradient")
def test_cce_gradient():
    from beras.losses import CategoricalCrossEntropy
    rng = np.random.default_rng(9)
    y_pred = rng.uniform(0.05, 0.95, size=(4, 3))
    y_true = np.eye(3)[[0, 2, 1, 1]]
    _loss_gradient_check(CategoricalCrossEntropy(), y_pred, y_true, "CategoricalCrossEntropy")


# --------------------------------------------------------------------- backpropagation

def _model_backward_check(layers, loss_fn, x, y, what):
    """loss.backward() must leave in every parameter's .grad the finite-difference gradient."""
    from beras.model import Sequential
    model = Sequential(layers)
    params = list(model.parameters)
    check(len(params) > 0, f"{what}: model.parameters is empty")
    for p in params:
        p.grad = None
    loss = loss_fn(model(x), y)
    loss.backward()
    got = [p.grad for p in params]
    loss_value = lambda: loss_fn(model(x), y)
    for i, (p, g) in enumerate(zip(params, got)):
        check(g is not None, f"{what}: after loss.backward(), parameter {i} (shape {np.shape(p)}) still has .grad None")
        g = np.asarray(g, dtype=np.float64)
        check(g.size == np.size(p), f"{what}: parameter {i} has shape {np.shape(p)} but its .grad has shape {g.shape}")
        assert_close(g, numerical_gradient(loss_value, p),
                     f"{what}: .grad of parameter {i} (shape {np.shape(p)}) after loss.backward()",
                     rtol=1e-4, atol=1e-7, shape=False)


@also_known_as("model_backward_softmax_cce")
def test_backward_softmax_cce_model():
    from beras.activations import LeakyReLU, Softmax
    from beras.losses import CategoricalCrossEntropy
    rng = np.random.default_rng(10)
    x = rng.normal(size=(6, 4))
    y = np.eye(3)[[0, 1, 2, 1, 0, 2]]
    layers = [_float64_linear(4, 5, seed=11), LeakyReLU(), _float64_linear(5, 3, seed=12), Softmax()]
    _model_backward_check(layers, CategoricalCrossEntropy(), x, y,
                          "Sequential(Linear(4, 5), LeakyReLU(), Linear(5, 3), Softmax()) + CategoricalCrossEntropy")


@also_known_as("model_backward_sigmoid_mse")
def test_backward_sigmoid_mse_model():
    from beras.activations import Sigmoid
    from beras.losses import MeanSquaredError
    rng = np.random.default_rng(13)
    x, y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    layers = [_float64_linear(3, 4, seed=14), Sigmoid(), _float64_linear(4, 2, seed=15)]
    _model_backward_check(layers, MeanSquaredError(), x, y,
                          "Sequential(Linear(3, 4), Sigmoid(), Linear(4, 2)) + MeanSquaredError")


def test_backward_skips_frozen_layer():
    from beras.activations import ReLU
    from beras.losses import MeanSquaredError
    from beras.model import Sequential
    rng = np.random.default_rng(16)
    first, second = _float64_linear(3, 4, seed=17), _float64_linear(4, 2, seed=18)
    first.trainable = False
    model = Sequential([first, ReLU(), second])
    for p in model.parameters:
        p.grad = None
    MeanSquaredError()(model(rng.normal(size=(5, 3))), rng.normal(size=(5, 2))).backward()
    check(all(p.grad is None for p in first.parameters),
          "a layer with trainable = False should not get .grad values from loss.backward()")
    check(all(p.grad is not None for p in second.parameters),
          "the trainable layer should get .grad values from loss.backward()")


if __name__ == "__main__":
    sys.exit(main_for_file(__name__))
