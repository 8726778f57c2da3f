"""fall2025 optimizers: apply_gradients(trainable_params, grads) against hand-derived values."""
import numpy as np


def var(beras, values):
    return beras.Variable(np.array(values, dtype=np.float64))


def test_basic_optimizer_updates_in_place(beras):
    w = var(beras, [1.0, 2.0])
    same = w
    beras.BasicOptimizer(0.1).apply_gradients([w], [np.array([0.5, -1.0])])
    assert same is w
    np.testing.assert_allclose(w, [0.95, 2.1], rtol=0, atol=1e-15)


def test_rmsprop_two_steps_by_hand(beras):
    w = var(beras, [1.0, -2.0])
    opt = beras.RMSProp(0.01, beta=0.9, epsilon=1e-6)
    opt.apply_gradients([w], [np.array([0.5, -1.0])])
    # v = 0.1 * g^2 = [0.025, 0.1]; w -= 0.01 * g / (sqrt(v) + 1e-6)
    first = np.array([1.0 - 0.01 * 0.5 / (np.sqrt(0.025) + 1e-6), -2.0 + 0.01 * 1.0 / (np.sqrt(0.1) + 1e-6)])
    np.testing.assert_allclose(w, first, rtol=1e-12)
    opt.apply_gradients([w], [np.array([1.0, 0.0])])
    # v = 0.9 * [0.025, 0.1] + 0.1 * [1, 0] = [0.1225, 0.09]; the second entry has g = 0: no move
    second = first - np.array([0.01 * 1.0 / (0.35 + 1e-6), 0.0])
    np.testing.assert_allclose(w, second, rtol=1e-12)
    assert isinstance(opt.v, dict)


def test_adam_first_step_moves_by_the_learning_rate(beras):
    # After one step m_hat = g and v_hat = g^2, so w moves by lr * g / (|g| + eps).
    w = var(beras, [1.0, -2.0, 0.5])
    opt = beras.Adam(0.01)
    opt.apply_gradients([w], [np.array([0.5, -4.0, 0.0])])
    np.testing.assert_allclose(w, [1.0 - 0.01 * 0.5 / (0.5 + 1e-7), -2.0 + 0.01 * 4.0 / (4.0 + 1e-7), 0.5],
                               rtol=1e-12)
    assert opt.t == 1 and isinstance(opt.m, dict) and isinstance(opt.v, dict)


def test_adam_second_step_by_hand(beras):
    w = var(beras, [0.0])
    opt = beras.Adam(0.1, beta_1=0.5, beta_2=0.75, epsilon=0.0)
    opt.apply_gradients([w], [np.array([2.0])])      # m = 1, v = 1; m_hat = 2, v_hat = 4 -> w = -0.1
    opt.apply_gradients([w], [np.array([-2.0])])     # m = -0.5, v = 1.75; m_hat = -2/3, v_hat = 4 -> w += 0.1/3
    np.testing.assert_allclose(w, [-0.1 + 0.1 / 3], rtol=1e-12)
    assert opt.t == 2


def test_amsgrad_uses_the_largest_second_moment(beras):
    plain, ams = var(beras, [0.0]), var(beras, [0.0])
    opt_plain = beras.Adam(0.1, beta_1=0.0, beta_2=0.5, epsilon=0.0)
    opt_ams = beras.Adam(0.1, beta_1=0.0, beta_2=0.5, epsilon=0.0, amsgrad=True)
    for g in (4.0, 1.0):
        opt_plain.apply_gradients([plain], [np.array([g])])
        opt_ams.apply_gradients([ams], [np.array([g])])
    # step 1: v = 8, both move by 0.1 * 4 / sqrt(16) = 0.1.
    # step 2: v = 4.5 (v_hat 6); amsgrad keeps 8 (v_hat 32/3): steps 0.1/sqrt(6) and 0.1/sqrt(32/3).
    np.testing.assert_allclose(plain, [-0.1 - 0.1 / np.sqrt(6.0)], rtol=1e-12)
    np.testing.assert_allclose(ams, [-0.1 - 0.1 / np.sqrt(32 / 3)], rtol=1e-12)


def test_state_is_kept_per_parameter_and_none_gradients_are_skipped(beras):
    a, b, c = var(beras, [1.0]), var(beras, [1.0]), var(beras, [1.0])
    for opt in (beras.BasicOptimizer(0.1), beras.RMSProp(0.1), beras.Adam(0.1)):
        a[...], b[...], c[...] = 1.0, 1.0, 1.0
        opt.apply_gradients([a, b, c], [np.array([1.0]), None, np.array([-1.0])])
        assert a[0] < 1.0 and b[0] == 1.0 and c[0] > 1.0
        np.testing.assert_allclose(1.0 - a, c - 1.0, rtol=1e-12)
