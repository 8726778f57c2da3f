"""Seconds per MNIST training epoch: the reference Beras library vs. plain vectorized NumPy.

    python benchmarks/epoch_time.py [--epochs 1] [--repeats 3] [--dtypes float32 float64]

Both train the same 784-256-10 model (Linear kaiming, ReLU, Linear xavier, Softmax,
categorical cross-entropy, Adam lr 1e-3, batch 256, shuffled every epoch, loss and
accuracy computed on every batch) on the 60000 training images. The reference runs
through Sequential.fit (its progress printing goes to an in-memory buffer). Each
measurement is `--epochs` epochs; the best of `--repeats` measurements is reported,
reference and NumPy runs interleaved so both see the same machine load.
Before timing, one training step of each from the same weights is compared (they must agree).
"""
import argparse
import contextlib
import io
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from beras.activations import ReLU, Softmax            # noqa: E402
from beras.core import Tensor                          # noqa: E402
from beras.layers import Linear                        # noqa: E402
from beras.losses import CategoricalCrossEntropy       # noqa: E402
from beras.metrics import CategoricalAccuracy          # noqa: E402
from beras.model import Sequential                     # noqa: E402
from beras.optimizers import Adam                      # noqa: E402
from grader.data import mnist                          # noqa: E402

BATCH, LR, HIDDEN = 256, 1e-3, 256
BETA_1, BETA_2, EPS, CLIP = 0.9, 0.999, 1e-7, 1e-12


def reference_model(dtype):
    model = Sequential(Linear(784, HIDDEN, initializer="kaiming", dtype=dtype), ReLU(),
                       Linear(HIDDEN, 10, initializer="xavier", dtype=dtype), Softmax())
    model.compile(Adam(model.parameters, LR), CategoricalCrossEntropy(), CategoricalAccuracy())
    return model


class PlainNumpy:
    """The same model and training written directly in NumPy, preserving the dtype."""

    def __init__(self, params):
        self.params = [np.array(p) for p in params]          # w1, b1, w2, b2 (own copies)
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.scratch = [np.empty_like(p) for p in self.params]
        self.t = 0

    def batch_step(self, x, y):
        w1, b1, w2, b2 = self.params
        h = x @ w1
        h += b1
        np.maximum(h, 0, out=h)                               # h is now the ReLU output
        z = h @ w2
        z += b2
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)                     # z is now the softmax output p
        n = len(x)
        picked = np.clip(z[y.astype(bool)], CLIP, 1 - CLIP)  # one-hot y: p of the true class
        loss = -np.log(picked).sum() / n
        acc = np.mean(z.argmax(axis=1) == y.argmax(axis=1))
        dz = z
        dz -= y
        dz *= dz.dtype.type(1.0 / n)                          # softmax + CE: (p - y) / batch
        grads = [None, None, h.T @ dz, dz.sum(axis=0)]
        dh = dz @ w2.T
        dh *= h > 0
        grads[0] = x.T @ dh
        grads[1] = dh.sum(axis=0)
        self.adam(grads)
        return loss, acc

    def adam(self, grads):
        self.t += 1
        m_corr, v_corr = 1 - BETA_1 ** self.t, 1 - BETA_2 ** self.t
        for p, g, m, v, s in zip(self.params, grads, self.m, self.v, self.scratch):
            m *= BETA_1
            m += (1 - BETA_1) * g
            v *= BETA_2
            np.multiply(g, g, out=s)
            s *= 1 - BETA_2
            v += s
            np.divide(v, v_corr, out=s)                       # s = v_hat
            np.sqrt(s, out=s)
            s += EPS
            np.divide(m, s, out=s)
            s *= LR / m_corr                                  # lr * m_hat / (sqrt(v_hat) + eps)
            p -= s

    def epoch(self, x, y):
        order = np.random.permutation(len(x))
        for start in range(0, len(x), BATCH):
            rows = order[start:start + BATCH]
            self.batch_step(x[rows], y[rows])


def check_same_step(x, y):
    """One float64 step of each implementation from identical weights must agree."""
    np.random.seed(1)
    model = reference_model(np.float64)
    plain = PlainNumpy(model.parameters)
    xb, yb = x[:BATCH].astype(np.float64), y[:BATCH].astype(np.float64)
    for _ in range(2):
        stats = model.batch_step(Tensor(xb), yb, training=True)
        loss, acc = plain.batch_step(xb, yb)
        assert abs(stats["loss"] - loss) < 1e-9 and abs(stats["acc"] - acc) < 1e-12
    worst = max(float(np.max(np.abs(np.asarray(p) - q))) for p, q in zip(model.parameters, plain.params))
    assert worst < 1e-10, f"the two implementations disagree after two steps (max diff {worst})"
    return worst


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1, help="epochs per measurement")
    parser.add_argument("--repeats", type=int, default=3, help="measurements; the best is reported")
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
    args = parser.parse_args(argv)

    images, labels = mnist.load_split("train")
    y32 = mnist.one_hot(labels, dtype=np.float32)
    print(f"MNIST train {images.shape}, batch {BATCH}, {args.epochs} epoch(s) per measurement, "
          f"best of {args.repeats}; numpy {np.__version__}")
    diff = check_same_step(mnist.as_inputs(images[:BATCH], np.float64), y32[:BATCH])
    print(f"sanity: reference and plain NumPy agree after 2 steps (max weight diff {diff:.1e})")
    print(f"peak RSS with the uint8 data loaded: {rss_mb():.0f} MB")

    rows = []
    for name in args.dtypes:
        dtype = np.dtype(name)
        x, y = mnist.as_inputs(images, dtype), y32.astype(dtype, copy=False)
        rss_data = rss_mb()
        np.random.seed(0)
        model = reference_model(dtype)
        plain = PlainNumpy(model.parameters)
        ref_times, plain_times = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                model.fit(x, y, epochs=args.epochs, batch_size=BATCH)
            ref_times.append((time.perf_counter() - start) / args.epochs)
            rss_ref = rss_mb()
            start = time.perf_counter()
            for _ in range(args.epochs):
                plain.epoch(x, y)
            plain_times.append((time.perf_counter() - start) / args.epochs)
        assert all(p.dtype == dtype for p in model.parameters) and all(p.dtype == dtype for p in plain.params)
        rows.append((name, min(ref_times), min(plain_times), rss_data, rss_ref))
        del x

    print()
    print(f"{'dtype':<8} {'reference s/epoch':>18} {'plain numpy s/epoch':>20} {'ratio':>6}"
          f" {'peak RSS MB (data / after ref.)':>32}")
    for name, ref, plain, rss_data, rss_ref in rows:
        print(f"{name:<8} {ref:>18.3f} {plain:>20.3f} {ref / plain:>6.2f} {rss_data:>19.0f} / {rss_ref:.0f}")
    print("\n(peak RSS is the process's high-water mark, ru_maxrss, so it includes the dataset;"
          " the plain NumPy runs come after each reference measurement)")


if __name__ == "__main__":
    main()
