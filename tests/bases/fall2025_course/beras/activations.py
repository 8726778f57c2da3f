"""Activations (course-stencil shape: given scaffolding, student bodies)."""
import numpy as np

from beras.core import Diffable, Tensor


class Activation(Diffable):

    @property
    def weights(self):
        return []

    def get_weight_gradients(self):
        return []

    def compose_input_gradients(self, J=None):
        # Element-wise: J is the one-element list, so the product has a leading axis
        # of length one, which the caller iterates like the list of input gradients.
        local = self.get_input_gradients()
        if J is None or J[0] is None:
            return local
        return local[0] * J


class LeakyReLU(Activation):

    def __init__(self, alpha=0.3):
        self.alpha = alpha

    def forward(self, x):
        # BEGIN STUDENT: LeakyReLU.forward
        return Tensor(np.where(x > 0, x, self.alpha * x))
        # END STUDENT

    def get_input_gradients(self):
        # BEGIN STUDENT: LeakyReLU.get_input_gradients
        x = self.inputs[0]
        grad = np.where(x > 0, 1.0, self.alpha)
        grad[x == 0] = 0
        return [grad]
        # END STUDENT


class ReLU(LeakyReLU):

    def __init__(self):
        super().__init__(alpha=0)


class Sigmoid(Activation):

    def forward(self, x):
        # BEGIN STUDENT: Sigmoid.forward
        return 1 / (1 + np.exp(-x))
        # END STUDENT

    def get_input_gradients(self):
        # BEGIN STUDENT: Sigmoid.get_input_gradients
        s = self.outputs[0]
        return [s * (1 - s)]
        # END STUDENT


class Softmax(Activation):

    def forward(self, x):
        # BEGIN STUDENT: Softmax.forward
        exps = np.exp(x - np.max(x, axis=-1, keepdims=True))
        return exps / np.sum(exps, axis=-1, keepdims=True)
        # END STUDENT

    def get_input_gradients(self):
        # BEGIN STUDENT: Softmax.get_input_gradients
        s = self.outputs[0]
        batch_size, n = s.shape
        jacobian = np.zeros((batch_size, n, n), dtype=s.dtype)
        for b in range(batch_size):
            jacobian[b] = np.diag(s[b]) - np.outer(s[b], s[b])
        return [jacobian]
        # END STUDENT

    def compose_input_gradients(self, J=None):
        # Softmax mixes a row's entries: use the full per-sample Jacobian.
        return Diffable.compose_input_gradients(self, J)
