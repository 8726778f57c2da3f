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
        # TODO: update each parameter in place
        raise NotImplementedError("BasicOptimizer.apply_gradients in beras/optimizers.py: update each parameter in place")


class RMSProp:
    def __init__(self, learning_rate, beta=0.9, epsilon=1e-6):
        self.learning_rate = learning_rate
        self.beta = beta
        self.epsilon = epsilon
        self.v = defaultdict(lambda: 0)   # parameter index -> running average of g^2

    def apply_gradients(self, trainable_params, grads):
        # TODO: v = beta v + (1 - beta) g^2; w -= lr / (sqrt(v) + eps) * g
        raise NotImplementedError("RMSProp.apply_gradients in beras/optimizers.py: v = beta v + (1 - beta) g^2; w -= lr / (sqrt(v) + eps) * g")


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
        # TODO: one bias-corrected Adam step for every parameter (amsgrad: the largest v so far)
        raise NotImplementedError("Adam.apply_gradients in beras/optimizers.py: one bias-corrected Adam step for every parameter (amsgrad: the largest v so far)")
