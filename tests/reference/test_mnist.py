"""The MNIST data layer on the real files, and its error messages."""
import gzip
import shutil

import numpy as np
import pytest

from grader.data import mnist

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@pytest.fixture(scope="module")
def train():
    return mnist.load_split("train")


@pytest.fixture(scope="module")
def mnist_test():
    return mnist.load_split("test")


def test_train_split(train):
    images, labels = train
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (60000,) and labels.dtype == np.uint8
    assert labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(labels, minlength=10).tolist() == TRAIN_COUNTS
    assert images.max() == 255 and images.min() == 0


def test_test_split(mnist_test):
    images, labels = mnist_test
    assert images.shape == (10000, 28, 28) and labels.shape == (10000,)
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_as_inputs(train):
    images, _ = train
    x = mnist.as_inputs(images)
    assert x.shape == (60000, 784) and x.dtype == np.float32
    assert x.min() == 0.0 and 0.999 <= x.max() <= 1.0
    np.testing.assert_allclose(x[7], images[7].reshape(-1) / 255.0, rtol=1e-6)
    assert mnist.as_inputs(images[:5], dtype=np.float64).dtype == np.float64


def test_one_hot():
    out = mnist.one_hot(np.array([5, 0, 9]))
    assert out.shape == (3, 10) and out.dtype == np.float32
    assert out.argmax(1).tolist() == [5, 0, 9] and out.sum() == 3


@pytest.fixture
def copied(tmp_path, monkeypatch):
    """The four real files in a temporary folder that BERAS_MNIST_DIR points at."""
    source = mnist.mnist_dir()
    for file, _, _ in mnist.FILES.values():
        shutil.copy(source / file, tmp_path / file)
    monkeypatch.setenv(mnist.ENV_VAR, str(tmp_path))
    assert mnist.mnist_dir() == tmp_path
    return tmp_path


def test_env_var_folder_works(copied):
    _, labels = mnist.load_split("test")
    assert labels[:3].tolist() == [7, 2, 1]


def test_missing_file(copied):
    (copied / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(mnist.MnistError) as info:
        mnist.load("train_labels")
    message = str(info.value)
    assert str(copied / "train-labels-idx1-ubyte.gz") in message
    assert mnist.ENV_VAR in message


def test_corrupt_file(copied):
    size = mnist.FILES["train_labels"][1]
    (copied / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\x07" * size))
    with pytest.raises(mnist.MnistError, match="checksum"):
        mnist.load("train_labels")


def test_wrong_size_file(copied):
    (copied / "test-labels.gz").write_bytes(b"")   # unrelated file: ignored
    (copied / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\x00" * 100))
    with pytest.raises(mnist.MnistError, match="100 bytes"):
        mnist.load("test_labels")


def test_truncated_gzip(copied):
    path = copied / "t10k-labels-idx1-ubyte.gz"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(mnist.MnistError) as info:
        mnist.load("test_labels")
    assert str(path) in str(info.value)


def test_not_gzip(copied):
    (copied / "t10k-labels-idx1-ubyte.gz").write_bytes(b"this is not gzip at all")
    with pytest.raises(mnist.MnistError):
        mnist.load("test_labels")
