"""The vectorized compose_* methods must equal the stencil's per-sample loop semantics."""
import numpy as np
import pytest

from beras.activations import LeakyReLU, Sigmoid
from beras.core import Diffable, Tensor


def oracle_input(local, J, input_shape):
    """Literal loop: local[b] @ J[b] (batched 3-D local) or local @ J[b] (shared 2-D local)."""
    rows = [(local[b] if local.ndim == 3 else local) @ J[b] for b in range(J.shape[0])]
    return np.array(rows).reshape(input_shape)


def oracle_weight(local, J):
    """Literal loop: sum over b of local[b] * J[b] (NumPy broadcasting)."""
    total = 0
    for b in range(J.shape[0]):
        total = total + local[b] * J[b]
    return total


class Fixed(Diffable):
    """A Diffable whose local gradients are whatever the test says."""

    def __init__(self, input_local, weight_locals, param_shapes):
        super().__init__()
        self.input_local = input_local
        self.weight_locals = weight_locals
        self._params = [Tensor(np.zeros(s)) for s in param_shapes]

    @property
    def parameters(self):
        return self._params

    def forward(self, x):
        return x

    def get_input_gradients(self):
        return [self.input_local]

    def get_weight_gradients(self):
        return self.weight_locals


def assert_same(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape
    scale = max(np.abs(want).max(initial=0.0), 1e-300)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * scale)


SHAPES = [(1, 3, 2), (2, 1, 4), (5, 4, 3), (7, 6, 6), (3, 2, 9)]


@pytest.mark.parametrize("batch,n_in,n_out", SHAPES)
def test_input_gradient_shared_2d_local(rng, batch, n_in, n_out):
    local, J = rng.normal(size=(n_in, n_out)), rng.normal(size=(batch, n_out))
    layer = Fixed(local, [], [])
    layer(rng.normal(size=(batch, n_in)))
    (got,) = layer.compose_input_gradients([J])
    assert_same(got, oracle_input(local, J, (batch, n_in)))


@pytest.mark.parametrize("batch,n_in,n_out", SHAPES)
def test_input_gradient_batched_3d_local(rng, batch, n_in, n_out):
    local, J = rng.normal(size=(batch, n_in, n_out)), rng.normal(size=(batch, n_out))
    layer = Fixed(local, [], [])
    layer(rng.normal(size=(batch, n_in)))
    (got,) = layer.compose_input_gradients([J])
    assert_same(got, oracle_input(local, J, (batch, n_in)))


@pytest.mark.parametrize("batch", [1, 3])
def test_input_gradient_matrix_upstream(rng, batch):
    """J[b] a matrix: local[b] @ J[b] is a matrix too, result shaped like the input."""
    local, J = rng.normal(size=(batch, 4, 3)), rng.normal(size=(batch, 3, 2))
    layer = Fixed(local, [], [])
    layer(rng.normal(size=(batch, 4, 2)))
    (got,) = layer.compose_input_gradients([J])
    assert_same(got, oracle_input(local, J, (batch, 4, 2)))
    shared = rng.normal(size=(4, 3))
    layer = Fixed(shared, [], [])
    layer(rng.normal(size=(batch, 4, 2)))
    assert_same(layer.compose_input_gradients([J])[0], oracle_input(shared, J, (batch, 4, 2)))


def weight_locals(kind, x, n_out):
    batch = x.shape[0]
    if kind == "tiled":        # student style: x[b] broadcast across the output axis
        return np.tile(x[:, :, None], (1, 1, n_out))
    if kind == "column":       # our Linear: x[b] as an (in, 1) column
        return x[:, :, None]
    if kind == "generic":      # any (batch, a, out) local
        return np.random.default_rng(batch).normal(size=(batch, x.shape[1], n_out))
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["tiled", "column", "generic"])
@pytest.mark.parametrize("bias_shape", ["flat", "row"])
@pytest.mark.parametrize("batch,n_in,n_out", SHAPES)
def test_weight_gradients(rng, kind, bias_shape, batch, n_in, n_out):
    x, J = rng.normal(size=(batch, n_in)), rng.normal(size=(batch, n_out))
    w_local = weight_locals(kind, x, n_out)
    b_local = np.ones((batch, n_out))
    b_shape = (n_out,) if bias_shape == "flat" else (1, n_out)
    layer = Fixed(np.zeros((n_in, n_out)), [w_local, b_local], [(n_in, n_out), b_shape])
    layer(x)
    gw, gb = layer.compose_weight_gradients([J])
    assert_same(gw, oracle_weight(w_local, J))
    assert_same(gb, oracle_weight(b_local, J).reshape(b_shape))
    if kind != "generic":   # and both equal the true dL/dw = x^T J, dL/db = sum_b J[b]
        assert_same(gw, x.T @ J)
        assert_same(gb, J.sum(axis=0).reshape(b_shape))


@pytest.mark.parametrize("batch", [1, 4])
def test_weight_gradient_elementwise_and_higher_rank(rng, batch):
    cases = [
        (rng.normal(size=(batch, 5)), rng.normal(size=(batch, 5)), (5,)),
        (rng.normal(size=(batch, 3, 5)), rng.normal(size=(batch, 3, 5)), (3, 5)),
        (rng.normal(size=(batch, 2, 3, 1)), rng.normal(size=(batch, 4)), (2, 3, 4)),
    ]
    for local, J, shape in cases:
        layer = Fixed(np.zeros(1), [local], [shape])
        layer(rng.normal(size=(batch, 1)))
        (g,) = layer.compose_weight_gradients([J])
        assert_same(g, oracle_weight(local, J))


def test_no_upstream_returns_local_gradients(rng):
    local = rng.normal(size=(3, 2))
    layer = Fixed(local, [local], [(3, 2)])
    layer(rng.normal(size=(4, 3)))
    assert layer.compose_input_gradients(None)[0] is local
    assert layer.compose_input_gradients([None])[0] is local
    assert layer.compose_weight_gradients(None)[0] is local


@pytest.mark.parametrize("make", [lambda: LeakyReLU(0.2), Sigmoid], ids=["leaky", "sigmoid"])
@pytest.mark.parametrize("batch", [1, 3])
def test_activation_elementwise_compose(rng, make, batch):
    layer = make()
    x = rng.normal(size=(batch, 4)) + np.sign(rng.normal(size=(batch, 4))) * 0.1
    J = rng.normal(size=(batch, 4))
    out = layer(x)
    result = layer.compose_input_gradients([J])
    assert np.shape(result) == (1, batch, 4)       # broadcasting local * [J]
    if isinstance(layer, LeakyReLU):
        local = np.where(x > 0, 1.0, 0.2)
    else:
        s = np.asarray(out)
        local = s * (1 - s)
    assert_same(result[0], local * J)
