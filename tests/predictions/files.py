"""Real predictions files for the tests, written the ways students write them (and worse)."""
import numpy as np

from grader.data import mnist


def truth():
    """The real MNIST test labels (int64), as the trusted process loads them."""
    return mnist.load("test_labels").astype(np.int64)


def with_errors(labels, count, seed=0):
    """``labels`` with exactly ``count`` of them changed to another digit (random places)."""
    rng = np.random.default_rng(seed)
    out = np.array(labels, dtype=np.int64, copy=True)
    where = rng.choice(len(out), size=count, replace=False)
    out[where] = (out[where] + rng.integers(1, 10, size=count)) % 10
    return out


def softmax_scores(labels, dtype=np.float32, seed=0):
    """(N, 10) probabilities whose row-wise argmax is ``labels``."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(len(labels), 10))
    logits[np.arange(len(labels)), labels] += 10.0
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(dtype)


def npy_header_only(path, shape, dtype="<i8", payload=b""):
    """A .npy file whose header promises ``shape`` but carries only ``payload`` as data."""
    header = repr({"descr": dtype, "fortran_order": False, "shape": tuple(shape)}).encode("latin1")
    total = 10 + len(header) + 1
    header += b" " * ((64 - total % 64) % 64) + b"\n"
    path.write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + payload)
    return path
