"""Initializers, statistically, with tolerances derived from standard errors.

For n i.i.d. draws with std sigma: the sample mean has standard error sigma/sqrt(n);
the sample std has standard error about sigma/sqrt(2n) for a normal distribution
(smaller, sigma/sqrt(5n), for a uniform one). We allow 5 standard errors.
"""
import numpy as np
import pytest

from beras.layers import Linear

FAN_IN, FAN_OUT = 400, 100       # unequal fans: tell fan_in from fan_avg apart (~10 % apart)
N = FAN_IN * FAN_OUT
K = 5                            # standard errors allowed


def drawn(initializer, seed=0):
    np.random.seed(seed)
    layer = Linear(FAN_IN, FAN_OUT, initializer=initializer, dtype=np.float64)
    return np.asarray(layer.w), np.asarray(layer.b)


def check_mean_std(w, sigma):
    assert w.shape == (FAN_IN, FAN_OUT)
    assert abs(w.mean()) <= K * sigma / np.sqrt(N)
    assert abs(w.std() - sigma) <= K * sigma / np.sqrt(2 * N)


def test_zero():
    w, b = drawn("zero")
    assert not np.any(w) and not np.any(b)


@pytest.mark.parametrize("name,sigma", [
    ("normal", 1.0),
    ("xavier", np.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("kaiming", np.sqrt(2 / FAN_IN)),
])
def test_normal_family(name, sigma):
    w, _ = drawn(name)
    check_mean_std(w, sigma)


@pytest.mark.parametrize("name,limit", [
    ("xavier uniform", np.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("kaiming uniform", np.sqrt(6 / FAN_IN)),
])
def test_uniform_family(name, limit):
    w, _ = drawn(name)
    assert np.all(np.abs(w) <= limit)
    # with N draws the extremes come within ~limit * 2/N of the limits
    assert w.max() > limit * (1 - 1e-3) and w.min() < -limit * (1 - 1e-3)
    check_mean_std(w, limit / np.sqrt(3))


@pytest.mark.parametrize("name", ["zero", "normal", "xavier", "kaiming", "xavier uniform", "kaiming uniform"])
def test_bias_zero_shapes_and_dtypes(name):
    layer = Linear(3, 5, initializer=name)
    assert layer.w.shape == (3, 5) and layer.w.dtype == np.float32
    assert layer.b.shape in [(5,), (1, 5)] and not np.any(layer.b)
    w, b = Linear._initialize_weight(name, 3, 5)
    assert np.shape(w) == (3, 5) and not np.any(b)


def test_seeded_draws_are_reproducible_and_different_per_seed():
    a, _ = drawn("normal", seed=1)
    b, _ = drawn("normal", seed=1)
    c, _ = drawn("normal", seed=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_unknown_initializer():
    with pytest.raises(AssertionError):
        Linear(3, 5, initializer="glorot-ish")
