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
        # TODO: mean over features, then mean over the batch
        raise NotImplementedError("MeanSquaredError.forward in beras/losses.py: mean over features, then mean over the batch")

    def get_input_gradients(self):
        # TODO: [dL/dy_pred, dL/dy_true], each shaped like its input
        raise NotImplementedError("MeanSquaredError.get_input_gradients in beras/losses.py: [dL/dy_pred, dL/dy_true], each shaped like its input")


class CategoricalCrossEntropy(Loss):
    def __init__(self, epsilon=1e-12):
        self.epsilon = epsilon

    def _clipped(self, y_pred):
        return np.clip(np.asarray(y_pred), self.epsilon, 1 - self.epsilon)

    def forward(self, y_pred, y_true):
        # TODO: per-sample -sum(y_true * log(clipped y_pred)), mean over the batch
        raise NotImplementedError("CategoricalCrossEntropy.forward in beras/losses.py: per-sample -sum(y_true * log(clipped y_pred)), mean over the batch")

    def get_input_gradients(self):
        # TODO: [dL/dy_pred, dL/dy_true], including the 1/batch factor
        raise NotImplementedError("CategoricalCrossEntropy.get_input_gradients in beras/losses.py: [dL/dy_pred, dL/dy_true], including the 1/batch factor")
