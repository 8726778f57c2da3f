"""The vectorized compose methods of fall2025's Diffable equal the stencil's per-sample loop (1e-12)."""
import numpy as np
import pytest


def loop_input(local, J, input_shape):
    """Literal loop: local[b] @ J[b] (batched 3-D local) or local @ J[b] (shared 2-D local)."""
    rows = [(local[b] if local.ndim == 3 else local) @ J[b] for b in range(J.shape[0])]
    return np.array(rows).reshape(input_shape)


def loop_weight(local, J):
    """Literal loop: sum over b of local[b] * J[b]."""
    total = 0
    for b in range(J.shape[0]):
        total = total + local[b] * J[b]
    return total


def fixed_layer(beras, input_local, weight_locals, weight_shapes):
    class Fixed(beras.Diffable):
        def __init__(self):
            self._weights = [beras.Variable(np.zeros(s)) for s in weight_shapes]

        @property
        def weights(self):
            return self._weights

        def forward(self, x):
            return x

        def get_input_gradients(self):
            return [input_local]

        def get_weight_gradients(self):
            return weight_locals
    return Fixed()


@pytest.mark.parametrize("local_shape", [(6, 4), (5, 6, 4)], ids=["shared", "batched"])
def test_input_composition_equals_the_loop(beras, rng, local_shape):
    batch, n_out = 5, 4
    local = rng.normal(size=local_shape)
    layer = fixed_layer(beras, local, [], [])
    layer(rng.normal(size=(batch, local_shape[-2])))
    J = rng.normal(size=(batch, n_out))
    (got,) = layer.compose_input_gradients([J])
    np.testing.assert_allclose(got, loop_input(local, J, (batch, local_shape[-2])), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("local_shape,weight_shape", [
    ((5, 3, 1), (3, 4)),       # Dense's w: a column per sample
    ((5, 1), (4,)),            # Dense's b: one number per sample
    ((5, 4), (4,)),            # an element-wise local gradient
    ((5, 3, 4), (3, 4)),       # a full per-sample local gradient
], ids=["column", "scalar", "elementwise", "full"])
def test_weight_composition_equals_the_loop(beras, rng, local_shape, weight_shape):
    batch = 5
    local = rng.normal(size=local_shape)
    layer = fixed_layer(beras, np.eye(3), [local], [weight_shape])
    layer(rng.normal(size=(batch, 3)))
    J = rng.normal(size=(batch, 4))
    (got,) = layer.compose_weight_gradients([J])
    expected = loop_weight(local, J)
    np.testing.assert_allclose(np.reshape(got, np.shape(expected)), expected, rtol=1e-12, atol=1e-12)


def test_real_layers_equal_the_loop(beras, rng):
    dense = beras.Dense(6, 4)
    dense.w, dense.b = beras.Variable(rng.normal(size=(6, 4))), beras.Variable(rng.normal(size=4))
    x, J = rng.normal(size=(7, 6)), rng.normal(size=(7, 4))
    dense(x)
    (grad_x,) = dense.compose_input_gradients([J])
    np.testing.assert_allclose(grad_x, loop_input(np.asarray(dense.w), J, x.shape), rtol=1e-12, atol=1e-12)
    for got, local in zip(dense.compose_weight_gradients([J]), dense.get_weight_gradients()):
        expected = loop_weight(np.asarray(local), J)
        np.testing.assert_allclose(np.reshape(got, np.shape(expected)), expected, rtol=1e-12, atol=1e-12)
    softmax = beras.Softmax()
    softmax(rng.normal(size=(7, 4)))
    (got,) = softmax.compose_input_gradients([J])
    np.testing.assert_allclose(got, loop_input(softmax.get_input_gradients()[0], J, (7, 4)), rtol=1e-12, atol=1e-12)


def test_without_upstream_the_local_gradients_come_back(beras, rng):
    local = rng.normal(size=(3, 3))
    layer = fixed_layer(beras, local, [], [])
    layer(rng.normal(size=(2, 3)))
    assert layer.compose_input_gradients(None)[0] is local
    assert layer.compose_input_gradients([None])[0] is local
