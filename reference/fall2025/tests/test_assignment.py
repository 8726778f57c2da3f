"""assignment.py: get_model, get_optimizer, get_loss_fn, get_acc_fn, and a short training run.

The training check uses a small synthetic problem shaped like MNIST
(784 inputs, 10 classes), so it needs no data download.

Run from your submission folder:  python tests/test_assignment.py [--list | --all | --test=NAME] [--verbose]
"""
import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

from _checks import check, main_for_file


def _assignment():
    import assignment
    return assignment


def _synthetic_digits(n, seed):
    """n examples of 10 noisy prototype images in [0, 1]^784, with one-hot labels."""
    rng = np.random.default_rng(seed)
    prototypes = (rng.uniform(size=(10, 784)) < 0.2).astype(np.float32)
    labels = rng.integers(0, 10, size=n)
    x = prototypes[labels] * rng.uniform(0.6, 1.0, size=(n, 784)) + rng.uniform(0.0, 0.3, size=(n, 784))
    x = np.clip(x, 0.0, 1.0).astype(np.float32)
    return x, np.eye(10, dtype=np.float32)[labels]


def test_get_model():
    from beras.model import SequentialModel
    model = _assignment().get_model()
    check(isinstance(model, SequentialModel), f"get_model() should return a beras SequentialModel, got {type(model).__name__}")
    check(len(model.layers) > 0, "get_model() returned a model without layers")
    x, _ = _synthetic_digits(5, seed=0)
    out = np.asarray(model(x))
    check(out.shape == (5, 10), f"get_model() on 5 MNIST-shaped inputs (5, 784) should give (5, 10), got {out.shape}")
    check(len(list(model.weights)) > 0, "get_model() has no weights to train")


def test_get_optimizer():
    opt = _assignment().get_optimizer()
    check(callable(getattr(opt, "apply_gradients", None)),
          f"get_optimizer() should return a beras optimizer (with apply_gradients), got {type(opt).__name__}")


def test_get_loss_fn():
    from beras.losses import Loss
    loss_fn = _assignment().get_loss_fn()
    check(isinstance(loss_fn, Loss), f"get_loss_fn() should return a beras Loss, got {type(loss_fn).__name__}")
    y = np.eye(3)[[0, 1]]
    value = float(loss_fn(np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1]]), y))
    check(np.isfinite(value) and value > 0, f"get_loss_fn() should give a positive loss on imperfect predictions, got {value}")


def test_get_acc_fn():
    from beras.core import Callable
    acc_fn = _assignment().get_acc_fn()
    check(isinstance(acc_fn, Callable), f"get_acc_fn() should return a beras metric, got {type(acc_fn).__name__}")
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3], [0.5, 0.1, 0.4]])
    value = float(acc_fn(probs, np.eye(3)[[0, 2, 1, 2]]))
    check(abs(value - 0.75) < 1e-9, f"get_acc_fn() should measure accuracy: 3 of 4 right should give 0.75, got {value}")


def test_training_improves_loss():
    a = _assignment()
    np.random.seed(0)
    x, y = _synthetic_digits(2000, seed=1)
    model = a.get_model()
    model.compile(optimizer=a.get_optimizer(), loss_fn=a.get_loss_fn(), acc_fn=a.get_acc_fn())
    loss_fn = a.get_loss_fn()
    before = float(loss_fn(model(x), y))
    history = model.fit(x, y, epochs=2, batch_size=100)
    after = float(loss_fn(model(x), y))
    check(isinstance(history, dict) and len(history.get("loss", [])) == 2,
          "model.fit(..., epochs=2) should return a dict with one 'loss' value per epoch")
    check(np.isfinite(after), f"the loss became {after} after training (NaN or inf)")
    check(after < 0.9 * before, f"two epochs of training on an easy problem should lower the loss: "
                                f"{before:.4f} before, {after:.4f} after")


if __name__ == "__main__":
    sys.exit(main_for_file(__name__))
