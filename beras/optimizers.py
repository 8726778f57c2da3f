"""Optimizers: each updates its parameters in place from their .grad."""
from abc import ABC, abstractmethod

import numpy as np


class Optimizer(ABC):
    def __init__(self, parameters, learning_rate):
        self.parameters = list(parameters)
        self.learning_rate = learning_rate

    def zero_grad(self):
        for p in self.parameters:
            p.grad = None

    def _updatable(self):
        """(index, parameter, gradient) for each parameter that takes a step now."""
        return [(i, p, np.asarray(p.grad)) for i, p in enumerate(self.parameters)
                if getattr(p, "requires_grad", True) and p.grad is not None]

    @abstractmethod
    def step(self):
        pass


class BasicOptimizer(Optimizer):
    """Plain gradient descent: w -= lr * grad."""

    def step(self):
        # BEGIN SOLUTION: update each parameter in place
        for _, p, g in self._updatable():
            p -= self.learning_rate * g
        # END SOLUTION


class RMSProp(Optimizer):
    def __init__(self, parameters, learning_rate, beta=0.9, epsilon=1e-6):
        super().__init__(parameters, learning_rate)
        self.beta = beta
        self.epsilon = epsilon
        self.v = [np.zeros(np.shape(p), dtype=np.result_type(p)) for p in self.parameters]

    def step(self):
        # BEGIN SOLUTION: v = beta v + (1 - beta) g^2; w -= lr / (sqrt(v) + eps) * g
        for i, p, g in self._updatable():
            v = self.v[i]  # updated in place: no new arrays for the running average
            v *= self.beta
            v += (1 - self.beta) * np.square(g)
            p -= self.learning_rate / (np.sqrt(v) + self.epsilon) * g
        # END SOLUTION


class Adam(Optimizer):
    def __init__(self, parameters, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(parameters, learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.m = [np.zeros(np.shape(p), dtype=np.result_type(p)) for p in self.parameters]
        self.v = [np.zeros(np.shape(p), dtype=np.result_type(p)) for p in self.parameters]
        self.t = 0

    def step(self):
        # BEGIN SOLUTION: one bias-corrected Adam step for every parameter
        self.t += 1
        # m and v are kept as discounted sums (m = beta_1 m + g) rather than averages (m = beta_1 m +
        # (1 - beta_1) g): one pass less over every parameter each. Divided by the total of their
        # weights, sum_{k<t} beta^k = (1 - beta^t) / (1 - beta), they are Adam's bias-corrected
        # m_hat and v_hat. lr * (m / mc) / (sqrt(v / vc) + eps) is (lr sqrt(vc) / mc) * m / (sqrt(v) +
        # eps sqrt(vc)): the corrections fold into two scalars (Kingma & Ba, section 2). ** 0.5 keeps
        # them Python floats: a NumPy float64 scalar (np.sqrt's) would turn the float32 updates below
        # into float64 loops.
        m_correction = (1 - self.beta_1 ** self.t) / (1 - self.beta_1)
        v_correction = (1 - self.beta_2 ** self.t) / (1 - self.beta_2)
        step_size = self.learning_rate * v_correction ** 0.5 / m_correction
        epsilon = self.epsilon * v_correction ** 0.5
        for i, p, g in self._updatable():
            m, v = self.m[i], self.v[i]  # updated in place: no new arrays for the moments
            m *= self.beta_1
            m += g
            v *= self.beta_2
            v += np.square(g)
            update = np.sqrt(v) + epsilon
            np.divide(m, update, out=update)
            update *= step_size
            p -= update
        # END SOLUTION
