"""Element-wise activations (LeakyReLU, ReLU, Sigmoid) and Softmax."""
import numpy as np

from .core import Diffable


class Activation(Diffable):
    """A Diffable without weights."""

    @property
    def weights(self):
        return []

    def get_weight_gradients(self):
        return []

    def compose_input_gradients(self, J=None):
        # Element-wise activations: the Jacobian is diagonal, so chaining is a product.
        local = self.get_input_gradients()
        if J is None or J[0] is None:
            return local
        return local[0] * J


class LeakyReLU(Activation):
    def __init__(self, alpha=0.3):
        self.alpha = alpha

    def forward(self, x):
        # TODO: x where x > 0, alpha * x elsewhere
        raise NotImplementedError("LeakyReLU.forward in beras/activations.py: x where x > 0, alpha * x elsewhere")

    def get_input_gradients(self):
        # TODO: 1 where x > 0, alpha where x < 0, 0 at exactly 0
        raise NotImplementedError("LeakyReLU.get_input_gradients in beras/activations.py: 1 where x > 0, alpha where x < 0, 0 at exactly 0")


class ReLU(LeakyReLU):
    def __init__(self):
        super().__init__(alpha=0)


class Sigmoid(Activation):
    def forward(self, x):
        # TODO: 1 / (1 + e^-x), without overflow for large |x|
        raise NotImplementedError("Sigmoid.forward in beras/activations.py: 1 / (1 + e^-x), without overflow for large |x|")

    def get_input_gradients(self):
        # TODO: s * (1 - s), from the output s
        raise NotImplementedError("Sigmoid.get_input_gradients in beras/activations.py: s * (1 - s), from the output s")


class Softmax(Activation):
    def forward(self, x):
        # TODO: a numerically stable softmax over the last axis (per row)
        raise NotImplementedError("Softmax.forward in beras/activations.py: a numerically stable softmax over the last axis (per row)")

    def get_input_gradients(self):
        # TODO: one Jacobian diag(s) - s s^T per sample, shaped (batch, n, n)
        raise NotImplementedError("Softmax.get_input_gradients in beras/activations.py: one Jacobian diag(s) - s s^T per sample, shaped (batch, n, n)")

    def compose_input_gradients(self, J=None):
        # Softmax mixes a row's entries: use the full per-sample Jacobian.
        return Diffable.compose_input_gradients(self, J)
