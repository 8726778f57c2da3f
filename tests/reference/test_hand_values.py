"""Values derived by hand (the arithmetic is in the comments)."""
import numpy as np
import pytest

from beras.activations import LeakyReLU, ReLU, Sigmoid, Softmax
from beras.core import Tensor
from beras.layers import Linear
from beras.losses import CategoricalCrossEntropy, MeanSquaredError
from beras.metrics import CategoricalAccuracy


def linear_with(w, b):
    layer = Linear(len(w), len(w[0]), initializer="zero", dtype=np.float64)
    layer.w = Tensor(np.array(w, dtype=np.float64))
    layer.b = Tensor(np.array(b, dtype=np.float64))
    return layer


@pytest.mark.parametrize("bias", [[0.5, -1.0], [[0.5, -1.0]]])
def test_linear_one_sample(bias):
    layer = linear_with([[1, 2], [3, 4], [5, 6]], bias)
    x = np.array([[1.0, 0.0, -1.0]])
    # x @ w = [1 - 5, 2 - 6] = [-4, -4]; + b = [-3.5, -5]
    np.testing.assert_array_equal(layer(x), [[-3.5, -5.0]])
    J = np.array([[1.0, 2.0]])
    # dL/dx = J @ w^T = [1 + 4, 3 + 8, 5 + 12]
    np.testing.assert_allclose(layer.compose_input_gradients([J])[0], [[5, 11, 17]], rtol=1e-15)
    gw, gb = layer.compose_weight_gradients([J])
    # dL/dw = x^T J (outer product); dL/db = J, in the bias' own shape
    np.testing.assert_allclose(gw, [[1, 2], [0, 0], [-1, -2]], rtol=1e-15)
    np.testing.assert_allclose(gb, np.reshape([1, 2], np.shape(bias)), rtol=1e-15)
    assert np.shape(gb) == np.shape(bias)


def test_linear_two_samples_sum_over_batch():
    layer = linear_with([[1, 2], [3, 4], [5, 6]], [0.0, 0.0])
    x = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
    np.testing.assert_array_equal(layer(x), [[-4, -4], [5, 8]])
    J = np.array([[1.0, 2.0], [0.0, 1.0]])
    gw, gb = layer.compose_weight_gradients([J])
    # x0^T J0 = [[1,2],[0,0],[-1,-2]]; x1^T J1 = [[0,2],[0,1],[0,0]]
    np.testing.assert_allclose(gw, [[1, 4], [0, 1], [-1, -2]], rtol=1e-15)
    np.testing.assert_allclose(gb, [1, 3], rtol=1e-15)
    # dL/dx rows: [1,2]@w^T = [5,11,17]; [0,1]@w^T = [2,4,6]
    np.testing.assert_allclose(layer.compose_input_gradients([J])[0], [[5, 11, 17], [2, 4, 6]], rtol=1e-15)


def test_softmax_two_classes_by_hand():
    layer = Softmax()
    s = layer(np.array([[0.0, np.log(3.0)]]))
    # e^0 = 1, e^ln3 = 3: s = [1/4, 3/4]
    np.testing.assert_allclose(s, [[0.25, 0.75]], rtol=1e-14)
    (jac,) = layer.get_input_gradients()
    # diag(s) - s s^T = [[1/4 - 1/16, -3/16], [-3/16, 3/4 - 9/16]]
    np.testing.assert_allclose(np.reshape(jac, (2, 2)), [[3 / 16, -3 / 16], [-3 / 16, 3 / 16]], rtol=1e-14)
    # upstream [1, 0]: dL/dx = [3/16, -3/16]
    np.testing.assert_allclose(layer.compose_input_gradients([np.array([[1.0, 0.0]])])[0],
                               [[3 / 16, -3 / 16]], rtol=1e-14)


def test_softmax_rows_sum_to_one():
    s = Softmax()(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(np.sum(s, axis=-1), [1, 1], rtol=1e-15)
    np.testing.assert_allclose(s[1], [1 / 3] * 3, rtol=1e-15)


def test_leaky_relu_values_and_kink():
    layer = LeakyReLU(alpha=0.3)
    out = layer(np.array([[-2.0, 0.0, 3.0]]))
    np.testing.assert_allclose(out, [[-0.6, 0.0, 3.0]], rtol=1e-15)
    np.testing.assert_allclose(layer.get_input_gradients()[0], [[0.3, 0.0, 1.0]], rtol=1e-15)


def test_relu_gradient_at_zero_is_zero():
    layer = ReLU()
    np.testing.assert_array_equal(layer(np.array([[-1.0, 0.0, 2.0]])), [[0.0, 0.0, 2.0]])
    np.testing.assert_array_equal(layer.get_input_gradients()[0], [[0.0, 0.0, 1.0]])


def test_sigmoid_by_hand():
    layer = Sigmoid()
    # s(0) = 1/2, s(ln 3) = 3/(3+1) = 3/4; s' = s(1-s) = 1/4, 3/16
    np.testing.assert_allclose(layer(np.array([[0.0, np.log(3.0)]])), [[0.5, 0.75]], rtol=1e-15)
    np.testing.assert_allclose(layer.get_input_gradients()[0], [[0.25, 3 / 16]], rtol=1e-14)
    big = np.asarray(Sigmoid()(np.array([[-800.0, 800.0]])))
    assert np.all(np.isfinite(big)) and big[0, 0] < 1e-300 and big[0, 1] == 1.0


def test_cce_by_hand():
    p = np.array([[0.25, 0.75], [0.5, 0.5]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    loss = CategoricalCrossEntropy()
    # (-ln 0.75 - ln 0.5) / 2
    assert float(loss(p, y)) == pytest.approx((-np.log(0.75) - np.log(0.5)) / 2, rel=1e-14)
    # -y / p / batch: [[0, -1/0.75/2], [-1/0.5/2, 0]]
    np.testing.assert_allclose(loss.compose_input_gradients(None)[0], [[0, -2 / 3], [-1, 0]], rtol=1e-14)


def test_cce_clips_zero_probability():
    loss = CategoricalCrossEntropy()
    value = float(loss(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]])))
    assert value == pytest.approx(-np.log(1e-12), rel=1e-12)
    assert np.all(np.isfinite(loss.compose_input_gradients(None)[0]))


def test_mse_by_hand():
    p = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    y = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 2.0]])
    loss = MeanSquaredError()
    # diffs [[0,1,2],[0,0,-2]]: row means 5/3 and 4/3, batch mean 3/2
    assert float(loss(p, y)) == pytest.approx(1.5, rel=1e-15)
    d_pred, d_true = loss.compose_input_gradients(None)
    # 2 (p - y) / (batch * features) = diff / 3
    np.testing.assert_allclose(d_pred, [[0, 1 / 3, 2 / 3], [0, 0, -2 / 3]], rtol=1e-15)
    np.testing.assert_allclose(d_true, -np.asarray(d_pred), rtol=1e-15)


def test_categorical_accuracy_by_hand():
    probs = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    labels = np.array([[0, 1], [0, 1], [0, 1]])
    assert float(CategoricalAccuracy()(probs, labels)) == pytest.approx(2 / 3, rel=1e-15)
    assert float(CategoricalAccuracy()(probs, 1 - labels)) == pytest.approx(1 / 3, rel=1e-15)
