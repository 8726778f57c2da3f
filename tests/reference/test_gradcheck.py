"""The checker itself: it must pass right gradients and catch the usual wrong ones."""
import numpy as np
import pytest

from beras.core import Tensor
from grader.gradcheck import compare, numeric_gradient


def test_numeric_gradient_of_known_function_and_restores_x():
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    before = x.copy()
    g = numeric_gradient(lambda: np.sum(x ** 3), x)
    assert g.dtype == np.float64 and g.shape == x.shape
    np.testing.assert_allclose(g, 3 * before ** 2, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_numeric_gradient_on_tensor_and_restores_after_exception():
    t = Tensor(np.array([1.0, 2.0]))
    g = numeric_gradient(lambda: float(np.sum(np.asarray(t) ** 2)), t)
    np.testing.assert_allclose(g, [2.0, 4.0], rtol=1e-8)

    calls = []

    def boom():
        calls.append(1)
        raise ValueError("boom")

    with pytest.raises(ValueError):
        numeric_gradient(boom, t)
    np.testing.assert_array_equal(t, [1.0, 2.0])


def test_numeric_gradient_rejects_integers():
    with pytest.raises(TypeError):
        numeric_gradient(lambda: 0.0, np.arange(3))


@pytest.fixture
def pair():
    rng = np.random.default_rng(0)
    n = rng.normal(size=(4, 3))
    return n, n.copy()


def test_right_gradient_is_ok(pair):
    n, a = pair
    r = compare(a * (1 + 1e-9), n)
    assert r.ok and r.max_rel_error < 1e-8
    assert "OK" in r.describe()


def test_relative_error_definition():
    r = compare(np.array([1.0, 0.0]), np.array([1.1, 0.0]), rtol=1e-6, atol=0)
    assert not r.ok
    assert r.max_abs_error == pytest.approx(0.1)
    assert r.max_rel_error == pytest.approx(0.1 / 1.1)
    assert r.worst_index == (0,)


def test_atol_covers_tiny_entries():
    assert compare(np.array([1e-12]), np.array([3e-12]), rtol=1e-6, atol=1e-8).ok
    assert not compare(np.array([1e-12]), np.array([3e-12]), rtol=1e-6, atol=0).ok


@pytest.mark.parametrize("factor", [4, 1 / 4, 32])
def test_batch_factor_hint(pair, factor):
    n, a = pair
    r = compare(a * factor, n)
    assert not r.ok
    k = int(round(max(factor, 1 / factor)))
    assert f"off by a factor of {k}" in r.describe()
    assert "1/batch" in r.describe()


def test_sign_hint(pair):
    n, a = pair
    r = compare(-a, n)
    assert not r.ok and "sign" in r.describe()


def test_none_hint(pair):
    n, _ = pair
    r = compare(None, n)
    assert not r.ok and "None" in r.describe()


def test_shape_hint(pair):
    n, a = pair
    r = compare(a.reshape(1, -1), n)
    assert not r.ok
    text = r.describe()
    assert "(1, 12)" in text and "(4, 3)" in text
    assert "transpose" in compare(a.T, n).describe()


def test_zeros_hint(pair):
    n, a = pair
    r = compare(np.zeros_like(a), n)
    assert not r.ok and "all zeros" in r.describe()


def test_nan_is_not_ok(pair):
    n, a = pair
    a[1, 1] = np.nan
    r = compare(a, n)
    assert not r.ok and r.worst_index == (1, 1)


def test_describe_shows_worst_entry(pair):
    n, a = pair
    a[2, 1] += 0.5
    r = compare(a, n)
    assert r.worst_index == (2, 1)
    assert "(2, 1)" in r.describe()


def test_an_infinity_matches_only_the_same_infinity():
    # Found by the mutation campaign: an Adam whose bias correction divided by zero returned inf weights,
    # and |inf - x| <= rtol * max(|inf|, |x|) accepted them. An inf entry must match only the same inf.
    from grader.gradcheck import compare as compare_arrays
    assert not compare_arrays(np.array([np.inf, 1.0]), np.array([0.5, 1.0])).ok
    assert not compare_arrays(np.array([-np.inf]), np.array([np.inf])).ok
    assert not compare_arrays(np.array([2.0]), np.array([np.inf])).ok
    assert compare_arrays(np.array([np.inf, 1.0]), np.array([np.inf, 1.0])).ok
