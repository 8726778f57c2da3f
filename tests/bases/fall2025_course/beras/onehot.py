"""One-hot encoding (course-stencil shape: given scaffolding, student bodies)."""
import numpy as np

from beras.core import Callable


class OneHotEncoder(Callable):

    def fit(self, data):
        # BEGIN STUDENT: OneHotEncoder.fit
        self.uniq = np.unique(data)
        eye = np.eye(len(self.uniq))
        self.label_to_vec = {label: eye[i] for i, label in enumerate(self.uniq)}
        # END STUDENT

    def forward(self, data):
        # BEGIN STUDENT: OneHotEncoder.forward
        if not hasattr(self, "label_to_vec"):
            self.fit(data)
        return np.array([self.label_to_vec[label] for label in data])
        # END STUDENT

    def inverse(self, data):
        # BEGIN STUDENT: OneHotEncoder.inverse
        return np.array([self.uniq[np.argmax(row)] for row in data])
        # END STUDENT
