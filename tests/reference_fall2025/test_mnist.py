"""The fall2025 reference submission trains on real MNIST and writes predictions.npy."""
import numpy as np
import pytest

from grader.data import mnist
from grader.submission import build_reference_submission
from tests.stencil.folders import run


@pytest.mark.slow
def test_one_epoch_reaches_92_percent_and_saves_every_test_prediction(tmp_path):
    folder = build_reference_submission(tmp_path / "submission", "fall2025")
    proc = run(folder, "assignment.py", "--epochs", "1", "--no-visualize", "--predictions", "p.npy", timeout=400)
    assert proc.returncode == 0, proc.stderr[-2000:]
    predictions = np.load(folder / "p.npy")
    assert predictions.shape == (10000, 10)
    accuracy = np.mean(predictions.argmax(axis=1) == mnist.load("test_labels"))
    assert accuracy > 0.92, accuracy
