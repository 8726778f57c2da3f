"""Grader stand-in: only `mnist` is provided."""
from tensorflow import _refuse
from . import mnist


def __getattr__(name):
    _refuse(f"tensorflow.keras.datasets.{name}")
