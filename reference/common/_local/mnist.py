"""MNIST from the four original IDX files (gzip), checked against known checksums.

Where: the folder named by $BERAS_MNIST_DIR, else data/mnist/ in this homework
folder (where `python -m _local.fetch_mnist` puts them).
"""
import gzip
import hashlib
import os
from pathlib import Path

import numpy as np

ENV_VAR = "BERAS_MNIST_DIR"
HOMEWORK_DIR = Path(__file__).resolve().parents[1]
DEFAULT_DIR = HOMEWORK_DIR / "data" / "mnist"
FETCH_COMMAND = "python -m _local.fetch_mnist"

# name -> (file, decompressed bytes, sha256 of the decompressed bytes). The checksums are
# of the decompressed content: mirrors compress the same bytes differently.
FILES = {
    "train_images": ("train-images-idx3-ubyte.gz", 47040016,
                     "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    "train_labels": ("train-labels-idx1-ubyte.gz", 60008,
                     "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    "test_images": ("t10k-images-idx3-ubyte.gz", 7840016,
                    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    "test_labels": ("t10k-labels-idx1-ubyte.gz", 10008,
                    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}
HEADER_BYTES = {3: 16, 1: 8}   # IDX header size by number of dimensions


class MnistError(RuntimeError):
    """MNIST is missing here or is not the real thing; the message says what to do."""


def mnist_dir():
    """The folder that holds (or will hold) the four .gz files."""
    return Path(os.environ[ENV_VAR]) if os.environ.get(ENV_VAR) else DEFAULT_DIR


def how_to_get_it(folder):
    if os.environ.get(ENV_VAR):
        return (f"{ENV_VAR} is set to {folder}: put the four MNIST .gz files there "
                f"({', '.join(f for f, _, _ in FILES.values())}), or run `{FETCH_COMMAND}`, "
                f"which downloads them into that folder")
    return (f"run `{FETCH_COMMAND}` once from your homework folder (it downloads 11 MB and checks "
            f"them), or set {ENV_VAR} to a folder that holds the four MNIST .gz files")


def problem_with(content, name):
    """Why decompressed `content` is not MNIST's file `name`, or None when it is."""
    file, size, sha = FILES[name]
    if len(content) != size:
        return f"it decompresses to {len(content)} bytes, not {size}"
    if hashlib.sha256(content).hexdigest() != sha:
        return f"its content has the wrong checksum (sha256 should be {sha})"
    return None


def decompress(data):
    """The decompressed bytes of a .gz file's content; MnistError when it is not gzip."""
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, ValueError) as error:
        raise MnistError(f"not a readable gzip file ({error})") from None


def load(name, folder=None):
    """One of FILES' arrays by name (uint8), e.g. load("train_labels"); checked first."""
    folder = Path(folder) if folder is not None else mnist_dir()
    path = folder / FILES[name][0]
    try:
        content = decompress(path.read_bytes())
    except FileNotFoundError:
        raise MnistError(f"MNIST is not on this computer yet ({path} is missing): "
                         f"{how_to_get_it(folder)}.") from None
    except (OSError, MnistError) as error:
        raise MnistError(f"{path} cannot be read: {error}. Delete it and {how_to_get_it(folder)}.") from None
    problem = problem_with(content, name)
    if problem:
        raise MnistError(f"{path} is not the real MNIST file: {problem}. Delete it and "
                         f"{how_to_get_it(folder)}.")
    ndim = content[3]
    shape = [int.from_bytes(content[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(content, dtype=np.uint8, offset=HEADER_BYTES[ndim]).reshape(shape).copy()


def load_data(folder=None):
    """((x_train, y_train), (x_test, y_test)) as uint8 arrays, like Keras' mnist.load_data()."""
    return ((load("train_images", folder), load("train_labels", folder)),
            (load("test_images", folder), load("test_labels", folder)))
