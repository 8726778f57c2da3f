"""Metrics (course-stencil shape: given scaffolding, student bodies)."""
import numpy as np

from beras.core import Callable


class CategoricalAccuracy(Callable):

    def forward(self, probs, labels):
        # BEGIN STUDENT: CategoricalAccuracy.forward
        return np.mean(np.argmax(probs, axis=-1) == np.argmax(labels, axis=-1))
        # END STUDENT
