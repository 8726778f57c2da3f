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
        # TODO: update each parameter in place
        raise NotImplementedError("BasicOptimizer.step in beras/optimizers.py: update each parameter in place")


class RMSProp(Optimizer):
    def __init__(self, parameters, learning_rate, beta=0.9, epsilon=1e-6):
        super().__init__(parameters, learning_rate)
        self.beta = beta
        self.epsilon = epsilon
        self.v = [np.zeros(np.shape(p), dtype=np.result_type(p)) for p in self.parameters]

    def step(self):
        # TODO: v = beta v + (1 - beta) g^2; w -= lr / (sqrt(v) + eps) * g
        raise NotImplementedError("RMSProp.step in beras/optimizers.py: v = beta v + (1 - beta) g^2; w -= lr / (sqrt(v) + eps) * g")


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
        # TODO: one bias-corrected Adam step for every parameter
        raise NotImplementedError("Adam.step in beras/optimizers.py: one bias-corrected Adam step for every parameter")
