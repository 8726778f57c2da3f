"""Run code inside a built base, as the base's own `beras` (it would clash with ours here), and the
networks and losses the bases are checked against, written in NumPy from their definitions.

The code runs in a subprocess (cwd = the base, with the grader's tensorflow/wandb
stand-ins on the path); inputs and results travel as .npz/.json files:
INPUTS[name] in the code, save(results, **arrays) to send results back.
"""
import json
import os
import subprocess
import sys
import textwrap
from collections import namedtuple
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SHIMS = ROOT / "grader" / "shims" / "site"

PRELUDE = '''\
import json, sys
from pathlib import Path
import numpy as np
DATA = Path(sys.argv[1])
INPUTS = np.load(DATA / "in.npz") if (DATA / "in.npz").exists() else {}
def save(results=None, **arrays):
    (DATA / "out.json").write_text(json.dumps(results or {}))
    np.savez(DATA / "out.npz", **{k: np.asarray(v) for k, v in arrays.items()})
'''

Output = namedtuple("Output", "results arrays")


def run_in_base(base, tmp_path, code, timeout=120, **inputs):
    """Run code (after PRELUDE) in the base; inputs arrive as INPUTS[...], save() sends results back."""
    data = Path(tmp_path) / "exchange"
    data.mkdir(exist_ok=True)
    if inputs:
        np.savez(data / "in.npz", **inputs)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(map(str, (base, SHIMS, ROOT))))
    proc = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code), str(data)], cwd=base,
                          env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"the base's code failed:\n{proc.stderr[-4000:]}"
    with np.load(data / "out.npz") as arrays:
        return Output(json.loads((data / "out.json").read_text()), dict(arrays))




# ------------------------------------------------------------------ the definitions, in NumPy

AFFINE = ("Linear", "Dense")    # the fully connected layer of spring2026 / fall2025


def numpy_forward(layers, params, x):
    """The network's output, written here from the definitions (independent of any base).

    layers: [(name, ...)], params: the affine layers' (w, b) in order, flattened."""
    params = iter(params)
    for name, *_ in layers:
        if name in AFFINE:
            w, b = next(params), next(params)
            x = x @ w + b
        elif name == "ReLU":
            x = np.maximum(x, 0)
        elif name == "LeakyReLU":
            x = np.where(x > 0, x, 0.3 * x)
        elif name == "Sigmoid":
            x = 1 / (1 + np.exp(-x))
        elif name == "Softmax":
            e = np.exp(x - x.max(axis=1, keepdims=True))
            x = e / e.sum(axis=1, keepdims=True)
    return x


def numpy_loss(loss, y_pred, y_true):
    """MeanSquaredError or CategoricalCrossEntropy (clipped at 1e-12), from the definitions."""
    if loss == "MeanSquaredError":
        return np.mean(np.mean((y_pred - y_true) ** 2, axis=1))
    clipped = np.clip(y_pred, 1e-12, 1 - 1e-12)
    return np.mean(-np.sum(y_true * np.log(clipped), axis=1))
