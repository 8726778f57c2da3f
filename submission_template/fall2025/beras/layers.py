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
        # TODO: the affine map x @ w + b
        raise NotImplementedError("Dense.forward in beras/layers.py: the affine map x @ w + b")

    def get_input_gradients(self):
        # TODO: d(output)/d(x), one Jacobian shared by every sample
        raise NotImplementedError("Dense.get_input_gradients in beras/layers.py: d(output)/d(x), one Jacobian shared by every sample")

    def get_weight_gradients(self):
        # TODO: local gradients whose per-sample product with J gives dL/dw and dL/db
        raise NotImplementedError("Dense.get_weight_gradients in beras/layers.py: local gradients whose per-sample product with J gives dL/dw and dL/db")

    @staticmethod
    def _initialize_weight(initializer, input_size, output_size):
        """Return (w, b): w drawn by the named initializer, b all zeros."""
        initializer = initializer.lower()
        assert initializer in DENSE_INITIALIZERS, (
            f"Unknown initializer {initializer!r}; choose one of {DENSE_INITIALIZERS}")
        shape = (input_size, output_size)
        # TODO: draw w as the initializer says (Keras conventions); b starts at zero
        raise NotImplementedError("Dense._initialize_weight in beras/layers.py: draw w as the initializer says (Keras conventions); b starts at zero")
