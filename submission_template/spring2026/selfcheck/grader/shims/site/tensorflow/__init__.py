"""Grader stand-in for TensorFlow: only keras.datasets.mnist.load_data() exists.

TensorFlow is banned in the Beras homework; the stencil's data download line
is the one use tolerated, and it is served from local files. Anything else
raises BannedLibraryError when it is used (not when it is imported: an
``import tensorflow`` that is never used must not break the student's
package). BannedLibraryError is an AttributeError, so that
``from tensorflow.keras import layers`` falls through to the worker's
banned-import guard, which records it and hands out a stand-in.
"""
from grader.sandbox.guard import BannedLibraryError

__all__ = ["BannedLibraryError"]


def _refuse(what):
    raise BannedLibraryError(
        f"{what} is TensorFlow, which is banned in this homework (tensorflow, keras, torch, "
        "scikit-learn). Only the stencil's `from tensorflow.keras import datasets` for "
        "loading MNIST is provided by the grader; write everything else with NumPy.")


def __getattr__(name):
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(name)
    if name == "keras":
        import importlib
        return importlib.import_module("tensorflow.keras")
    _refuse(f"tensorflow.{name}")
