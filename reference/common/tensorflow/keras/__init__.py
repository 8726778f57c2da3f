"""Stand-in for tensorflow.keras: only `datasets.mnist` (see tensorflow/__init__.py)."""


class BannedLibraryError(AttributeError):
    """A part of TensorFlow other than the MNIST loader was used."""


def _refuse(what):
    raise BannedLibraryError(
        f"{what} is TensorFlow, which is banned in this homework (tensorflow, keras, torch, "
        "scikit-learn). The tensorflow/ folder here only loads MNIST for preprocess.py; "
        "write everything else with NumPy.")


from . import datasets  # noqa: E402  (after _refuse, which datasets uses)

__all__ = ["datasets"]


def __getattr__(name):
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(name)
    _refuse(f"tensorflow.keras.{name}")
