import numpy as np
from tensorflow.keras import datasets

from beras.core import Tensor


def load_and_preprocess_data():
    """Load MNIST; return (train_inputs, train_labels, test_inputs, test_labels) as Tensors.

    Inputs flattened to (N, 784) and scaled to [0, 1]; labels stay integers.
    """
    (train_inputs, train_labels), (test_inputs, test_labels) = datasets.mnist.load_data()
    # BEGIN STUDENT: load_and_preprocess_data
    train_inputs = train_inputs.reshape(train_inputs.shape[0], -1) / 255.0
    test_inputs = test_inputs.reshape(test_inputs.shape[0], -1) / 255.0
    return Tensor(train_inputs), Tensor(train_labels), Tensor(test_inputs), Tensor(test_labels)
    # END STUDENT
