"""visualize_predictions(model, train_inputs, train_labels_ohe, num_searching=500) draws a PNG without a display."""
import importlib.util

import numpy as np

from .conftest import REFERENCE


def load_visualize():
    spec = importlib.util.spec_from_file_location("visualize_fall2025", REFERENCE / "visualize.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_right_and_wrong_predictions_are_drawn_to_a_png(beras, rng, tmp_path):
    visualize = load_visualize()
    model = beras.SequentialModel([beras.Dense(784, 10), beras.Softmax()])
    inputs = rng.uniform(size=(40, 784)).astype(np.float32)
    guesses = np.asarray(model(inputs)).argmax(axis=1)
    labels = guesses.copy()
    labels[::2] = (labels[::2] + 1) % 10          # half right, half wrong
    path = visualize.visualize_predictions(model, inputs, np.eye(10)[labels], num_searching=30,
                                           path=tmp_path / "p.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
