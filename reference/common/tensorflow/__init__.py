"""A stand-in for TensorFlow: only `tensorflow.keras.datasets.mnist.load_data()` exists.

It is here so that preprocess.py's given line `from tensorflow.keras import
datasets` works on your computer with NumPy alone. TensorFlow is banned in this
homework, so nothing else is provided: write everything else with NumPy. The
MNIST files come from data/mnist/ (get them once with `python -m _local.fetch_mnist`).
While you work in this folder, this stand-in is what `import tensorflow` finds,
even if TensorFlow is installed. The autograder uses its own stand-in, which
behaves the same way.
"""
from . import keras
from .keras import _refuse

__all__ = ["keras"]


def __getattr__(name):
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(name)
    _refuse(f"tensorflow.{name}")
