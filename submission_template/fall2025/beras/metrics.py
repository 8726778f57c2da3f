"""Accuracy metrics."""
import numpy as np

from .core import Callable


class CategoricalAccuracy(Callable):
    def forward(self, probs, labels):
        # TODO: the fraction of rows whose argmax matches the one-hot label's
        raise NotImplementedError("CategoricalAccuracy.forward in beras/metrics.py: the fraction of rows whose argmax matches the one-hot label's")
