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
        # BEGIN SOLUTION: x where x > 0, alpha * x elsewhere
        if self.alpha == 0:
            return np.maximum(x, 0)  # the same values, in one pass (ReLU is the common case)
        return np.where(x > 0, x, self.alpha * x)
        # END SOLUTION

    def get_input_gradients(self):
        # BEGIN SOLUTION: 1 where x > 0, alpha where x < 0, 0 at exactly 0
        x = np.asarray(self.inputs[0])
        slope = (x > 0).astype(x.dtype)  # in x's dtype: no float64 detour
        if self.alpha:
            slope[x < 0] = self.alpha
        return [slope]
        # END SOLUTION


class ReLU(LeakyReLU):
    def __init__(self):
        super().__init__(alpha=0)


class Sigmoid(Activation):
    def forward(self, x):
        # BEGIN SOLUTION: 1 / (1 + e^-x), without overflow for large |x|
        return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x)))
        # END SOLUTION

    def get_input_gradients(self):
        # BEGIN SOLUTION: s * (1 - s), from the output s
        s = np.asarray(self.outputs[0])
        return [s * (1.0 - s)]
        # END SOLUTION


class Softmax(Activation):
    def forward(self, x):
        # BEGIN SOLUTION: a numerically stable softmax over the last axis (per row)
        x = np.asarray(x)
        exps = np.exp(x - x.max(axis=-1, keepdims=True))
        return exps / exps.sum(axis=-1, keepdims=True)
        # END SOLUTION

    def get_input_gradients(self):
        # BEGIN SOLUTION: one Jacobian diag(s) - s s^T per sample, shaped (batch, n, n)
        s = np.asarray(self.outputs[0])
        jacobian = -s[:, :, None] * s[:, None, :]
        diagonal = np.arange(s.shape[-1])
        jacobian[:, diagonal, diagonal] += s
        return [jacobian]
        # END SOLUTION

    def compose_input_gradients(self, J=None):
        # Softmax mixes a row's entries: use the full per-sample Jacobian.
        return Diffable.compose_input_gradients(self, J)
