"""Gradients of Dense, the activations, the losses and a SequentialModel against central finite differences."""
import numpy as np
import pytest

from grader.gradcheck import compare, numeric_gradient

RTOL, ATOL = 1e-6, 1e-9


def float64_dense(beras, rng, n_in, n_out):
    layer = beras.Dense(n_in, n_out)
    layer.w = beras.Variable(rng.normal(size=(n_in, n_out)))
    layer.b = beras.Variable(rng.normal(size=n_out))
    return layer


def assert_matches(analytic, f, x):
    report = compare(analytic, numeric_gradient(f, x), rtol=RTOL, atol=ATOL)
    assert report.ok, report.describe()


def away_from_zero(rng, shape):
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < 0.1, x + np.sign(x) * 0.2 + 0.2 * (x == 0), x)


@pytest.mark.parametrize("make", [
    lambda b, rng: float64_dense(b, rng, 3, 4),
    lambda b, rng: b.LeakyReLU(),
    lambda b, rng: b.LeakyReLU(alpha=0.05),
    lambda b, rng: b.ReLU(),
    lambda b, rng: b.Sigmoid(),
    lambda b, rng: b.Softmax(),
], ids=["dense", "leaky_relu", "leaky_relu_0.05", "relu", "sigmoid", "softmax"])
def test_input_gradient(beras, rng, make):
    layer = make(beras, rng)
    n_in = 3 if isinstance(layer, beras.Dense) else 4
    x = away_from_zero(rng, (5, n_in))
    J = rng.normal(size=np.shape(layer(x)))
    (got,) = layer.compose_input_gradients([J])
    probe = x.copy()
    assert_matches(got, lambda: np.sum(np.asarray(layer(probe)) * J), probe)


def test_dense_weight_gradients(beras, rng):
    layer = float64_dense(beras, rng, 3, 4)
    x = rng.normal(size=(5, 3))
    J = rng.normal(size=(5, 4))
    layer(x)
    grad_w, grad_b = layer.compose_weight_gradients([J])
    f = lambda: np.sum(np.asarray(layer(x)) * J)
    assert_matches(grad_w, f, layer.w)
    assert_matches(grad_b, f, layer.b)


@pytest.mark.parametrize("loss_name", ["MeanSquaredError", "CategoricalCrossEntropy"])
def test_loss_gradient_with_respect_to_predictions(beras, rng, loss_name):
    loss = getattr(beras, loss_name)()
    y_pred = rng.uniform(0.05, 0.95, size=(4, 3))
    y_true = np.eye(3)[[0, 2, 1, 1]]
    loss(y_pred, y_true)
    got = loss.get_input_gradients()[0]
    probe = y_pred.copy()
    assert_matches(got, lambda: float(loss(probe, y_true)), probe)


@pytest.mark.parametrize("build", ["softmax_cce", "sigmoid_mse"])
def test_sequential_model_gradients_through_the_tape(beras, rng, build):
    if build == "softmax_cce":
        layers = [float64_dense(beras, rng, 4, 5), beras.LeakyReLU(), float64_dense(beras, rng, 5, 3), beras.Softmax()]
        loss_fn, y = beras.CategoricalCrossEntropy(), np.eye(3)[[0, 1, 2, 1, 0, 2]]
    else:
        layers = [float64_dense(beras, rng, 4, 5), beras.Sigmoid(), float64_dense(beras, rng, 5, 3)]
        loss_fn, y = beras.MeanSquaredError(), rng.normal(size=(6, 3))
    model = beras.SequentialModel(layers)
    x = rng.normal(size=(6, 4))
    with beras.GradientTape() as tape:
        loss = loss_fn(model(x), y)
    grads = tape.gradient(loss, model.trainable_variables)
    assert len(grads) == 4
    for g, w in zip(grads, model.trainable_variables):
        assert_matches(g, lambda: float(loss_fn(model(x), y)), w)


def test_batch_step_applies_exactly_the_tape_gradients(beras, rng):
    layers = [float64_dense(beras, rng, 4, 3), beras.Softmax()]
    model = beras.SequentialModel(layers)
    model.compile(beras.BasicOptimizer(0.1), beras.CategoricalCrossEntropy(), beras.CategoricalAccuracy())
    x, y = rng.normal(size=(6, 4)), np.eye(3)[[0, 1, 2, 1, 0, 2]]
    before = [np.array(w) for w in model.weights]
    numeric = [numeric_gradient(lambda: float(model.compiled_loss(model(x), y)), w) for w in model.weights]
    stats, _ = model.batch_step(x, y, training=False)
    for w, old in zip(model.weights, before):
        np.testing.assert_array_equal(w, old)          # training=False never updates
    model.batch_step(x, y, training=True)
    for w, old, g in zip(model.weights, before, numeric):
        np.testing.assert_allclose(np.asarray(w), old - 0.1 * g, rtol=1e-6, atol=1e-9)


def test_frozen_layer_does_not_move(beras, rng):
    first, second = float64_dense(beras, rng, 4, 3), float64_dense(beras, rng, 3, 3)
    first.trainable = False
    model = beras.SequentialModel([first, beras.ReLU(), second, beras.Softmax()])
    model.compile(beras.Adam(0.1), beras.CategoricalCrossEntropy(), beras.CategoricalAccuracy())
    frozen, moving = [np.array(w) for w in first.weights], [np.array(w) for w in second.weights]
    model.batch_step(rng.normal(size=(6, 4)), np.eye(3)[[0, 1, 2, 1, 0, 2]])
    assert model.trainable_variables == [second.w, second.b] or all(
        a is b for a, b in zip(model.trainable_variables, [second.w, second.b]))
    for w, old in zip(first.weights, frozen):
        np.testing.assert_array_equal(w, old)
    assert all(not np.array_equal(w, old) for w, old in zip(second.weights, moving))
