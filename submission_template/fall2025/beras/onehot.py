"""One-hot encoding of class labels."""
import numpy as np

from .core import Callable


class OneHotEncoder(Callable):
    """fit() learns the labels present; forward() encodes; inverse() decodes."""

    def fit(self, data):
        # TODO: map each unique label to a one-hot row
        raise NotImplementedError("OneHotEncoder.fit in beras/onehot.py: map each unique label to a one-hot row")

    def forward(self, data):
        # TODO: a 2-D array with one one-hot row per label
        raise NotImplementedError("OneHotEncoder.forward in beras/onehot.py: a 2-D array with one one-hot row per label")

    def inverse(self, data):
        # TODO: map one-hot rows back to their labels
        raise NotImplementedError("OneHotEncoder.inverse in beras/onehot.py: map one-hot rows back to their labels")
