"""Losses: each takes (y_pred, y_true) and returns one scalar."""
import numpy as np

from .core import Diffable


class Loss(Diffable):
    @property
    def weights(self):
        return []

    def get_weight_gradients(self):
        return []


class MeanSquaredError(Loss):
    def forward(self, y_pred, y_true):
        # BEGIN SOLUTION: mean over features, then mean over the batch
        return np.mean(np.mean(np.square(np.asarray(y_pred) - np.asarray(y_true)), axis=-1))
        # END SOLUTION

    def get_input_gradients(self):
        # BEGIN SOLUTION: [dL/dy_pred, dL/dy_true], each shaped like its input
        y_pred, y_true = (np.asarray(t) for t in self.inputs)
        d_pred = 2.0 * (y_pred - y_true) / y_pred.size
        return [d_pred, -d_pred]
        # END SOLUTION


class CategoricalCrossEntropy(Loss):
    def __init__(self, epsilon=1e-12):
        self.epsilon = epsilon

    def _clipped(self, y_pred):
        return np.clip(np.asarray(y_pred), self.epsilon, 1 - self.epsilon)

    def forward(self, y_pred, y_true):
        # BEGIN SOLUTION: per-sample -sum(y_true * log(clipped y_pred)), mean over the batch
        per_sample = -np.sum(np.asarray(y_true) * np.log(self._clipped(y_pred)), axis=-1)
        return np.mean(per_sample)
        # END SOLUTION

    def get_input_gradients(self):
        # BEGIN SOLUTION: [dL/dy_pred, dL/dy_true], including the 1/batch factor
        y_pred, y_true = (np.asarray(t) for t in self.inputs)
        batch = y_pred.shape[0] if y_pred.ndim > 1 else 1
        clipped = self._clipped(y_pred)
        return [-y_true / clipped / batch, -np.log(clipped) / batch]
        # END SOLUTION
