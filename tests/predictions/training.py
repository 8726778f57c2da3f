"""Real trainings of a submission's get_model() on MNIST, in subprocesses, for the review tests.

``retrain`` stands in for the grader's own retraining (the training runner under the
final_* settings) until the fall2025 edition wires it: the same calls through the
submission's public API (get_model, get_optimizer, get_loss_fn, get_acc_fn, compile,
fit one epoch at a time, evaluate), seeded, returning the predicted test labels."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from grader.checks.predictions import Retrained
from grader.data import mnist
from grader.shims import SHIMS_DIR

PROJECT_ROOT = Path(__file__).resolve().parents[2]

TIMEOUT_S = 900

_DRIVER = textwrap.dedent("""
    import contextlib, io, sys
    import numpy as np
    sys.path.insert(0, ".")
    seed, epochs, batch, out, rows = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    import assignment
    from beras.onehot import OneHotEncoder
    from preprocess import load_and_preprocess_data
    np.random.seed(seed)
    train_x, train_y, test_x, test_y = load_and_preprocess_data()
    encoder = OneHotEncoder()
    encoder.fit(np.arange(10))
    train_y_ohe, test_y_ohe = encoder(train_y), encoder(test_y)
    if rows:
        train_x, train_y_ohe = train_x[:rows], train_y_ohe[:rows]
    model = assignment.get_model()
    model.compile(optimizer=assignment.get_optimizer(), loss_fn=assignment.get_loss_fn(),
                  acc_fn=assignment.get_acc_fn())
    with contextlib.redirect_stdout(io.StringIO()):
        for _ in range(epochs):
            model.fit(train_x, train_y_ohe, epochs=1, batch_size=batch)
        _, scores = model.evaluate(test_x, test_y_ohe, batch_size=1000)
    np.save(out, np.asarray(scores))
""")


def _env():
    # The grader's stand-in for tensorflow.keras.datasets serves a submission without its own
    # (the course's stencil imports the real one); a submission's own stand-in comes first.
    return {**os.environ, "BERAS_MNIST_DIR": str(mnist.mnist_dir()), "OPENBLAS_NUM_THREADS": "1",
            "MPLBACKEND": "Agg", "PYTHONPATH": os.pathsep.join([str(SHIMS_DIR), str(PROJECT_ROOT)])}


def _run(command, root):
    done = subprocess.run(command, cwd=root, env=_env(), capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, f"{command[:2]} failed in {root}:\n{done.stderr[-3000:]}"


def run_assignment(root, epochs):
    """The student's own step: python assignment.py, which writes predictions.npy."""
    _run([sys.executable, "assignment.py", "--epochs", str(epochs), "--no-visualize"], root)
    return Path(root) / "predictions.npy"


def train_scores(root, seed, epochs, batch, out, rows=0):
    """Train get_model() with this seed and batch size (on the first ``rows`` training images
    when given); save its (10000, 10) test scores to ``out``."""
    _run([sys.executable, "-c", _DRIVER, str(seed), str(epochs), str(batch), str(out), str(rows)], root)
    return Path(out)


def retrain(root, seed, epochs, batch, truth, rows=0):
    """A Retrained as the grader's retraining would give it (labels, accuracy, epochs)."""
    out = Path(root).parent / f"retrained_{Path(root).name}_s{seed}.npy"
    labels = np.argmax(np.load(train_scores(root, seed, epochs, batch, out, rows)), axis=1)
    return Retrained(labels=labels, accuracy=float(np.mean(labels == truth)), epochs=epochs)
