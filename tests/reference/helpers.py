"""Shared helpers for the reference-library tests (float64 gradient checks)."""
import numpy as np

from grader.gradcheck import compare, numeric_gradient

RTOL = 1e-6   # the relative error every analytic gradient must meet
ATOL = 1e-8   # for entries whose true value is ~0 (see grader/gradcheck.py)


def assert_grad(analytic, f, x, name="gradient", eps=1e-6):
    """analytic must match central differences of f() w.r.t. x (float64)."""
    assert np.asarray(x).dtype == np.float64, "gradient checks run in float64"
    numeric = numeric_gradient(f, x, eps=eps)
    report = compare(analytic, numeric, rtol=RTOL, atol=ATOL)
    assert report.ok, report.describe(name)
    return report


def away_from_zero(rng, shape, low=0.1, high=2.0):
    """Random values with |v| in [low, high] and random signs (no kinks near 0)."""
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)
