"""keras.datasets.mnist.load_data(), served from the grader's local MNIST files.

Student code never reads the real test labels. Inside a worker the MNIST
folder (staged by the grader into the worker's own area) holds a *decoy*
test-labels file: seeded made-up labels of the right shape and type, the
same for every submission, so code that loads them still runs and the
reference's and the student's answers still compare. When there is no
labels file at all (the final training run) or it is hidden
(BERAS_HIDE_TEST_LABELS, or unreadable), the same decoy labels are served
from memory. The grader scores accuracy with the real labels in its own
process. Outside a worker (``python -m grader.shims``) a readable real
file is served as it is.
"""
import os

from grader.data import mnist


def _test_labels():
    path = mnist.mnist_dir() / mnist.FILES["test_labels"][0]
    if os.environ.get("BERAS_HIDE_TEST_LABELS") or not os.access(path, os.R_OK):
        return mnist.decoy_test_labels()
    return mnist.load("test_labels")


def load_data(path="mnist.npz"):
    """((x_train, y_train), (x_test, y_test)) as uint8 arrays, like Keras."""
    (x_train, y_train), x_test, y_test = mnist.load_split("train"), mnist.load("test_images"), _test_labels()
    if os.environ.get("BERAS_MNIST_SUBSET"):
        # The grader's second try for code that ran out of memory on the whole set.
        n_train, n_test = (int(n) for n in os.environ["BERAS_MNIST_SUBSET"].split(","))
        x_train, y_train, x_test, y_test = x_train[:n_train], y_train[:n_train], x_test[:n_test], y_test[:n_test]
    return (x_train, y_train), (x_test, y_test)
