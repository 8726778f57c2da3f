"""Beras library basics: tensors, layers, activations, losses, metrics, one-hot, optimizers, models.

Run from your submission folder:  python tests/test_beras.py [--list | --all | --test=NAME] [--verbose]
(NAME: any part of a test's name, e.g. --test=dense, --test=softmax, --test=ohe)
"""
import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

from _checks import also_known_as, assert_close, check, main_for_file


# --------------------------------------------------------------------- core

def test_tensor_wraps_array():
    from beras.core import Tensor
    data = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    t = Tensor(data)
    check(isinstance(t, Tensor) and isinstance(t, np.ndarray), "Tensor(array) should be a Tensor (an np.ndarray)")
    assert_close(t, data, "Tensor(array) values")
    check(t.dtype == np.float32, f"Tensor(array) should keep the dtype float32, got {t.dtype}")
    check(t.trainable is True, "a new Tensor should have trainable True")
    assert_close(Tensor([1, 2, 3]), [1, 2, 3], "Tensor([1, 2, 3]) (from a list)")


def test_tensor_passthrough_and_views():
    from beras.core import Tensor
    t = Tensor(np.arange(6.0).reshape(2, 3))
    check(Tensor(t) is t, "Tensor(a Tensor) should return that same Tensor")
    row = t[1]
    check(isinstance(row, Tensor), "indexing a Tensor should give a Tensor")
    assert_close(row, [3.0, 4.0, 5.0], "Tensor row t[1]")
    t.assign(np.ones((2, 3)))
    assert_close(t, np.ones((2, 3)), "Tensor after assign(ones)")


def test_variable_is_a_tensor():
    from beras.core import Tensor, Variable
    v = Variable(np.zeros((2, 2)))
    check(isinstance(v, Variable) and isinstance(v, Tensor), "Variable(array) should be a Variable (a Tensor)")
    v.assign(np.full((2, 2), 3.0))
    assert_close(v, np.full((2, 2), 3.0), "Variable after assign(3s)")


def test_trainable_properties():
    from beras.layers import Dense
    layer = Dense(3, 2)
    check(layer.trainable is True, "a new Dense layer should be trainable")
    check(len(layer.trainable_variables) == 2 and len(layer.non_trainable_variables) == 0,
          "a new Dense layer should have 2 trainable and 0 non-trainable variables")
    layer.trainable = False
    check(layer.trainable is False, "after layer.trainable = False, layer.trainable should be False")
    check(all(w.trainable is False for w in layer.weights),
          "layer.trainable = False should set trainable = False on every weight")
    check(len(layer.trainable_variables) == 0 and len(layer.non_trainable_variables) == 2,
          "after layer.trainable = False: 0 trainable and 2 non-trainable variables expected")


# --------------------------------------------------------------------- layers

def _set_dense(layer, w, b):
    """Give a Dense layer hand-chosen weights, whatever shape its bias has."""
    layer.w[...] = w
    layer.b[...] = np.reshape(b, (1,) * (np.ndim(layer.b) - 1) + (-1,))


def test_dense_forward():
    from beras.layers import Dense
    layer = Dense(3, 2)
    _set_dense(layer, [[1, 0], [0, 1], [1, -1]], [0.5, -0.5])
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 2.0]], dtype=np.float32)
    # x @ w = [[4, -1], [2, -3]]; + b
    assert_close(layer(x), [[4.5, -1.5], [2.5, -3.5]], "Dense(3, 2) forward", rtol=1e-5)


def test_dense_weights():
    from beras.core import Variable
    from beras.layers import Dense
    layer = Dense(4, 3)
    params = list(layer.weights)
    check(len(params) == 2, f"Dense.weights should be [w, b], got {len(params)} items")
    w, b = params
    check(isinstance(w, Variable) and isinstance(b, Variable), "Dense weights and bias should be Variables")
    check(w.shape == (4, 3), f"Dense(4, 3).w should have shape (4, 3), got {w.shape}")
    check(b.shape in ((3,), (1, 3)), f"Dense(4, 3).b should have shape (3,) or (1, 3), got {b.shape}")


@also_known_as("dense_initializers")
def test_initializers_shapes_and_zero_bias():
    from beras.layers import Dense
    np.random.seed(0)
    fan_in, fan_out = 400, 100
    normal_std = {"normal": 1.0, "xavier": np.sqrt(2 / (fan_in + fan_out)), "kaiming": np.sqrt(2 / fan_in)}
    uniform_limit = {"xavier uniform": np.sqrt(6 / (fan_in + fan_out)), "kaiming uniform": np.sqrt(6 / fan_in)}
    for name in ["zero", *normal_std, *uniform_limit]:
        w, b = Dense._initialize_weight(name, fan_in, fan_out)
        w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
        check(w.shape == (fan_in, fan_out), f"{name!r}: w should have shape {(fan_in, fan_out)}, got {w.shape}")
        check(b.size == fan_out and b.shape in ((fan_out,), (1, fan_out)),
              f"{name!r}: b should have shape ({fan_out},) or (1, {fan_out}), got {b.shape}")
        check(np.all(b == 0), f"{name!r}: the bias should start at zero")
        if name == "zero":
            check(np.all(w == 0), "'zero': w should be all zeros")
            continue
        check(abs(w.mean()) < 0.05 * w.std() + 1e-12, f"{name!r}: w should have mean 0, got {w.mean():.4g}")
        if name in normal_std:
            want = normal_std[name]  # a truncated normal (as in Keras) has about 0.88 of this
            check(0.8 * want < w.std() < 1.05 * want,
                  f"{name!r}: w should have standard deviation about {want:.4g}, got {w.std():.4g}")
        else:
            limit = uniform_limit[name]
            check(np.abs(w).max() <= limit and np.abs(w).max() > 0.95 * limit,
                  f"{name!r}: w should be uniform in [-{limit:.4g}, {limit:.4g}], got values up to "
                  f"{np.abs(w).max():.4g}")


# --------------------------------------------------------------------- activations

def test_leaky_relu_forward():
    from beras.activations import LeakyReLU
    x = np.array([[-2.0, -0.5, 0.0, 1.5]])
    assert_close(LeakyReLU()(x), [[-0.6, -0.15, 0.0, 1.5]], "LeakyReLU() (alpha 0.3) forward")
    assert_close(LeakyReLU(alpha=0.1)(x), [[-0.2, -0.05, 0.0, 1.5]], "LeakyReLU(alpha=0.1) forward")


def test_relu_forward():
    from beras.activations import ReLU
    x = np.array([[-2.0, -0.5, 0.0, 1.5], [3.0, -1.0, 2.0, -0.1]])
    assert_close(ReLU()(x), [[0, 0, 0, 1.5], [3, 0, 2, 0]], "ReLU forward")


def test_sigmoid_forward():
    from beras.activations import Sigmoid
    x = np.array([[0.0, np.log(3.0), -np.log(3.0)]])
    assert_close(Sigmoid()(x), [[0.5, 0.75, 0.25]], "Sigmoid forward at 0, ln 3, -ln 3")
    assert_close(Sigmoid()(np.array([[-1000.0, 1000.0]])), [[0.0, 1.0]], "Sigmoid forward at -1000, 1000",
                 atol=1e-12)


def test_softmax_forward():
    from beras.activations import Softmax
    x = np.array([[0.0, np.log(2.0), np.log(5.0)], [1.0, 1.0, 1.0]])
    probs = Softmax()(x)
    assert_close(probs, [[0.125, 0.25, 0.625], [1 / 3, 1 / 3, 1 / 3]], "Softmax forward")
    assert_close(np.sum(probs, axis=-1), [1.0, 1.0], "Softmax row sums")
    big = np.array([[1000.0, 1000.0, 1000.0 + np.log(2.0)], [-1000.0, 0.0, 1000.0]])
    assert_close(Softmax()(big), [[0.25, 0.25, 0.5], [0.0, 0.0, 1.0]],
                 "Softmax forward on large inputs (subtract the row maximum first)", atol=1e-12)


# --------------------------------------------------------------------- losses, metrics, one-hot

@also_known_as("mean_squared_error_forward")
def test_mse_forward():
    from beras.losses import MeanSquaredError
    y_pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    y_true = np.array([[1.0, 0.0], [0.0, 4.0]])
    # squared errors [[0, 4], [9, 0]] -> per-sample means [2, 4.5] -> 3.25
    assert_close(MeanSquaredError()(y_pred, y_true), 3.25, "MeanSquaredError forward", shape=False)


@also_known_as("categorical_crossentropy_forward")
def test_cce_forward():
    from beras.losses import CategoricalCrossEntropy
    y_pred = np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]])
    y_true = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    expected = -(np.log(0.5) + np.log(0.8)) / 2
    assert_close(CategoricalCrossEntropy()(y_pred, y_true), expected, "CategoricalCrossEntropy forward",
                 shape=False)
    zero = np.array([[0.0, 1.0]])
    assert_close(CategoricalCrossEntropy()(zero, np.array([[1.0, 0.0]])), -np.log(1e-12),
                 "CategoricalCrossEntropy of a zero probability (clip to epsilon=1e-12)", shape=False,
                 rtol=1e-4)


def test_categorical_accuracy():
    from beras.metrics import CategoricalAccuracy
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3], [0.5, 0.1, 0.4]])
    labels = np.eye(3)[[0, 2, 1, 2]]
    assert_close(CategoricalAccuracy()(probs, labels), 0.75, "CategoricalAccuracy (3 of 4 right)", shape=False)


@also_known_as("ohe_round_trip", "one_hot_round_trip")
def test_onehot_round_trip():
    from beras.onehot import OneHotEncoder
    labels = np.array([3, 1, 3, 7, 1])
    enc = OneHotEncoder()
    enc.fit(labels)
    ohe = np.asarray(enc(labels), dtype=np.float64)
    check(ohe.shape == (5, 3), f"one-hot of 5 labels with 3 distinct values should have shape (5, 3), got {ohe.shape}")
    check(np.all((ohe == 0) | (ohe == 1)) and np.all(ohe.sum(axis=1) == 1), "each one-hot row should hold one 1")
    check(np.array_equal(ohe[0], ohe[2]) and not np.array_equal(ohe[0], ohe[1]),
          "equal labels should get equal rows and different labels different rows")
    back = np.asarray(enc.inverse(ohe))
    check(np.array_equal(back.reshape(-1), labels), f"inverse(forward(x)) should give x back: {back} vs {labels}")
    digits = OneHotEncoder()
    digits.fit(np.arange(10))
    eye = np.asarray(digits(np.arange(10)), dtype=np.float64)
    check(eye.shape == (10, 10), f"one-hot of the digits 0..9 should have shape (10, 10), got {eye.shape}")
    assert_close(eye @ eye.T, np.eye(10), "one-hot rows of the digits 0..9 (each a different unit vector)")


# --------------------------------------------------------------------- optimizers

def _param(values):
    from beras.core import Variable
    return Variable(np.array(values, dtype=np.float64))


def test_basic_optimizer_step():
    from beras.optimizers import BasicOptimizer
    w = _param([1.0, 2.0])
    opt = BasicOptimizer(learning_rate=0.1)
    opt.apply_gradients([w], [np.array([0.5, -1.0])])
    check(isinstance(w, np.ndarray), "the parameter should still be an array")
    assert_close(w, [0.95, 2.1], "w after one BasicOptimizer step (update w in place)")
    opt.apply_gradients([w], [np.array([1.0, 1.0])])
    assert_close(w, [0.85, 2.0], "w after two BasicOptimizer steps")


def test_rmsprop_two_steps():
    from beras.optimizers import RMSProp
    lr, beta, eps = 0.01, 0.9, 1e-6
    w = _param([1.0, -2.0, 0.5])
    opt = RMSProp(learning_rate=lr, beta=beta, epsilon=eps)
    expected, v = np.array([1.0, -2.0, 0.5]), np.zeros(3)
    for g in ([0.5, -1.0, 0.0], [0.2, 0.3, -4.0]):
        g = np.array(g)
        opt.apply_gradients([w], [g.copy()])
        v = beta * v + (1 - beta) * g ** 2
        expected = expected - lr / (np.sqrt(v) + eps) * g
        assert_close(w, expected, "w after RMSProp steps (v = beta v + (1-beta) g^2; w -= lr / (sqrt(v) + eps) * g)")


def test_adam_two_steps():
    from beras.optimizers import Adam
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    w = _param([1.0, -2.0, 0.5])
    opt = Adam(learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=eps)
    expected, m, v = np.array([1.0, -2.0, 0.5]), np.zeros(3), np.zeros(3)
    for t, g in enumerate(([0.5, -1.0, 0.0], [0.2, 0.3, -4.0]), start=1):
        g = np.array(g)
        opt.apply_gradients([w], [g.copy()])
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        expected = expected - lr * m_hat / (np.sqrt(v_hat) + eps)
        assert_close(w, expected, f"w after {t} Adam step(s) (bias-corrected m_hat, v_hat)")


def test_optimizers_update_each_parameter_separately():
    from beras.optimizers import Adam, BasicOptimizer, RMSProp
    for cls in (BasicOptimizer, RMSProp, Adam):
        small, large = _param([1.0, 2.0]), _param([[3.0], [4.0]])
        opt = cls(learning_rate=0.1)
        opt.apply_gradients([small, large], [np.array([1.0, 1.0]), np.array([[-1.0], [-1.0]])])
        check(np.all(np.asarray(small) < [1.0, 2.0]) and np.all(np.asarray(large) > [[3.0], [4.0]]),
              f"{cls.__name__}: each parameter should move against its own gradient (one state per parameter)")


# --------------------------------------------------------------------- models

def _small_model():
    from beras.activations import ReLU
    from beras.layers import Dense
    from beras.model import SequentialModel
    first, second = Dense(3, 4), Dense(4, 2)
    return SequentialModel([first, ReLU(), second]), first, second


def test_model_weights():
    model, first, second = _small_model()
    params = list(model.weights)
    check(len(params) == 4, f"SequentialModel([Dense, ReLU, Dense]).weights should have 4 entries, got {len(params)}")
    for got, want, what in zip(params, [first.w, first.b, second.w, second.b], ["w1", "b1", "w2", "b2"]):
        check(got is want, f"model.weights should be [w1, b1, w2, b2] (the layers' own Variables); {what} is not")


@also_known_as("model_forward")
def test_sequential_forward():
    model, first, second = _small_model()
    rng = np.random.default_rng(0)
    w1, b1, w2, b2 = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)), rng.normal(size=2)
    _set_dense(first, w1, b1)
    _set_dense(second, w2, b2)
    x = rng.normal(size=(5, 3)).astype(np.float32)
    w1, b1, w2, b2 = (a.astype(np.float32) for a in (w1, b1, w2, b2))
    expected = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    assert_close(model(x), expected, "SequentialModel([Dense(3, 4), ReLU(), Dense(4, 2)]) forward", rtol=1e-4, atol=1e-5)


@also_known_as("model_fit_and_evaluate")
def test_sequential_fit_and_evaluate():
    from beras.activations import Softmax
    from beras.layers import Dense
    from beras.losses import CategoricalCrossEntropy
    from beras.metrics import CategoricalAccuracy
    from beras.model import SequentialModel
    from beras.optimizers import Adam
    np.random.seed(1)
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, size=90)
    x = (np.eye(3)[labels] * 2 + rng.normal(scale=0.3, size=(90, 3))).astype(np.float32)
    y = np.eye(3)[labels].astype(np.float32)
    model = SequentialModel([Dense(3, 3, initializer="xavier"), Softmax()])
    model.compile(optimizer=Adam(learning_rate=0.05), loss_fn=CategoricalCrossEntropy(),
                  acc_fn=CategoricalAccuracy())
    history = model.fit(x, y, epochs=3, batch_size=32)
    check(isinstance(history, dict) and "loss" in history and "acc" in history,
          f"fit should return a dict with 'loss' and 'acc', got {history!r:.100}")
    check(len(history["loss"]) == 3, f"fit(epochs=3) should give 3 loss values (one per epoch), got {len(history['loss'])}")
    result = model.evaluate(x, y, batch_size=32)
    check(isinstance(result, tuple) and len(result) == 2, f"evaluate should return (metrics dict, predictions), got {result!r:.100}")
    metrics, predictions = result
    check(isinstance(metrics, dict) and "acc" in metrics, f"evaluate's metrics should be a dict with 'acc', got {metrics!r:.100}")
    check(np.shape(predictions) == (90, 3), f"evaluate should return the predictions of every example (90, 3), got {np.shape(predictions)}")
    check(float(np.mean(metrics["acc"])) > 0.9,
          f"a linear softmax model should separate this easy problem after 3 epochs; accuracy {np.mean(metrics['acc']):.3f}")


if __name__ == "__main__":
    sys.exit(main_for_file(__name__))
