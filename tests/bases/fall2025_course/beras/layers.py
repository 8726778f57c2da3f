"""The fully connected layer (course-stencil shape: given scaffolding, student bodies)."""
import numpy as np

from beras.core import Diffable, Variable


class Dense(Diffable):

    def __init__(self, input_size, output_size, initializer="normal"):
        self.w, self.b = self._initialize_weight(initializer, input_size, output_size)

    @property
    def weights(self):
        return [self.w, self.b]

    def forward(self, x):
        # BEGIN STUDENT: Dense.forward
        return x @ self.w + self.b
        # END STUDENT

    def get_input_gradients(self):
        # BEGIN STUDENT: Dense.get_input_gradients
        return [self.w]
        # END STUDENT

    def get_weight_gradients(self):
        # BEGIN STUDENT: Dense.get_weight_gradients
        x = self.inputs[0]
        batch_size = x.shape[0]
        # dy/dw for sample b is x[b] copied across the output axis: (batch, in, out)
        dw = np.tile(np.expand_dims(x, axis=-1), (1, 1, self.w.shape[1]))
        db = np.ones((batch_size, self.w.shape[1]))
        return [dw, db]
        # END STUDENT

    @staticmethod
    def _initialize_weight(initializer, input_size, output_size):
        initializer = initializer.lower()
        assert initializer in ("zero", "normal", "xavier", "kaiming", "xavier uniform", "kaiming uniform"), (
            f"Unknown dense weight initialization strategy '{initializer}' requested")
        # BEGIN STUDENT: Dense._initialize_weight
        shape = (input_size, output_size)
        if initializer == "zero":
            w = np.zeros(shape)
        elif initializer == "normal":
            w = np.random.normal(0, 1, shape)
        elif initializer == "xavier":
            w = np.random.normal(0, np.sqrt(2 / (input_size + output_size)), shape)
        elif initializer == "kaiming":
            w = np.random.normal(0, np.sqrt(2 / input_size), shape)
        elif initializer == "xavier uniform":
            limit = np.sqrt(6 / (input_size + output_size))
            w = np.random.uniform(-limit, limit, shape)
        elif initializer == "kaiming uniform":
            limit = np.sqrt(6 / input_size)
            w = np.random.uniform(-limit, limit, shape)
        b = np.zeros((1, output_size))
        return Variable(w), Variable(b)
        # END STUDENT
