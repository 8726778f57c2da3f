"""keras.datasets.mnist.load_data(), served from the grader's local MNIST files.

Student code never reads the real test labels: on the grading server that
file is readable by root only (setup.sh), and during the final training run
the grader hides it (BERAS_HIDE_TEST_LABELS). Then this stand-in serves
made-up labels of the right shape and type, so code that loads them still
runs; the grader scores accuracy with the real labels in its own process.
"""
import os

import numpy as np

TEST_SIZE = 10000


def _test_labels(mnist):
    path = mnist.mnist_dir() / mnist.FILES["test_labels"][0]
    if os.environ.get("BERAS_HIDE_TEST_LABELS") or not os.access(path, os.R_OK):
        return np.random.default_rng(12345).integers(0, 10, TEST_SIZE).astype(np.uint8)
    return mnist.load("test_labels")


def load_data(path="mnist.npz"):
    """((x_train, y_train), (x_test, y_test)) as uint8 arrays, like Keras."""
    from grader.data import mnist
    (x_train, y_train), x_test, y_test = mnist.load_split("train"), mnist.load("test_images"), _test_labels(mnist)
    if os.environ.get("BERAS_MNIST_SUBSET"):
        # The grader's second try for code that ran out of memory on the whole set.
        n_train, n_test = (int(n) for n in os.environ["BERAS_MNIST_SUBSET"].split(","))
        x_train, y_train, x_test, y_test = x_train[:n_train], y_train[:n_train], x_test[:n_test], y_test[:n_test]
    return (x_train, y_train), (x_test, y_test)
