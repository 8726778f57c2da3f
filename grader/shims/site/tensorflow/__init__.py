"""Grader stand-in for TensorFlow: only keras.datasets.mnist.load_data() exists.

TensorFlow is banned in the Beras homework; the stencil's data download line
is the one use tolerated, and it is served from local files.
"""


class BannedLibraryError(ImportError):
    pass


def _refuse(what):
    raise BannedLibraryError(
        f"{what} is TensorFlow, which is banned in this homework (tensorflow, keras, torch, "
        "scikit-learn). Only the stencil's `from tensorflow.keras import datasets` for "
        "loading MNIST is provided by the grader; write everything else with NumPy.")


def __getattr__(name):
    if name == "keras":
        import importlib
        return importlib.import_module("tensorflow.keras")
    _refuse(f"tensorflow.{name}")
