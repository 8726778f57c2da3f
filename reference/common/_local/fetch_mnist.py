"""Download MNIST (the four original files, 11 MB) and check it: `python -m _local.fetch_mnist`.

    python -m _local.fetch_mnist                  # into data/mnist/ (or $BERAS_MNIST_DIR)
    python -m _local.fetch_mnist --dest DIR       # into DIR (then set BERAS_MNIST_DIR=DIR)
    python -m _local.fetch_mnist --mirror URL     # from another copy (URL of the folder)

A file already there and correct is kept. Each download is checked against
MNIST's known checksums before it is saved; a wrong or broken one is never
saved. Needs a network connection; nothing else to install.
"""
import argparse
import http.client
import os
import sys
import tempfile
import urllib.request
from pathlib import Path

from _local.mnist import FILES, ENV_VAR, MnistError, decompress, mnist_dir, problem_with

# Public copies of the original files (same decompressed bytes; checked anyway).
MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024   # the largest file is 9.9 MB compressed
TIMEOUT_S = 60


def why_not_good(path, name):
    """None when path holds MNIST's file `name`; else why not."""
    try:
        return problem_with(decompress(path.read_bytes()), name)
    except FileNotFoundError:
        return "missing"
    except (OSError, MnistError) as error:
        return str(error)


def download(url):
    """The bytes at url (at most MAX_DOWNLOAD_BYTES); OSError or ValueError on failure."""
    request = urllib.request.Request(url, headers={"User-Agent": "beras-homework-fetch-mnist"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        data = response.read(MAX_DOWNLOAD_BYTES + 1)
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise ValueError(f"more than {MAX_DOWNLOAD_BYTES} bytes: not an MNIST file")
    return data


def save(data, path):
    """Write data to path atomically: a half-written file never has the final name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def fetch_one(name, dest, mirrors, say):
    """Make dest hold a correct copy of MNIST's file `name`; [] on success, else the reasons."""
    file = FILES[name][0]
    path = dest / file
    if why_not_good(path, name) is None:
        say(f"{file}: already there, checksum correct")
        return []
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + file
        try:
            data = download(url)
            problem = problem_with(decompress(data), name)
        except (OSError, ValueError, MnistError, http.client.HTTPException) as error:
            problem = f"download failed ({error})"
        if problem is None:
            save(data, path)
            say(f"{file}: downloaded from {mirror}, checksum correct")
            return []
        failures.append(f"{url}: {problem}")
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m _local.fetch_mnist",
                                     description=__doc__.strip().splitlines()[0])
    parser.add_argument("--dest", type=Path, default=None,
                        help=f"where to put the files (default: ${ENV_VAR} if set, else data/mnist/ "
                             "in the homework folder)")
    parser.add_argument("--mirror", action="append", metavar="URL",
                        help="download from this folder URL instead (repeatable; tried in order)")
    args = parser.parse_args(argv)
    dest = (args.dest or mnist_dir()).resolve()
    mirrors = args.mirror or MIRRORS
    print(f"MNIST into {dest}")
    failures = []
    for name in FILES:
        failures += fetch_one(name, dest, mirrors, say=lambda text: print(f"  {text}", flush=True))
    if failures:
        print("Some files could not be fetched:", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        print(f"Try again later, or download the missing files by hand from one of {', '.join(MIRRORS)} "
              f"into {dest}.", file=sys.stderr)
        return 1
    default = args.dest is None or dest == mnist_dir().resolve()
    print("Done: MNIST is ready." + ("" if default else f" Set {ENV_VAR}={dest} so that the homework finds it."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
