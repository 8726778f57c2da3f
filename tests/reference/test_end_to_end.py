"""The reference assignment trains to >= 97 % on real MNIST (5 epochs, batch 256, float32)."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import sys
    sys.path[:0] = [{root!r}, {site!r}, {ref!r}, {common!r}]
    import numpy as np
    import assignment
    from preprocess import load_and_preprocess_data
    from beras.onehot import OneHotEncoder

    np.random.seed(0)
    train_x, train_y, test_x, test_y = load_and_preprocess_data()
    assert train_x.dtype == np.float32 and train_x.shape == (60000, 784)
    encoder = OneHotEncoder()
    encoder.fit(np.arange(10))
    model = assignment.get_model()
    model.compile(optimizer=assignment.get_optimizer(model), loss_fn=assignment.get_loss_fn(),
                  acc_fn=assignment.get_acc_fn())
    history = model.fit(train_x, encoder(train_y), epochs=5, batch_size=256)
    assert len(history["loss"]) == 5
    metrics, predictions = model.evaluate(test_x, encoder(test_y), batch_size=256)
    assert predictions.dtype == np.float32 and predictions.shape == (10000, 10)
    independent = float(np.mean(np.argmax(predictions, axis=1) == np.asarray(test_y)))
    assert abs(independent - metrics["acc"]) < 1e-9, (independent, metrics["acc"])
    print("TEST_ACCURACY", independent)
""")


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_reference_reaches_97_percent():
    script = SCRIPT.format(root=str(ROOT), site=str(ROOT / "grader" / "shims" / "site"),
                           ref=str(ROOT / "reference" / "spring2026"), common=str(ROOT / "reference" / "common"))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=170, cwd=ROOT)
    tail = (done.stdout[-2000:] + "\n" + done.stderr[-3000:])
    assert done.returncode == 0, tail
    lines = [l for l in done.stdout.splitlines() if l.startswith("TEST_ACCURACY")]
    assert lines, tail
    accuracy = float(lines[-1].split()[1])
    assert accuracy >= 0.97, f"test accuracy {accuracy:.4f} < 0.97\n{tail}"
