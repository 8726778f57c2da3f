"""Homework folders laid out as a student has them, and running commands in them as a student does."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from assign.editions import EDITIONS
from grader.data import mnist
from grader.submission import build_reference_submission

ROOT = Path(__file__).resolve().parents[2]
STENCIL = ROOT / EDITIONS["spring2026"].output
LINE = re.compile(r"^(PASS|FAIL|ERROR) +(\w+)(?:: (.*))?$")
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed", re.MULTILINE)


def ignore(*args):
    return shutil.ignore_patterns("__pycache__", "*.pyc")(*args)


def reference_folder(dest):
    """The reference solution laid out as a finished homework folder (stencil files included)."""
    return build_reference_submission(dest, "spring2026")


def stencil_folder(dest):
    """The committed stencil, untouched."""
    shutil.copytree(STENCIL, dest, ignore=ignore, dirs_exist_ok=True)
    return Path(dest)


def run(folder, *args, mnist_dir=None, timeout=300):
    """`python ARGS` in folder as a student runs it: no PYTHONPATH; MNIST from the local files
    (BERAS_MNIST_DIR: mnist_dir, else the project's copy; mnist_dir=False leaves it unset)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", BERAS_MNIST_DIR=str(mnist_dir or mnist.mnist_dir()))
    if mnist_dir is False:
        env.pop("BERAS_MNIST_DIR")
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"   # test mirrors are on the loopback only
    env.pop("PYTHONPATH", None)
    env.pop("BERAS_HIDE_TEST_LABELS", None)
    return subprocess.run([sys.executable, *args], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def outcomes(stdout):
    """{test name: (PASS/FAIL/ERROR, message)} from a test run's output, in order."""
    found = {}
    for line in stdout.splitlines():
        m = LINE.match(line)
        if m:
            found[m.group(2)] = (m.group(1), m.group(3) or "")
    return found
