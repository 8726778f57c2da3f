"""Grader stand-in: only `mnist` is provided."""
from tensorflow import _refuse
from . import mnist


def __getattr__(name):
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(name)
    _refuse(f"tensorflow.keras.datasets.{name}")
