"""Optimizer trajectories against the update formulas written out here in plain NumPy."""
import numpy as np
import pytest

from beras.core import Tensor
from beras.optimizers import Adam, BasicOptimizer, RMSProp

STEPS = 4


def make_params():
    return [Tensor(np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]])),   # w (3, 2)
            Tensor(np.array([0.1, -0.2])),                               # b (2,)
            Tensor(np.array([[0.3, -0.4]]))]                             # b (1, 2)


def fixed_grads(step):
    """Different, hand-chosen gradients at every step (one per parameter)."""
    k = step + 1
    return [np.array([[1.0, -2.0], [0.5, 0.0], [-0.25, 3.0]]) * k,
            np.array([0.5, -1.5]) / k,
            np.array([[-1.0, 2.0]]) * (-1) ** step]


def basic_oracle(ws, gs, state, lr):
    return [w - lr * g for w, g in zip(ws, gs)]


def rmsprop_oracle(ws, gs, state, lr, beta=0.9, eps=1e-6):
    state.setdefault("v", [np.zeros_like(w) for w in ws])
    out = []
    for i, (w, g) in enumerate(zip(ws, gs)):
        state["v"][i] = beta * state["v"][i] + (1 - beta) * g ** 2
        out.append(w - lr / (np.sqrt(state["v"][i]) + eps) * g)
    return out


def adam_oracle(ws, gs, state, lr, b1=0.9, b2=0.999, eps=1e-7):
    state.setdefault("m", [np.zeros_like(w) for w in ws])
    state.setdefault("v", [np.zeros_like(w) for w in ws])
    state["t"] = state.get("t", 0) + 1
    t = state["t"]
    out = []
    for i, (w, g) in enumerate(zip(ws, gs)):
        state["m"][i] = b1 * state["m"][i] + (1 - b1) * g
        state["v"][i] = b2 * state["v"][i] + (1 - b2) * g ** 2
        m_hat = state["m"][i] / (1 - b1 ** t)
        v_hat = state["v"][i] / (1 - b2 ** t)
        out.append(w - lr * m_hat / (np.sqrt(v_hat) + eps))
    return out


CASES = {
    "basic": (lambda ps: BasicOptimizer(ps, 0.1), lambda ws, gs, st: basic_oracle(ws, gs, st, 0.1)),
    "rmsprop": (lambda ps: RMSProp(ps, 0.01), lambda ws, gs, st: rmsprop_oracle(ws, gs, st, 0.01)),
    "rmsprop-custom": (lambda ps: RMSProp(ps, 0.05, beta=0.5, epsilon=1e-3),
                       lambda ws, gs, st: rmsprop_oracle(ws, gs, st, 0.05, beta=0.5, eps=1e-3)),
    "adam": (lambda ps: Adam(ps, 0.01), lambda ws, gs, st: adam_oracle(ws, gs, st, 0.01)),
    "adam-custom": (lambda ps: Adam(ps, 0.1, beta_1=0.5, beta_2=0.8, epsilon=1e-3),
                    lambda ws, gs, st: adam_oracle(ws, gs, st, 0.1, b1=0.5, b2=0.8, eps=1e-3)),
}


@pytest.mark.parametrize("name", CASES)
def test_trajectory_in_place(name):
    make, oracle = CASES[name]
    params = make_params()
    ids = [id(p) for p in params]
    views = [p.view(np.ndarray) for p in params]      # other references to the same memory
    expected = [np.array(p) for p in params]
    state = {}
    opt = make(params)
    for step in range(STEPS):
        grads = fixed_grads(step)
        for p, g in zip(params, grads):
            p.grad = g
        opt.step()
        expected = oracle(expected, grads, state)
        for i, (p, view, e) in enumerate(zip(params, views, expected)):
            np.testing.assert_allclose(p, e, rtol=1e-12, atol=1e-15,
                                       err_msg=f"{name}: parameter {i} after step {step + 1}")
            np.testing.assert_array_equal(view, p)
            assert isinstance(p, Tensor) and p.shape == e.shape
    assert [id(p) for p in opt.parameters] == ids
    if name.startswith("adam"):
        assert opt.t == STEPS


@pytest.mark.parametrize("name", CASES)
def test_frozen_and_gradless_parameters_are_untouched(name):
    make, _ = CASES[name]
    params = make_params()
    params[0].requires_grad = False             # frozen: has a gradient but must not move
    params[0].grad = np.ones((3, 2))
    params[1].grad = None                       # no gradient: skipped
    params[2].grad = np.array([[1.0, -1.0]])
    before = [np.array(p) for p in params]
    opt = make(params)
    for _ in range(3):
        opt.step()
    np.testing.assert_array_equal(params[0], before[0])
    np.testing.assert_array_equal(params[1], before[1])
    assert not np.allclose(params[2], before[2])


@pytest.mark.parametrize("name", CASES)
def test_zero_grad(name):
    make, _ = CASES[name]
    params = make_params()
    for p, g in zip(params, fixed_grads(0)):
        p.grad = g
    opt = make(params)
    opt.zero_grad()
    assert all(p.grad is None for p in params)
    opt.step()                                  # nothing to do, nothing moves
    for p, q in zip(params, make_params()):
        np.testing.assert_array_equal(p, q)


def test_float32_parameters_stay_float32():
    p = Tensor(np.ones((2, 2), dtype=np.float32))
    opt = Adam([p], 1e-3)
    for _ in range(2):
        p.grad = np.full((2, 2), 0.5, dtype=np.float32)
        opt.step()
    assert p.dtype == np.float32
    np.testing.assert_allclose(p, 1 - 2e-3, rtol=1e-5)   # Adam's first steps move by ~lr
