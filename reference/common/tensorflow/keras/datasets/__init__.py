"""Stand-in for tensorflow.keras.datasets: only `mnist` (see tensorflow/__init__.py)."""
from .. import _refuse
from . import mnist

__all__ = ["mnist"]


def __getattr__(name):
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(name)
    _refuse(f"tensorflow.keras.datasets.{name}")
