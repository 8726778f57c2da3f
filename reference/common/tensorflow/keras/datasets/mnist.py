"""Stand-in for tensorflow.keras.datasets.mnist: load_data() from the local MNIST files."""
from _local import mnist as _files


def load_data(path="mnist.npz"):
    """((x_train, y_train), (x_test, y_test)) as uint8 arrays, as Keras returns them.

    (60000, 28, 28), (60000,), (10000, 28, 28), (10000,). `path` is accepted
    for Keras' sake and ignored: the files are in data/mnist/ or $BERAS_MNIST_DIR.
    """
    return _files.load_data()
