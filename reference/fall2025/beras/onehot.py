"""One-hot encoding of class labels."""
import numpy as np

from .core import Callable


class OneHotEncoder(Callable):
    """fit() learns the labels present; forward() encodes; inverse() decodes."""

    def fit(self, data):
        # BEGIN SOLUTION: map each unique label to a one-hot row
        self.labels = np.unique(np.asarray(data))
        identity = np.eye(len(self.labels))
        self.label_to_vec = {label: identity[i] for i, label in enumerate(self.labels)}
        # END SOLUTION

    def forward(self, data):
        # BEGIN SOLUTION: a 2-D array with one one-hot row per label
        if not hasattr(self, "labels"):
            self.fit(data)
        data = np.asarray(data)
        index = np.searchsorted(self.labels, data)
        if np.any(index >= len(self.labels)) or np.any(self.labels[np.minimum(index, len(self.labels) - 1)] != data):
            raise ValueError("OneHotEncoder.forward: a label was not seen by fit()")
        return np.eye(len(self.labels))[index]
        # END SOLUTION

    def inverse(self, data):
        # BEGIN SOLUTION: map one-hot rows back to their labels
        return self.labels[np.argmax(np.asarray(data), axis=-1)]
        # END SOLUTION
