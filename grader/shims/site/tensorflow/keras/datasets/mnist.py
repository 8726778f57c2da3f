"""keras.datasets.mnist.load_data(), served from the grader's local MNIST files."""
import os


def load_data(path="mnist.npz"):
    """((x_train, y_train), (x_test, y_test)) as uint8 arrays, like Keras."""
    from grader.data import mnist
    train = mnist.load_split("train")
    if os.environ.get("BERAS_HIDE_TEST_LABELS"):
        # The graded training run never sees the test labels.
        raise PermissionError("The MNIST test labels are not available during the graded "
                              "training run: the grader prepares the data and scores your "
                              "model's predictions itself.")
    return train, mnist.load_split("test")
