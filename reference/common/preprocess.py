"""Load MNIST and shape it for a Beras model."""
import numpy as np
from tensorflow.keras import datasets  # given: on the grader this is a local MNIST stand-in

from beras.core import Tensor


def load_and_preprocess_data():
    """Return (train_x, train_y, test_x, test_y) as Tensors.

    Inputs are flattened to (N, 784) and scaled to [0, 1]; labels stay
    integers (not one-hot); the order of the examples is unchanged.
    """
    (train_x, train_y), (test_x, test_y) = datasets.mnist.load_data()
    # BEGIN SOLUTION: flatten and scale the inputs, keep integer labels, wrap everything in Tensors
    def inputs(images):
        flat = images.reshape(len(images), -1).astype(np.float32)
        flat /= 255.0
        return Tensor(flat)

    return inputs(train_x), Tensor(train_y.astype(np.int64)), inputs(test_x), Tensor(test_y.astype(np.int64))
    # END SOLUTION
