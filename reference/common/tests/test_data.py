"""preprocess.load_and_preprocess_data(): shapes, scaling, labels and types of the MNIST arrays,
and one-hot labels for them.

Needs MNIST. preprocess.py's `from tensorflow.keras import datasets` finds the
homework folder's tensorflow/ stand-in (no TensorFlow needed), which reads the
four MNIST files from data/mnist/ (or $BERAS_MNIST_DIR). Get them once with

    python -m _local.fetch_mnist

Run from your submission folder:  python tests/test_data.py [--list | --all | --test=NAME] [--verbose]
(NAME: any part of a test's name, e.g. --test=preprocess, --test=ohe)
"""
import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

from _checks import also_known_as, check, main_for_file

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


@also_known_as("data_shapes")
def test_preprocess_shapes():
    train_x, train_y, test_x, test_y = _data()
    for name, array, shape in (("train_x", train_x, (60000, 784)), ("train_y", train_y, (60000,)),
                               ("test_x", test_x, (10000, 784)), ("test_y", test_y, (10000,))):
        check(np.shape(array) == shape, f"{name} should have shape {shape}, got {np.shape(array)}"
              + (" (labels should stay integers, not one-hot)" if name.endswith("_y") and np.ndim(array) == 2 else ""))


@also_known_as("data_inputs_scaled_to_unit_range")
def test_preprocess_inputs_scaled_to_unit_range():
    train_x, _, test_x, _ = _data()
    for name, x in (("train_x", train_x), ("test_x", test_x)):
        x = np.asarray(x)
        check(np.issubdtype(x.dtype, np.floating), f"{name} should hold floats, got dtype {x.dtype}")
        low, high = float(x.min()), float(x.max())
        check(low == 0.0 and abs(high - 1.0) < 1e-6,
              f"{name} should be scaled to [0, 1] (divide by 255), got values in [{low:.4g}, {high:.4g}]")
    mean = float(np.asarray(train_x[:5000], dtype=np.float64).mean())
    check(0.12 < mean < 0.14, f"the mean pixel of train_x should be about 0.13 (scaled, not standardized), got {mean:.4g}")


@also_known_as("data_labels_are_integers_in_order")
def test_preprocess_labels_are_integers_in_order():
    _, train_y, _, test_y = _data()
    for name, y, first in (("train_y", train_y, [5, 0, 4, 1, 9]), ("test_y", test_y, [7, 2, 1, 0, 4])):
        y = np.asarray(y)
        check(np.issubdtype(y.dtype, np.integer), f"{name} should hold integer labels, got dtype {y.dtype}")
        check(y.ndim == 1 and y.min() == 0 and y.max() == 9, f"{name} should hold the digits 0..9, one per example")
        check(list(y[:5]) == first, f"the first labels of {name} should be {first} (keep MNIST's order), "
                                    f"got {list(y[:5])}")


@also_known_as("data_are_tensors")
def test_preprocess_returns_tensors():
    from beras.core import Tensor
    for name, array in zip(("train_x", "train_y", "test_x", "test_y"), _data()):
        check(isinstance(array, Tensor), f"{name} should be a beras Tensor, got {type(array).__name__}")


@also_known_as("ohe_mnist_labels", "one_hot_mnist_labels")
def test_onehot_mnist_labels():
    from beras.onehot import OneHotEncoder
    _, train_y, _, test_y = _data()
    encoder = OneHotEncoder()
    encoder.fit(np.arange(10))  # as assignment.py does
    for name, y in (("train_y", train_y), ("test_y", test_y)):
        y = np.asarray(y)
        ohe = np.asarray(encoder(y), dtype=np.float64)
        check(ohe.shape == (len(y), 10), f"the one-hot encoding of {name} should have shape ({len(y)}, 10), "
                                         f"got {ohe.shape}")
        check(np.all((ohe == 0) | (ohe == 1)) and np.all(ohe.sum(axis=1) == 1),
              f"each one-hot row of {name} should hold exactly one 1")
        columns = ohe.argmax(axis=1)
        for digit in range(10):
            seen = np.unique(columns[y == digit])
            check(len(seen) == 1, f"every {digit} in {name} should get the same one-hot row; "
                                  f"it gets columns {seen.tolist()}")
        check(len(np.unique(columns)) == 10, f"the ten digits in {name} should get ten different one-hot rows")
        back = np.asarray(encoder.inverse(ohe)).reshape(-1)
        check(np.array_equal(back, y), f"encoder.inverse(one-hot of {name}) should give {name} back; "
                                       f"first labels {back[:5].tolist()} instead of {y[:5].tolist()}")


if __name__ == "__main__":
    sys.exit(main_for_file(__name__))
