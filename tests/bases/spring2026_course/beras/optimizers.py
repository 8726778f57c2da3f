"""Optimizers (course-stencil shape: given scaffolding, student bodies)."""
from abc import ABC, abstractmethod

import numpy as np


class Optimizer(ABC):

    def __init__(self, parameters, learning_rate):
        self.parameters = parameters
        self.learning_rate = learning_rate

    def zero_grad(self):
        for p in self.parameters:
            p.grad = None

    @abstractmethod
    def step(self):
        pass


class BasicOptimizer(Optimizer):

    def step(self):
        # BEGIN STUDENT: BasicOptimizer.step
        for p in self.parameters:
            if not p.requires_grad or p.grad is None:
                continue
            p -= self.learning_rate * p.grad
        # END STUDENT


class RMSProp(Optimizer):

    def __init__(self, parameters, learning_rate, beta=0.9, epsilon=1e-6):
        super().__init__(parameters, learning_rate)
        self.beta = beta
        self.epsilon = epsilon
        self.v = [0 for _ in parameters]

    def step(self):
        # BEGIN STUDENT: RMSProp.step
        for i, p in enumerate(self.parameters):
            if not p.requires_grad or p.grad is None:
                continue
            self.v[i] = self.beta * self.v[i] + (1 - self.beta) * p.grad ** 2
            p -= self.learning_rate / (np.sqrt(self.v[i]) + self.epsilon) * p.grad
        # END STUDENT


class Adam(Optimizer):

    def __init__(self, parameters, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(parameters, learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.m = [0 for _ in parameters]
        self.v = [0 for _ in parameters]
        self.t = 0

    def step(self):
        # BEGIN STUDENT: Adam.step
        self.t += 1
        for i, p in enumerate(self.parameters):
            if not p.requires_grad or p.grad is None:
                continue
            self.m[i] = self.beta_1 * self.m[i] + (1 - self.beta_1) * p.grad
            self.v[i] = self.beta_2 * self.v[i] + (1 - self.beta_2) * p.grad ** 2
            m_hat = self.m[i] / (1 - self.beta_1 ** self.t)
            v_hat = self.v[i] / (1 - self.beta_2 ** self.t)
            p -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)
        # END STUDENT
