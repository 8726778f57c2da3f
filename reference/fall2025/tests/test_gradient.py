"""Gradients: each layer's local gradients and GradientTape.gradient through a model, against finite differences.

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


def _float64_dense(input_size, output_size, seed):
    """A Dense layer whose weights and bias are float64 Variables (for finite differences)."""
    from beras.core import Variable
    from beras.layers import Dense
    rng = np.random.default_rng(seed)
    layer = Dense(input_size, output_size)
    bias_shape = np.shape(layer.b)
    layer.w = Variable(rng.normal(size=(input_size, output_size)))
    layer.b = Variable(rng.normal(size=bias_shape))
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

def test_dense_input_gradient():
    layer = _float64_dense(3, 2, seed=0)
    rng = np.random.default_rng(1)
    _upstream_check(layer, rng.normal(size=(4, 3)), rng.normal(size=(4, 2)), "Dense(3, 2)")


def test_dense_weight_gradients():
    from beras.core import Tensor
    layer = _float64_dense(3, 2, seed=2)
    rng = np.random.default_rng(3)
    x, upstream = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    layer(Tensor(x.copy()))
    grads = layer.compose_weight_gradients([upstream])
    check(grads is not None and len(grads) == 2,
          "Dense.compose_weight_gradients([J]) should give two gradients: [dL/dw, dL/db]")
    f = lambda: np.sum(np.asarray(layer(Tensor(x.copy())), dtype=np.float64) * upstream)
    assert_close(grads[0], numerical_gradient(f, layer.w), "Dense: dL/dw (from compose_weight_gradients)",
                 rtol=RTOL, atol=ATOL)
    db = np.asarray(grads[1], dtype=np.float64)
    check(db.size == 2, f"Dense: dL/db should have one entry per output (2), got shape {db.shape}")
    assert_close(db, numerical_gradient(f, layer.b), "Dense: dL/db (from compose_weight_gradients)",
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


# --------------------------------------------------------------------- the gradient tape

def test_tape_installs_itself_and_refuses_nesting():
    from beras.core import Diffable
    from beras.gradient_tape import GradientTape
    check(Diffable.gradient_tape is None, "outside any tape, Diffable.gradient_tape should be None")
    with GradientTape() as tape:
        check(Diffable.gradient_tape is tape, "inside `with GradientTape() as tape`, Diffable.gradient_tape should be tape")
        try:
            with GradientTape():
                pass
        except RuntimeError:
            pass
        else:
            raise AssertionError("entering a GradientTape inside another should raise RuntimeError")
        finally:
            Diffable.gradient_tape = tape
    check(Diffable.gradient_tape is None, "after the `with` block, Diffable.gradient_tape should be None again")


def test_tape_records_outputs_by_id():
    from beras.activations import ReLU
    from beras.gradient_tape import GradientTape
    layer = _float64_dense(3, 2, seed=20)
    x = np.random.default_rng(21).normal(size=(4, 3))
    outside = layer(x)
    with GradientTape() as tape:
        out = layer(x)
        act = ReLU()
        relu_out = act(out)
    check(tape.previous_layers[id(out)] is layer, "tape.previous_layers[id(output)] should be the Dense layer that made it")
    check(tape.previous_layers[id(relu_out)] is act, "tape.previous_layers[id(output)] should be the ReLU that made it")
    check(tape.previous_layers[id(x)] is None, "an input no layer made should map to None in tape.previous_layers")
    check(tape.previous_layers[id(outside)] is None, "a layer called outside the tape should not be recorded")


def _model_gradient_check(layers, loss_fn, x, y, what):
    """tape.gradient(loss, model.weights) must give the finite-difference gradient of every weight, in order."""
    from beras.gradient_tape import GradientTape
    from beras.model import SequentialModel
    model = SequentialModel(layers)
    params = list(model.weights)
    check(len(params) > 0, f"{what}: model.weights is empty")
    with GradientTape() as tape:
        loss = loss_fn(model(x), y)
    got = tape.gradient(loss, params)
    check(got is not None and len(got) == len(params),
          f"{what}: tape.gradient(loss, weights) should return one gradient per weight ({len(params)})")
    loss_value = lambda: loss_fn(model(x), y)
    for i, (p, g) in enumerate(zip(params, got)):
        check(g is not None, f"{what}: tape.gradient gave None for weight {i} (shape {np.shape(p)})")
        g = np.asarray(g, dtype=np.float64)
        check(g.size == np.size(p), f"{what}: weight {i} has shape {np.shape(p)} but its gradient has shape {g.shape}")
        assert_close(g, numerical_gradient(loss_value, p),
                     f"{what}: gradient of weight {i} (shape {np.shape(p)}) from tape.gradient",
                     rtol=1e-4, atol=1e-7, shape=False)


@also_known_as("model_gradient_softmax_cce")
def test_tape_gradient_softmax_cce_model():
    from beras.activations import LeakyReLU, Softmax
    from beras.losses import CategoricalCrossEntropy
    rng = np.random.default_rng(10)
    x = rng.normal(size=(6, 4))
    y = np.eye(3)[[0, 1, 2, 1, 0, 2]]
    layers = [_float64_dense(4, 5, seed=11), LeakyReLU(), _float64_dense(5, 3, seed=12), Softmax()]
    _model_gradient_check(layers, CategoricalCrossEntropy(), x, y,
                          "SequentialModel([Dense(4, 5), LeakyReLU(), Dense(5, 3), Softmax()]) + CategoricalCrossEntropy")


@also_known_as("model_gradient_sigmoid_mse")
def test_tape_gradient_sigmoid_mse_model():
    from beras.activations import Sigmoid
    from beras.losses import MeanSquaredError
    rng = np.random.default_rng(13)
    x, y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    layers = [_float64_dense(3, 4, seed=14), Sigmoid(), _float64_dense(4, 2, seed=15)]
    _model_gradient_check(layers, MeanSquaredError(), x, y,
                          "SequentialModel([Dense(3, 4), Sigmoid(), Dense(4, 2)]) + MeanSquaredError")


def test_tape_gradient_follows_the_order_of_sources():
    from beras.gradient_tape import GradientTape
    from beras.losses import MeanSquaredError
    rng = np.random.default_rng(22)
    layer = _float64_dense(3, 2, seed=23)
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    with GradientTape() as tape:
        loss = MeanSquaredError()(layer(x), y)
    forward = tape.gradient(loss, [layer.w, layer.b])
    backward = tape.gradient(loss, [layer.b, layer.w])
    check(len(forward) == 2 and len(backward) == 2, "tape.gradient should return one gradient per source")
    check(np.shape(forward[0]) == layer.w.shape and np.size(backward[0]) == np.size(layer.b),
          "tape.gradient(loss, sources) should return the gradients in the order of the sources")
    assert_close(backward[1], forward[0], "gradient of w asked for second (should equal w's gradient asked for first)")


if __name__ == "__main__":
    sys.exit(main_for_file(__name__))
