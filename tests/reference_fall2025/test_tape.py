"""GradientTape semantics: installation, nesting, previous_layers by id, breadth-first walk, sources in order."""
import numpy as np
import pytest

from grader.gradcheck import compare, numeric_gradient


def float64_dense(beras, rng, n_in, n_out):
    layer = beras.Dense(n_in, n_out)
    layer.w = beras.Variable(rng.normal(size=(n_in, n_out)))
    layer.b = beras.Variable(rng.normal(size=n_out))
    return layer


def test_enter_installs_the_tape_and_exit_removes_it(beras):
    assert beras.Diffable.gradient_tape is None
    with beras.GradientTape() as tape:
        assert beras.Diffable.gradient_tape is tape
    assert beras.Diffable.gradient_tape is None


def test_a_nested_tape_is_refused_and_the_outer_stays(beras):
    with beras.GradientTape() as outer:
        with pytest.raises(RuntimeError):
            with beras.GradientTape():
                pass
        assert beras.Diffable.gradient_tape is outer


def test_exit_removes_the_tape_even_when_the_block_raises(beras):
    with pytest.raises(ZeroDivisionError):
        with beras.GradientTape():
            1 / 0
    assert beras.Diffable.gradient_tape is None


def test_previous_layers_maps_the_id_of_each_output_to_its_layer(beras, rng):
    dense, relu = float64_dense(beras, rng, 3, 2), beras.ReLU()
    x = rng.normal(size=(4, 3))
    before = dense(x)
    with beras.GradientTape() as tape:
        hidden = dense(x)
        out = relu(hidden)
    assert tape.previous_layers[id(hidden)] is dense
    assert tape.previous_layers[id(out)] is relu
    assert tape.previous_layers[id(x)] is None            # a default, not a KeyError
    assert tape.previous_layers[id(before)] is None       # called outside the tape: not recorded
    assert set(tape.previous_layers) >= {id(hidden), id(out)}


class Counting:
    """Wraps a layer class so that every compose_input_gradients call is logged."""

    @staticmethod
    def make(cls, log, name):
        class Logged(cls):
            def compose_input_gradients(self, J=None):
                log.append(name)
                return super().compose_input_gradients(J)
        return Logged


def diamond(beras, rng, log):
    """x -> Dense -> h; h -> Sigmoid -> s; h -> LeakyReLU -> r; loss = MSE(s, r): h is read twice."""
    dense = float64_dense(beras, rng, 3, 4)
    sigmoid = Counting.make(beras.Sigmoid, log, "sigmoid")()
    leaky = Counting.make(beras.LeakyReLU, log, "leaky")(alpha=0.2)
    mse = Counting.make(beras.MeanSquaredError, log, "mse")()
    dense_cls = Counting.make(beras.Dense, log, "dense")
    logged_dense = dense_cls(3, 4)
    logged_dense.w, logged_dense.b = dense.w, dense.b

    def loss(x):
        h = logged_dense(x)
        return mse(sigmoid(h), leaky(h))
    return logged_dense, loss


def test_breadth_first_each_layer_composed_once_after_all_its_readers(beras, rng):
    log = []
    dense, loss = diamond(beras, rng, log)
    x = rng.normal(size=(5, 3))
    with beras.GradientTape() as tape:
        target = loss(x)
    log.clear()
    tape.gradient(target, [dense.w])
    # Level by level from the loss; the shared Dense output is passed on once, complete.
    assert log == ["mse", "sigmoid", "leaky", "dense"]


def test_a_tensor_read_by_two_layers_gets_the_sum_of_their_gradients(beras, rng):
    dense, loss = diamond(beras, rng, [])
    x = rng.normal(size=(5, 3))
    with beras.GradientTape() as tape:
        target = loss(x)
    grad_w, grad_b = tape.gradient(target, [dense.w, dense.b])
    for analytic, weight in ((grad_w, dense.w), (grad_b, dense.b)):
        report = compare(analytic, numeric_gradient(lambda: float(loss(x)), weight), rtol=1e-6, atol=1e-9)
        assert report.ok, report.describe()


def test_one_gradient_per_source_in_order_and_none_for_unconnected(beras, rng):
    first, second = float64_dense(beras, rng, 3, 4), float64_dense(beras, rng, 4, 2)
    unrelated = float64_dense(beras, rng, 2, 2)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    with beras.GradientTape() as tape:
        loss = beras.MeanSquaredError()(second(beras.Sigmoid()(first(x))), y)
    in_order = tape.gradient(loss, [first.w, first.b, second.w, second.b])
    shuffled = tape.gradient(loss, [second.b, unrelated.w, first.w])
    assert [np.shape(g) for g in in_order] == [(3, 4), (4,), (4, 2), (2,)]
    assert len(shuffled) == 3
    np.testing.assert_array_equal(shuffled[0], in_order[3])
    assert shuffled[1] is None
    np.testing.assert_array_equal(shuffled[2], in_order[0])


def test_gradient_with_respect_to_an_input(beras, rng):
    dense = float64_dense(beras, rng, 3, 2)
    x, y = beras.Tensor(rng.normal(size=(4, 3))), rng.normal(size=(4, 2))
    with beras.GradientTape() as tape:
        loss = beras.MeanSquaredError()(dense(x), y)
    (grad_x,) = tape.gradient(loss, [x])
    report = compare(grad_x, numeric_gradient(lambda: float(beras.MeanSquaredError()(dense(x), y)), x),
                     rtol=1e-6, atol=1e-9)
    assert report.ok, report.describe()


def test_outputs_stay_alive_while_the_tape_lives(beras, rng):
    # Outputs the caller drops must not free their ids for reuse by later tensors.
    relu = beras.ReLU()
    with beras.GradientTape() as tape:
        ids = {id(relu(rng.normal(size=(2, 2)))) for _ in range(50)}
    assert len(ids) == 50
    assert all(tape.previous_layers[i] is relu for i in ids)
