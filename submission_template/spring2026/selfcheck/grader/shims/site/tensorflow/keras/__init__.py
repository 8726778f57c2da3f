"""Grader stand-in: only `datasets` (MNIST) is provided."""
from tensorflow import _refuse


def __getattr__(name):
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(name)
    if name == "datasets":
        import importlib
        return importlib.import_module("tensorflow.keras.datasets")
    _refuse(f"tensorflow.keras.{name}")
