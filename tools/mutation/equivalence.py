"""Is a mutant equivalent? Randomized differential testing, independent of the grader's probes.

scenarios.py drives the library's public API on its own seeded random inputs (many
shapes, both float dtypes, batch 1 and more, edge values) in a fresh subprocess and
records every result. The original base and the mutant run the same groups - those
whose code the mutated file takes part in - and their traces are compared entry by
entry: same exceptions, same shapes, values equal within rounding (float32 2e-5
relative, float64 1e-9). A mutant whose trace matches is equivalent; one that
differs, raises differently or hangs is not.
"""
import os
import pickle
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

SCENARIOS = Path(__file__).resolve().parent / "scenarios.py"
# The grader's stand-ins for tensorflow.keras.datasets (local MNIST) and wandb: a base without its
# own (the course base) imports them as it would on the grader. A submission's own copy comes first.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHIMS = PROJECT_ROOT / "grader" / "shims" / "site"
# The grader's shims need the project itself on the path (they raise the grader's own errors).
SHIMS_PATH = os.pathsep.join([str(SHIMS), str(PROJECT_ROOT)])
TIMEOUT_S = 180
CORE = {"beras/__init__.py", "beras/core.py"}
LAYERS, ACTIVATIONS, LOSSES, METRICS, ONEHOT, OPTIMIZERS, MODEL, TAPE = (
    "beras/layers.py", "beras/activations.py", "beras/losses.py", "beras/metrics.py", "beras/onehot.py",
    "beras/optimizers.py", "beras/model.py", "beras/gradient_tape.py")
LIBRARY = {LAYERS, ACTIVATIONS, LOSSES, METRICS, OPTIMIZERS, MODEL, ONEHOT}
SPRING_GROUP_FILES = {
    "tensor": CORE, "weighted": CORE | {LAYERS}, "linear": CORE | {LAYERS}, "initializers": CORE | {LAYERS},
    "activations": CORE | {ACTIVATIONS}, "losses": CORE | {LOSSES}, "metrics": CORE | {METRICS},
    "onehot": CORE | {ONEHOT}, "optimizers": CORE | {OPTIMIZERS},
    "model": CORE | {LAYERS, ACTIVATIONS, LOSSES, METRICS, OPTIMIZERS, MODEL},
    "graph": CORE | {LAYERS, ACTIVATIONS, LOSSES, MODEL},
    "preprocess": CORE | {"preprocess.py"},
    "assignment": CORE | LIBRARY | {"assignment.py", "preprocess.py"},
}
# fall2025: the same groups; every gradient goes through the student's GradientTape (its own group too).
FALL_GROUP_FILES = {
    **SPRING_GROUP_FILES,
    "linear": CORE | {LAYERS, TAPE}, "activations": CORE | {ACTIVATIONS, TAPE}, "losses": CORE | {LOSSES, TAPE},
    "model": SPRING_GROUP_FILES["model"] | {TAPE}, "graph": SPRING_GROUP_FILES["graph"] | {TAPE},
    "tape": CORE | {TAPE, LAYERS, ACTIVATIONS, LOSSES},
    "assignment": SPRING_GROUP_FILES["assignment"] | {TAPE},
}
EDITION_GROUP_FILES = {"spring2026": SPRING_GROUP_FILES, "fall2025": FALL_GROUP_FILES}
GROUP_FILES = SPRING_GROUP_FILES
RAISED = "__raised__"
# Entries the unmutated base must get through: when it cannot (MNIST missing, scenarios written for
# another edition's API...), every mutant would "agree" with it by failing the same way, and the
# witness would see nothing. A group the base aborts is refused as well.
COMMON_MUST_PASS = ("import beras", "preprocess call", "assignment model", "assignment optimizer")
MUST_PASS = {
    "spring2026": COMMON_MUST_PASS,
    "fall2025": COMMON_MUST_PASS + ("weighted 0 trainable", "linear 0 float64 row=False", "init 0 normal",
                                    "opt basic 0 float64", "opt adam 0 float64", "model 0 float64 basic",
                                    "graph 0 float64", "branches 0 float64", "tape 0 float64", "tape nested"),
}


def _raised(value):
    return isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and value[0] == RAISED
FLOAT32_TOLERANCE = (2e-5, 1e-6)    # rtol, atol
FLOAT64_TOLERANCE = (1e-9, 1e-12)


def groups_for(file, edition="spring2026"):
    """The scenario groups whose code the file takes part in (the assignment group only for assignment.py:
    it reaches the library only through code the other groups drive more thoroughly)."""
    return tuple(name for name, files in EDITION_GROUP_FILES[edition].items()
                 if file in files and (name != "assignment" or file == "assignment.py"))


def run_trace(root, groups, mnist_dir=None, edition="spring2026"):
    """The trace of the submission at root over these groups, or a string saying why there is none."""
    with tempfile.TemporaryDirectory(prefix="mutation-trace-") as tmp:
        out = Path(tmp) / "trace.pickle"
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "PYTHONPATH": SHIMS_PATH}
        if mnist_dir:
            env["BERAS_MNIST_DIR"] = str(mnist_dir)
        try:
            done = subprocess.run([sys.executable, str(SCENARIOS), str(root), str(out), edition, *groups],
                                  cwd=root,
                                  capture_output=True, text=True, timeout=TIMEOUT_S, env=env)
        except subprocess.TimeoutExpired:
            return f"the scenarios did not finish in {TIMEOUT_S} s"
        if done.returncode != 0 or not out.exists():
            return f"the scenarios crashed (status {done.returncode}): {done.stderr.strip()[-300:]}"
        with open(out, "rb") as f:
            return pickle.load(f)   # written by our own scenarios.py just now


def first_difference(original, mutant):
    """None when the traces agree; else a sentence naming the first entry that differs."""
    if isinstance(original, str):
        raise RuntimeError(f"the original base has no trace: {original}")
    if isinstance(mutant, str):
        return mutant
    for (label, a), (other, b) in zip(original, mutant):
        if label != other:
            return f"the scenarios took another path at {label!r} (mutant: {other!r})"
        if not same(a, b):
            return f"{label}: original {_brief(a)}, mutant {_brief(b)}"
    if len(original) != len(mutant):
        return f"the traces have {len(original)} and {len(mutant)} entries"
    return None


SAMPLE = "__sample__"
KS_LIMIT = 0.02   # two samples of >= 35000 draws from one distribution differ by D < 0.012 at p = 0.001


def same(a, b):
    if _is_sample(a) or _is_sample(b):
        return _is_sample(a) and _is_sample(b) and same_distribution(a[1], b[1])
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return _same_arrays(a, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return same(a.get("__dict__"), b.get("__dict__"))
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        # a bare float came through float(): its precision is unknown, so float32's tolerance applies
        return _same_arrays(np.float32(a), np.float64(b))
    return type(a) is type(b) and a == b


def _is_sample(value):
    return isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and value[0] == SAMPLE


def same_distribution(a, b):
    """Two sorted samples drawn from one distribution: equal sizes and a small Kolmogorov-Smirnov distance."""
    if a.shape != b.shape or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    if np.array_equal(a, b):
        return True
    grid = np.concatenate([a, b])
    distance = np.max(np.abs(np.searchsorted(a, grid, side="right") - np.searchsorted(b, grid, side="right")))
    return distance / a.size < KS_LIMIT


def _same_arrays(a, b):
    if not (isinstance(a, (np.ndarray, np.generic)) and isinstance(b, (np.ndarray, np.generic))):
        return False
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    numeric = "biuf"
    if a.dtype.kind not in numeric or b.dtype.kind not in numeric:
        return a.dtype.kind == b.dtype.kind and np.array_equal(a, b)
    if (a.dtype.kind == "b") != (b.dtype.kind == "b"):
        return False
    rtol, atol = FLOAT32_TOLERANCE if np.float32 in (a.dtype, b.dtype) else FLOAT64_TOLERANCE
    return bool(np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol, equal_nan=True))


def _brief(value):
    if isinstance(value, np.ndarray):
        return f"array {value.shape} {value.dtype} {np.array2string(value.ravel()[:3], precision=5)}"
    if _raised(value):
        return f"raised {value[1]}"
    if _is_sample(value):
        v = value[1]
        return f"a sample of {v.size}: mean {v.mean():.4g}, std {v.std():.4g}, range [{v.min():.4g}, {v.max():.4g}]"
    text = repr(value)
    return text if len(text) < 80 else text[:77] + "..."


class BaseFailsScenarios(RuntimeError):
    """The unmutated base does not get through its own scenarios: no equivalence verdict is possible."""


class Witness:
    """Runs the scenarios; the original's traces are computed once per group set."""

    def __init__(self, base_root, mnist_dir=None, edition="spring2026"):
        from grader.data.mnist import mnist_dir as default_mnist_dir
        self.base_root, self.mnist_dir = base_root, mnist_dir or default_mnist_dir()
        self.edition = edition
        self.originals = {}
        self.lock = threading.Lock()   # campaign jobs share one witness: compute each original once

    def original(self, groups):
        with self.lock:
            return self._original(groups)

    def _original(self, groups):
        if groups not in self.originals:
            self.originals[groups] = run_trace(self.base_root, groups, self.mnist_dir, self.edition)
            failed = base_failures(self.originals[groups], self.edition)
            if failed:
                raise BaseFailsScenarios(f"the base itself fails the scenarios {groups}: {failed}")
        return self.originals[groups]

    def difference(self, mutant, submission_root):
        """None when the mutant is equivalent (no scenario tells it apart), else the first difference."""
        groups = groups_for(mutant.file, self.edition)
        if not groups:
            return "no scenario exercises this file"
        return first_difference(self.original(groups),
                                run_trace(submission_root, groups, self.mnist_dir, self.edition))


def base_failures(trace, edition):
    """Why the unmutated base's trace cannot serve as the original (empty when it can): no trace at all,
    a group aborted, or a MUST_PASS entry that raised."""
    if isinstance(trace, str):
        return trace
    return [label for label, value in trace
            if label.endswith(" aborted") or label.startswith(MUST_PASS[edition]) and _raised(value)]
