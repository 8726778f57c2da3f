"""How much two honest trainings of the same model agree on the MNIST test set.

    .venv/bin/python benchmarks/prediction_agreement.py [--seeds 0 1 2] [--epochs 5]
        [--batch-sizes 128 64] [--model reference|small] [--out DIR]

Trains reference/fall2025's get_model() (or a middling or weak one: --model mid|small)
once per seed and batch size, one epoch at a time, and keeps the predicted test
labels after every epoch. Then, for every pair of runs (a "submitted" run after its
last epoch against a "retrained" run after each epoch), prints the accuracies and
what grader/checks/predictions.py measures: agreement, the disagreement's share of
the two error rates, and how many of the retrained model's mistakes the other run
gets right. These numbers chose the fall2025 rubric's predictions_* defaults.
Runs in a subprocess per training so that each starts from a fresh import.
"""
import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from grader.checks.predictions import compare_with_retrained  # noqa: E402
from grader.data import mnist  # noqa: E402
from grader.submission import build_reference_submission  # noqa: E402

TRAIN_ONE = r"""
import sys, json, numpy as np
sys.path.insert(0, ".")
seed, epochs, batch, model_kind, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
import assignment
from beras.onehot import OneHotEncoder
from preprocess import load_and_preprocess_data
np.random.seed(seed)
train_x, train_y, test_x, test_y = load_and_preprocess_data()
enc = OneHotEncoder(); enc.fit(np.arange(10))
train_y_ohe, test_y_ohe = enc(train_y), enc(test_y)
from beras.layers import Dense
from beras.activations import ReLU, Sigmoid, Softmax
from beras.model import SequentialModel
from beras.optimizers import BasicOptimizer
if model_kind == "small":       # weak: 16 sigmoid units, plain SGD with a small step
    model = SequentialModel([Dense(784, 16), Sigmoid(), Dense(16, 10), Softmax()])
    optimizer = BasicOptimizer(0.05)
elif model_kind == "mid":       # middling: 32 ReLU units, plain SGD
    model = SequentialModel([Dense(784, 32, initializer="kaiming"), ReLU(), Dense(32, 10), Softmax()])
    optimizer = BasicOptimizer(0.1)
else:
    model = assignment.get_model()
    optimizer = assignment.get_optimizer()
model.compile(optimizer=optimizer, loss_fn=assignment.get_loss_fn(), acc_fn=assignment.get_acc_fn())
labels = []
import contextlib, io
for epoch in range(epochs):
    with contextlib.redirect_stdout(io.StringIO()):
        model.fit(train_x, train_y_ohe, epochs=1, batch_size=batch)
        _, probs = model.evaluate(test_x, test_y_ohe, batch_size=1000)
    labels.append(np.argmax(np.asarray(probs), axis=1).astype(np.int16))
np.save(out, np.stack(labels))
"""


def reference_folder(out_dir):
    """The fall2025 reference laid out as a submission (its files come from several sources)."""
    folder = Path(out_dir) / "reference"
    if not (folder / "assignment.py").exists():
        build_reference_submission(folder, "fall2025")
    return folder


def train(seed, epochs, batch, model_kind, out_dir):
    out = Path(out_dir) / f"{model_kind}_s{seed}_b{batch}.npy"
    if not out.exists():
        env = {**os.environ, "BERAS_MNIST_DIR": str(mnist.mnist_dir()), "OPENBLAS_NUM_THREADS": "1"}
        subprocess.run([sys.executable, "-c", TRAIN_ONE, str(seed), str(epochs), str(batch), model_kind, str(out)],
                       cwd=reference_folder(out_dir), env=env, check=True)
    return np.load(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[128, 64])
    parser.add_argument("--model", choices=("reference", "mid", "small"), default="reference")
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "beras_agreement"))
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    truth = mnist.load("test_labels").astype(np.int64)
    runs = {(s, b): train(s, args.epochs, b, args.model, args.out)
            for s, b in itertools.product(args.seeds, args.batch_sizes)}
    print(f"model {args.model}: accuracy per epoch")
    for (s, b), labels in runs.items():
        print(f"  seed {s} batch {b}: " + " ".join(f"{np.mean(l == truth):.4f}" for l in labels))
    print("submitted (last epoch) vs retrained (after epoch e): acc_sub acc_ret agreement "
          "error_correlation fixed_share")
    rows = []
    for (key_a, a), (key_b, b) in itertools.permutations(runs.items(), 2):
        if key_a[0] == key_b[0]:
            continue                      # same seed: not two independent trainings
        for epoch, retrained in enumerate(b, start=1):
            c = compare_with_retrained(a[-1], retrained, truth)
            rows.append({"submitted": key_a, "retrained": key_b, "epoch": epoch, **c})
            print(f"  s{key_a[0]}b{key_a[1]} vs s{key_b[0]}b{key_b[1]} e{epoch}: {c['accuracy']:.4f} "
                  f"{c['retrained_accuracy']:.4f} {c['agreement']:.4f} {c['error_correlation']:.3f} "
                  f"{c['fixed_share']:.3f}")
    worst = {"agreement": min(r["agreement"] for r in rows),
             "error_correlation": min(r["error_correlation"] for r in rows),
             "fixed_share": max(r["fixed_share"] for r in rows)}
    print("extremes over all pairs:", json.dumps({k: round(v, 4) for k, v in worst.items()}))


if __name__ == "__main__":
    main()
