"""A real, small file system that tests can fill up (tmpfs; needs root to mount)."""
from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

CAN_MOUNT = os.geteuid() == 0


@contextlib.contextmanager
def small_disk(megabytes: int):
    """A fresh tmpfs of ``megabytes`` MB, world-writable like /tmp; unmounted afterwards."""
    if not CAN_MOUNT:
        pytest.skip("mounting a small tmpfs needs root")
    where = Path(tempfile.mkdtemp(prefix="beras-small-disk-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=1777", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)
        with contextlib.suppress(OSError):
            where.rmdir()


def fill(folder: Path, name: str = "filler") -> int:
    """Write into ``folder`` until the disk is full (ENOSPC); return the bytes written."""
    written = 0
    block = b"x" * 65536
    with open(folder / name, "wb", buffering=0) as f:
        while True:
            try:
                written += f.write(block)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
                break
    # Smaller writes still fit in the last partial page: take those too.
    with open(folder / (name + "-tail"), "wb", buffering=0) as f:
        for size in (4096, 512, 1):
            while True:
                try:
                    written += f.write(b"x" * size)
                except OSError:
                    break
    return written


def free_bytes(folder: Path) -> int:
    info = os.statvfs(folder)
    return info.f_bavail * info.f_frsize
