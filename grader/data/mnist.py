"""MNIST from the four original IDX files (gzip), verified by checksum.

Where: $BERAS_MNIST_DIR, else ../shared/data/mnist beside the project root,
else /autograder/data/mnist (where setup.sh places it on Gradescope).
Loaded as uint8 (55 MB for all of it) and converted to float once, in place:
never two float64 copies of the training set.

Workers never get the real test labels: :func:`files_for_worker` lists what a
worker's MNIST folder holds (the grader stages it into the worker's own area),
with a *decoy* test-labels file in place of the real one when the code under
test needs one (the preprocess probe: the student's load_and_preprocess_data
returns test labels). The decoy is a valid IDX file of seeded random labels,
the same for the reference and the student, so their answers still compare;
only inside a worker (BERAS_IN_WORKER=1, set by the supervisor) does
:func:`load` accept it in place of the real file.

Prepared arrays (decoded once, handed to workers memory-mapped): :func:`prepare`
writes the training files and the test images as .npy files - uint8 as in the
IDX files, plus the final run's float32 inputs and one-hot labels - into
:func:`prepared_dir` (setup.sh does it on Gradescope; elsewhere the first run
does). Never the test labels. The supervisor hard-links them into a worker's
MNIST folder (:func:`prepared_for_worker`), where :func:`load`, :func:`train_inputs` and :func:`train_one_hot`
map them instead of decoding the .gz files: no gzip work per worker, and the
pages are the page cache's (shared, and dropped under memory pressure) rather
than the worker's own memory. Where nothing is prepared, the .gz files are read
as before.
"""
import gzip
import hashlib
import io
import os
import tempfile
from pathlib import Path

import numpy as np

ENV_VAR = "BERAS_MNIST_DIR"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEARCH_PATH = (PROJECT_ROOT.parent / "shared" / "data" / "mnist",
               Path("/autograder/data/mnist"))

# name -> (file, decompressed bytes, sha256 of the decompressed bytes)
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
IDX_HEADER_BYTES = {3: 16, 1: 8}  # by number of dimensions
CACHE_ENV = "BERAS_MNIST_CACHE"
# name -> (shape, dtype): what prepare() writes. Never the test labels.
PREPARED = {
    "train_images": ((60000, 28, 28), "uint8"),
    "train_labels": ((60000,), "uint8"),
    "test_images": ((10000, 28, 28), "uint8"),
    "train_inputs_float32": ((60000, 784), "float32"),
    "train_one_hot_float32": ((60000, 10), "float32"),
}
FOR_TRAINING = ("train_inputs_float32", "train_one_hot_float32")   # only the final run's worker needs these
PREPARE_CHUNK = 10000   # rows converted at a time: preparing never holds a float copy of the whole set
IN_WORKER_ENV = "BERAS_IN_WORKER"
DECOY_SEED = 12345
TEST_SIZE = 10000


class MnistError(RuntimeError):
    """MNIST is missing or not the real thing; the message says how to fix it."""


def mnist_dir():
    """The folder holding the four .gz files."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    for candidate in SEARCH_PATH:
        if candidate.is_dir():
            return candidate
    return SEARCH_PATH[0]


def _fix_hint(folder):
    return (f"Put the four MNIST .gz files ({', '.join(f for f, _, _ in FILES.values())}) "
            f"in {folder}, or set {ENV_VAR} to the folder that holds them.")


def read_idx(path, expected_bytes=None, expected_sha256=None):
    """Decompress one IDX file, check it, and return its uint8 array."""
    path = Path(path)
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise MnistError(f"MNIST file not found: {path}. {_fix_hint(path.parent)}") from None
    except (OSError, EOFError) as e:
        raise MnistError(f"MNIST file {path} is not a readable gzip file ({e}). "
                         f"Replace it with a good copy. {_fix_hint(path.parent)}") from None
    if expected_bytes is not None and len(raw) != expected_bytes:
        raise MnistError(f"MNIST file {path} decompresses to {len(raw)} bytes, expected "
                         f"{expected_bytes}: the file is truncated or not MNIST. {_fix_hint(path.parent)}")
    if expected_sha256 is not None and not _accepted_checksum(hashlib.sha256(raw).hexdigest(), expected_sha256):
        raise MnistError(f"MNIST file {path} has the wrong checksum (sha256 of its decompressed "
                         f"content should be {expected_sha256}): it is corrupt or not MNIST. "
                         f"{_fix_hint(path.parent)}")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=IDX_HEADER_BYTES[ndim]).reshape(dims)


def _accepted_checksum(found, expected):
    if found == expected:
        return True
    # Inside a worker the test-labels file is the decoy (see the module docstring).
    in_worker = os.environ.get(IN_WORKER_ENV) == "1"
    return in_worker and expected == FILES["test_labels"][2] and found == _decoy_sha256()


def decoy_test_labels():
    """10000 made-up labels (uint8, seeded): what workers see in place of the real test labels.

    Drawn with a plain linear congruential generator, not numpy.random: student code that
    patches numpy's random functions (it runs in the same process) must not change them.
    """
    state, labels = DECOY_SEED, bytearray(TEST_SIZE)
    for i in range(TEST_SIZE):
        state = (state * 1103515245 + 12345) % 2 ** 31
        labels[i] = (state >> 16) % 10
    return np.frombuffer(bytes(labels), dtype=np.uint8).copy()


def _decoy_idx_bytes():
    labels = decoy_test_labels()
    return (0x801).to_bytes(4, "big") + len(labels).to_bytes(4, "big") + labels.tobytes()


def _decoy_sha256():
    return hashlib.sha256(_decoy_idx_bytes()).hexdigest()


def decoy_test_labels_gz():
    """The decoy as the content of a t10k-labels-idx1-ubyte.gz file (deterministic bytes)."""
    return gzip.compress(_decoy_idx_bytes(), mtime=0)


def files_for_worker(decoy_test_labels=True, folder=None):
    """{file name: source path or content} for a worker's own MNIST folder.

    The training files and the test images always; the test labels never, only
    the decoy in their place when ``decoy_test_labels`` (code that loads them
    must still run). The supervisor stages these (hard links where it can).
    """
    folder = Path(folder or mnist_dir())
    files = {FILES[name][0]: folder / FILES[name][0] for name in ("train_images", "train_labels", "test_images")}
    if decoy_test_labels:
        files[FILES["test_labels"][0]] = decoy_test_labels_gz()
    return files


def prepared_for_worker(training=False, folder=None):
    """{file name: path} of the prepared arrays for a worker's MNIST folder (never the test
    labels; the float32 training inputs only when ``training``), prepared now if need be.
    The supervisor stages them as hard links only (Worker's data_links): where it cannot,
    the worker decodes the .gz files of :func:`files_for_worker` instead."""
    wanted = [name for name in PREPARED if training or name not in FOR_TRAINING]
    return {prepared_name(name): path for name, path in prepare(wanted, source=folder).items()}


# ------------------------------------------------------------------ prepared arrays (.npy)

def prepared_name(name):
    return f"{name}.npy"


def prepared_dir():
    """Where prepared arrays live, or None where they are not kept: $BERAS_MNIST_CACHE, else a
    prepared/ folder beside the .gz files when there is one (setup.sh makes it on Gradescope),
    else the project's .cache/mnist when this is the project itself (it holds the reference: a
    developer's or TA's machine, CI). Not in the students' self-check kit: 240 MB in their folder
    could end up in what they submit, and there workers get copies, not links (see the supervisor)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    beside = mnist_dir() / "prepared"
    if beside.is_dir():
        return beside
    if (PROJECT_ROOT / "reference").is_dir():
        return PROJECT_ROOT / ".cache" / "mnist"
    return None


def _npy_header(name):
    shape, dtype = PREPARED[name]
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                                                 "fortran_order": False, "shape": shape})
    return header.getvalue()


def _expected_bytes(name):
    """The size of a complete .npy file for PREPARED[name] (header included)."""
    shape, dtype = PREPARED[name]
    return len(_npy_header(name)) + int(np.prod(shape)) * np.dtype(dtype).itemsize


def prepare(names=tuple(PREPARED), source=None, target=None):
    """{name: path} of the prepared .npy files, writing the missing ones (from the
    checksum-verified .gz files). Only a speed-up: when they cannot be written (a
    read-only or full disk), returns what is already there and workers decode the .gz."""
    target = target or prepared_dir()
    if target is None:
        return {}
    target, done = Path(target), {}
    for name in names:
        path = target / prepared_name(name)
        if not _complete(path, name):
            try:
                _write_prepared(name, path, source)
            except OSError:
                continue
        done[name] = path
    return done


def _complete(path, name):
    try:
        return path.stat().st_size == _expected_bytes(name)
    except OSError:
        return False


def _write_prepared(name, path, source):
    """Convert in chunks into a temporary file, then rename: readers see a whole file or none.
    Plain writes (not a writable memory map), so a full disk is an OSError, not a SIGBUS."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npy")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(_npy_header(name))
            for chunk in _prepared_chunks(name, source):
                out.write(np.ascontiguousarray(chunk, dtype=PREPARED[name][1]).tobytes())
        os.chmod(tmp, 0o644)   # workers read it through a hard link (never write: not theirs)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _prepared_chunks(name, source):
    if name == "train_inputs_float32":
        images = load("train_images", source)
        for start in range(0, len(images), PREPARE_CHUNK):
            yield as_inputs(images[start:start + PREPARE_CHUNK], np.float32)
    elif name == "train_one_hot_float32":
        yield one_hot(load("train_labels", source), dtype=np.float32)
    else:
        yield load(name, source)


def _mapped(name, folder, writable):
    """PREPARED[name] memory-mapped from a worker's MNIST folder, or None when it is not there
    (or not a name prepare() writes).

    writable: copy-on-write, so code that changes the array in place works as on a fresh
    array while the file stays as it is; else read-only, like the arrays decoded from .gz."""
    path = Path(folder or mnist_dir()) / prepared_name(name)
    if name not in PREPARED or not path.is_file():
        return None
    array = np.load(path, mmap_mode="c" if writable else "r", allow_pickle=False)
    shape, dtype = PREPARED[name]
    if array.shape != shape or array.dtype != np.dtype(dtype):
        return None
    return array


def load(name, folder=None):
    """One of FILES' arrays by name, e.g. load("train_labels"), read-only. Memory-mapped
    when the folder holds it prepared (a worker's folder), else decoded from the .gz."""
    mapped = _mapped(name, folder, writable=False)
    if mapped is not None:
        return mapped
    file, size, sha = FILES[name]
    return read_idx(Path(folder or mnist_dir()) / file, size, sha)


def load_split(split, folder=None):
    """(images (N, 28, 28) uint8, labels (N,) uint8) for "train" or "test"."""
    return load(f"{split}_images", folder), load(f"{split}_labels", folder)


def as_inputs(images, dtype=np.float32):
    """Flatten to (N, 784) and scale to [0, 1] in the given dtype, with one allocation."""
    flat = images.reshape(len(images), -1).astype(dtype)
    flat *= flat.dtype.type(1.0 / 255.0)
    return flat


def one_hot(labels, classes=10, dtype=np.float32):
    out = np.zeros((len(labels), classes), dtype=dtype)
    out[np.arange(len(labels)), labels] = 1
    return out


def train_inputs(dtype=np.float32, folder=None):
    """The training images as the final run's inputs: (60000, 784) in [0, 1], writable.
    Mapped copy-on-write when prepared in this dtype, else converted here."""
    mapped = _mapped(f"train_inputs_{np.dtype(dtype).name}", folder, writable=True)
    return mapped if mapped is not None else as_inputs(load("train_images", folder), dtype)


def train_one_hot(dtype=np.float32, folder=None):
    """The training labels one-hot, (60000, 10), writable (mapped copy-on-write when prepared)."""
    mapped = _mapped(f"train_one_hot_{np.dtype(dtype).name}", folder, writable=True)
    return mapped if mapped is not None else one_hot(load("train_labels", folder), dtype=dtype)
