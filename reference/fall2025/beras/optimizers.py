"""Optimizers: apply_gradients(trainable_params, grads) updates each parameter in place."""
from collections import defaultdict

import numpy as np


def _pairs(trainable_params, grads):
    """(index, parameter, gradient as an array) for each parameter that has a gradient."""
    return [(i, p, np.asarray(g)) for i, (p, g) in enumerate(zip(trainable_params, grads)) if g is not None]


class BasicOptimizer:
    """Plain gradient descent: w -= lr * grad."""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def apply_gradients(self, trainable_params, grads):
        # BEGIN SOLUTION: update each parameter in place
        for _, p, g in _pairs(trainable_params, grads):
            p -= self.learning_rate * g
        # END SOLUTION


class RMSProp:
    def __init__(self, learning_rate, beta=0.9, epsilon=1e-6):
        self.learning_rate = learning_rate
        self.beta = beta
        self.epsilon = epsilon
        self.v = defaultdict(lambda: 0)   # parameter index -> running average of g^2

    def apply_gradients(self, trainable_params, grads):
        # BEGIN SOLUTION: v = beta v + (1 - beta) g^2; w -= lr / (sqrt(v) + eps) * g
        for i, p, g in _pairs(trainable_params, grads):
            self.v[i] = self.beta * self.v[i] + (1 - self.beta) * np.square(g)
            p -= self.learning_rate / (np.sqrt(self.v[i]) + self.epsilon) * g
        # END SOLUTION


class Adam:
    def __init__(self, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        self.m = defaultdict(lambda: 0)       # parameter index -> first moment
        self.v = defaultdict(lambda: 0)       # parameter index -> second moment
        self.v_max = defaultdict(lambda: 0)   # parameter index -> largest second moment (amsgrad)
        self.t = 0                            # steps taken

    def apply_gradients(self, trainable_params, grads):
        # BEGIN SOLUTION: one bias-corrected Adam step for every parameter (amsgrad: the largest v so far)
        self.t += 1
        m_correction = 1 - self.beta_1 ** self.t
        v_correction = 1 - self.beta_2 ** self.t
        for i, p, g in _pairs(trainable_params, grads):
            self.m[i] = self.beta_1 * self.m[i] + (1 - self.beta_1) * g
            self.v[i] = self.beta_2 * self.v[i] + (1 - self.beta_2) * np.square(g)
            v = self.v[i]
            if self.amsgrad:
                self.v_max[i] = np.maximum(self.v_max[i], self.v[i])
                v = self.v_max[i]
            m_hat = self.m[i] / m_correction
            v_hat = v / v_correction
            p -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)
        # END SOLUTION
