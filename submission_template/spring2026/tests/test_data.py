"""preprocess.load_and_preprocess_data(): shapes, scaling, labels and types of the MNIST arrays.

Needs MNIST: preprocess.py loads it through TensorFlow's Keras datasets (the
first run downloads it; the grader serves it from local files).

Run from your submission folder:  python tests/test_data.py [--list | --all | --test=NAME] [--verbose]
"""
import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

from _checks import check, main_for_file

_cache = {}


def _data():
    """load_and_preprocess_data() once per run (its result, or the error it raised)."""
    if "result" not in _cache and "error" not in _cache:
        try:
            from preprocess import load_and_preprocess_data
            result = load_and_preprocess_data()
            check(isinstance(result, (tuple, list)) and len(result) == 4,
                  "load_and_preprocess_data() should return (train_x, train_y, test_x, test_y), "
                  f"got a {type(result).__name__}" + (f" of length {len(result)}" if hasattr(result, "__len__") else ""))
            _cache["result"] = tuple(result)
        except Exception as e:
            _cache["error"] = (e, e.__traceback__)
    if "error" in _cache:
        error, tb = _cache["error"]
        raise error.with_traceback(tb)
    return _cache["result"]


def test_data_shapes():
    train_x, train_y, test_x, test_y = _data()
    for name, array, shape in (("train_x", train_x, (60000, 784)), ("train_y", train_y, (60000,)),
                               ("test_x", test_x, (10000, 784)), ("test_y", test_y, (10000,))):
        check(np.shape(array) == shape, f"{name} should have shape {shape}, got {np.shape(array)}"
              + (" (labels should stay integers, not one-hot)" if name.endswith("_y") and np.ndim(array) == 2 else ""))


def test_data_inputs_scaled_to_unit_range():
    train_x, _, test_x, _ = _data()
    for name, x in (("train_x", train_x), ("test_x", test_x)):
        x = np.asarray(x)
        check(np.issubdtype(x.dtype, np.floating), f"{name} should hold floats, got dtype {x.dtype}")
        low, high = float(x.min()), float(x.max())
        check(low == 0.0 and abs(high - 1.0) < 1e-6,
              f"{name} should be scaled to [0, 1] (divide by 255), got values in [{low:.4g}, {high:.4g}]")
    mean = float(np.asarray(train_x[:5000], dtype=np.float64).mean())
    check(0.12 < mean < 0.14, f"the mean pixel of train_x should be about 0.13 (scaled, not standardized), got {mean:.4g}")


def test_data_labels_are_integers_in_order():
    _, train_y, _, test_y = _data()
    for name, y, first in (("train_y", train_y, [5, 0, 4, 1, 9]), ("test_y", test_y, [7, 2, 1, 0, 4])):
        y = np.asarray(y)
        check(np.issubdtype(y.dtype, np.integer), f"{name} should hold integer labels, got dtype {y.dtype}")
        check(y.ndim == 1 and y.min() == 0 and y.max() == 9, f"{name} should hold the digits 0..9, one per example")
        check(list(y[:5]) == first, f"the first labels of {name} should be {first} (keep MNIST's order), "
                                    f"got {list(y[:5])}")


def test_data_are_tensors():
    from beras.core import Tensor
    for name, array in zip(("train_x", "train_y", "test_x", "test_y"), _data()):
        check(isinstance(array, Tensor), f"{name} should be a beras Tensor, got {type(array).__name__}")


if __name__ == "__main__":
    sys.exit(main_for_file(__name__))
