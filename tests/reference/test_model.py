"""Sequential: construction, parameters, batch_step, fit and evaluate."""
import numpy as np
import pytest

from beras.activations import ReLU, Softmax
from beras.core import Tensor
from beras.layers import Linear
from beras.losses import CategoricalCrossEntropy
from beras.metrics import CategoricalAccuracy
from beras.model import Sequential
from beras.optimizers import Adam


def layers():
    return [Linear(6, 5, initializer="xavier"), ReLU(), Linear(5, 3, initializer="xavier"), Softmax()]


def data(n=10, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, size=n)]
    return x, y


def compiled(model_cls=Sequential):
    np.random.seed(0)
    model = model_cls(*layers())
    model.compile(Adam(model.parameters, 1e-2), CategoricalCrossEntropy(), CategoricalAccuracy())
    return model


def test_construction_forms():
    ls = layers()
    assert Sequential(*ls).layers == ls
    assert Sequential(ls).layers == ls
    assert all(a is b for a, b in zip(Sequential(ls).layers, ls))


def test_parameters_in_order():
    ls = layers()
    model = Sequential(ls)
    expected = [ls[0].w, ls[0].b, ls[2].w, ls[2].b]
    params = list(model.parameters)
    assert len(params) == 4 and all(p is e for p, e in zip(params, expected))


def test_forward_is_layers_in_turn():
    ls = layers()
    x, _ = data()
    out = np.asarray(Sequential(ls)(x))
    h = np.maximum(x @ np.asarray(ls[0].w) + np.asarray(ls[0].b), 0)
    z = h @ np.asarray(ls[2].w) + np.asarray(ls[2].b)
    expected = np.exp(z - z.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(out, expected, rtol=1e-5)


def test_batch_step_without_training_changes_nothing():
    model = compiled()
    x, y = data()
    before = [np.array(p) for p in model.parameters]
    result = model.batch_step(x, y, training=False)
    stats = result[0] if isinstance(result, tuple) else result
    assert set(stats) >= {"loss", "acc"}
    for p, b in zip(model.parameters, before):
        np.testing.assert_array_equal(p, b)


def test_batch_step_training_changes_weights_and_returns_floats():
    model = compiled()
    x, y = data()
    before = [np.array(p) for p in model.parameters]
    stats = model.batch_step(x, y, training=True)
    assert isinstance(stats["loss"], float) and isinstance(stats["acc"], float)
    assert all(not np.array_equal(p, b) for p, b in zip(model.parameters, before))


class Counting(Sequential):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = []

    def batch_step(self, x, y, training=True):
        self.calls.append((training, np.array(x)))
        return super().batch_step(x, y, training)


def test_fit_history_and_last_partial_batch():
    model = compiled(Counting)
    x, y = data(n=10)
    history = model.fit(x, y, epochs=3, batch_size=4)
    assert set(history) == {"loss", "acc"}
    assert len(history["loss"]) == 3 and len(history["acc"]) == 3
    assert all(isinstance(v, float) for v in history["loss"] + history["acc"])
    assert [len(xb) for _, xb in model.calls] == [4, 4, 2] * 3
    assert all(training for training, _ in model.calls)
    for epoch in range(3):   # every row exactly once per epoch
        rows = np.concatenate([xb for _, xb in model.calls[3 * epoch: 3 * epoch + 3]])
        np.testing.assert_array_equal(rows[np.lexsort(rows.T)], x[np.lexsort(x.T)])
    assert history["loss"][-1] < history["loss"][0]


def test_evaluate_returns_metrics_and_all_predictions():
    model = compiled(Counting)
    x, y = data(n=10)
    before = [np.array(p) for p in model.parameters]
    metrics, predictions = model.evaluate(x, y, batch_size=4)
    assert set(metrics) >= {"loss", "acc"}
    assert np.shape(predictions) == (10, 3)
    assert [len(xb) for _, xb in model.calls] == [4, 4, 2]
    assert not any(training for training, _ in model.calls)
    np.testing.assert_allclose(predictions, model(x), rtol=1e-6)
    expected_acc = np.mean(np.argmax(predictions, 1) == np.argmax(y, 1))
    assert metrics["acc"] == pytest.approx(expected_acc)
    for p, b in zip(model.parameters, before):
        np.testing.assert_array_equal(p, b)


def test_float32_stays_float32():
    model = compiled()
    x, y = data()
    assert np.asarray(model(x)).dtype == np.float32
    model.batch_step(x, y, training=True)
    for p in model.parameters:
        assert p.dtype == np.float32 and np.asarray(p.grad).dtype == np.float32
    _, predictions = model.evaluate(x, y, batch_size=4)
    assert np.asarray(predictions).dtype == np.float32


def test_model_is_not_recorded_and_backward_is_noop():
    model = Sequential(layers())
    out = model(data()[0])
    assert isinstance(out, Tensor)
    assert out.backward == model.layers[-1].backward
    assert model.backward() is None
