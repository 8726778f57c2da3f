"""The fully connected layer and its weight initializers."""
import numpy as np

from .core import Diffable, Variable

DENSE_INITIALIZERS = ("zero", "normal", "xavier", "kaiming", "xavier uniform", "kaiming uniform")


class Dense(Diffable):
    """y = x @ w + b, with w shaped (input_size, output_size)."""

    def __init__(self, input_size, output_size, initializer="normal", dtype=np.float32):
        w, b = self._initialize_weight(initializer, input_size, output_size)
        self.w = Variable(np.asarray(w, dtype=dtype))
        self.b = Variable(np.asarray(b, dtype=dtype))

    @property
    def weights(self):
        return [self.w, self.b]

    def forward(self, x):
        # BEGIN SOLUTION: the affine map x @ w + b
        return x @ self.w + self.b
        # END SOLUTION

    def get_input_gradients(self):
        # BEGIN SOLUTION: d(output)/d(x), one Jacobian shared by every sample
        return [self.w]
        # END SOLUTION

    def get_weight_gradients(self):
        # BEGIN SOLUTION: local gradients whose per-sample product with J gives dL/dw and dL/db
        x = np.asarray(self.inputs[0])
        # x[b] as a column: x[b][:, None] * J[b] is the outer product dL/dw of sample b
        return [x[:, :, None], np.ones((x.shape[0], 1), dtype=x.dtype)]
        # END SOLUTION

    @staticmethod
    def _initialize_weight(initializer, input_size, output_size):
        """Return (w, b): w drawn by the named initializer, b all zeros."""
        initializer = initializer.lower()
        assert initializer in DENSE_INITIALIZERS, (
            f"Unknown initializer {initializer!r}; choose one of {DENSE_INITIALIZERS}")
        shape = (input_size, output_size)
        # BEGIN SOLUTION: draw w as the initializer says (Keras conventions); b starts at zero
        fan_avg = (input_size + output_size) / 2
        if initializer == "zero":
            w = np.zeros(shape)
        elif initializer == "normal":
            w = np.random.normal(0.0, 1.0, shape)
        elif initializer == "xavier":
            w = np.random.normal(0.0, np.sqrt(1.0 / fan_avg), shape)
        elif initializer == "kaiming":
            w = np.random.normal(0.0, np.sqrt(2.0 / input_size), shape)
        elif initializer == "xavier uniform":
            limit = np.sqrt(3.0 / fan_avg)
            w = np.random.uniform(-limit, limit, shape)
        else:  # kaiming uniform
            limit = np.sqrt(6.0 / input_size)
            w = np.random.uniform(-limit, limit, shape)
        b = np.zeros(output_size)
        return w, b
        # END SOLUTION
