from grader.checks.scan import scan_file, scan_tree


def write(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def kinds(findings):
    return [(f.file, f.line, f.module, f.kind) for f in findings]


def test_each_import_form_is_found(tmp_path):
    write(tmp_path, "assignment.py", "\n".join([
        "import numpy as np",
        "import torch",
        "import tensorflow.keras.layers as L",
        "from sklearn.metrics import accuracy_score",
        "import importlib",
        "m = importlib.import_module('keras.layers')",
        "t = __import__('torchvision')",
        "name = 'x'",
        "d = importlib.import_module(name)",
        "from . import helper",
        "from importlib import import_module",
        "ok = import_module('numpy')",
    ]))
    assert kinds(scan_tree(tmp_path)) == [
        ("assignment.py", 2, "torch", "banned"),
        ("assignment.py", 3, "tensorflow.keras.layers", "banned"),
        ("assignment.py", 4, "sklearn.metrics", "banned"),
        ("assignment.py", 6, "keras.layers", "banned"),
        ("assignment.py", 7, "torchvision", "banned"),
        ("assignment.py", 9, "", "dynamic-import"),
    ]
    statements = [f.statement for f in scan_tree(tmp_path)]
    assert statements[0] == "import torch"
    assert statements[3] == "m = importlib.import_module('keras.layers')"


def test_stencil_line_in_preprocess_is_allowed_but_not_elsewhere(tmp_path):
    line = "from tensorflow.keras import datasets\n"
    write(tmp_path, "preprocess.py", line + "from tensorflow.keras import layers\n")
    write(tmp_path, "assignment.py", line)
    write(tmp_path, "code/preprocess.py", "from tensorflow.keras.datasets import mnist\n")
    assert kinds(scan_tree(tmp_path)) == [
        ("assignment.py", 1, "tensorflow.keras", "banned"),
        ("code/preprocess.py", 1, "tensorflow.keras.datasets", "allowed-shim"),
        ("preprocess.py", 1, "tensorflow.keras", "allowed-shim"),
        ("preprocess.py", 2, "tensorflow.keras", "banned"),
    ]


def test_allow_list_is_data(tmp_path):
    write(tmp_path, "preprocess.py", "from tensorflow.keras import datasets\n")
    assert kinds(scan_tree(tmp_path, allowed={})) == [("preprocess.py", 1, "tensorflow.keras", "banned")]


def test_syntax_error_is_a_finding(tmp_path):
    path = write(tmp_path, "beras/layers.py", "x = 1\ndef f(:\n    pass\n")
    [finding] = scan_file(path, root=tmp_path)
    assert (finding.file, finding.line, finding.kind) == ("beras/layers.py", 2, "syntax")
    assert "SyntaxError" in finding.statement


def test_scan_tree_subset_and_null_bytes(tmp_path):
    write(tmp_path, "a.py", "import torch\n")
    (tmp_path / "b.py").write_bytes(b"x = 1\x00\n")
    assert kinds(scan_tree(tmp_path, files=["b.py"])) == [("b.py", 0, "", "syntax")]


# ------------------------------------------------------------------ untrusted trees (issue 8)

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from grader.checks.scan import NOT_SCANNED
from grader.submission import MAX_SOURCE_BYTES

pytestmark = pytest.mark.timeout(60)   # a scan that reads /dev/zero or opens a fifo would hang here
PROJECT = Path(__file__).resolve().parents[2]


def problems(findings):
    return {f.file: (f.kind, f.statement) for f in findings if f.kind in NOT_SCANNED}


def test_links_fifos_and_devices_are_reported_never_read(tmp_path):
    write(tmp_path, "beras/layers.py", "import torch\n")
    os.symlink("/dev/zero", tmp_path / "beras" / "zero.py")
    os.symlink("/etc/hostname", tmp_path / "beras" / "elsewhere.py")
    os.mkfifo(tmp_path / "beras" / "pipe.py")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    write(outside, "helper.py", "import torch\n")
    os.symlink(outside, tmp_path / "linked_folder")
    found = scan_tree(tmp_path)
    assert kinds(found) == [("beras/elsewhere.py", 0, "", "unreadable"), ("beras/layers.py", 1, "torch", "banned"),
                            ("beras/pipe.py", 0, "", "unreadable"), ("beras/zero.py", 0, "", "unreadable")]
    reasons = problems(found)
    assert "symbolic link (to /dev/zero)" in reasons["beras/zero.py"][1]
    assert "named pipe" in reasons["beras/pipe.py"][1]
    # Named explicitly (as grade.py does from its own listing), a file behind a linked folder is not read.
    explicit = scan_tree(tmp_path, files=["linked_folder/helper.py", "../outside.py", "beras/zero.py"])
    assert [(f.file, f.kind) for f in explicit] == [("linked_folder/helper.py", "unreadable"),
                                                    ("../outside.py", "unreadable"),
                                                    ("beras/zero.py", "unreadable")]
    assert "symbolic link" in explicit[0].statement and "outside the submission" in explicit[1].statement


def test_a_large_file_is_reported_not_parsed(tmp_path):
    weights = "W = [" + ", ".join(["0.123456789"] * 900_000) + "]\n"     # 11.2 MB of saved weights
    write(tmp_path, "beras/weights.py", weights)
    write(tmp_path, "beras/small.py", "import torch\n")
    found = scan_tree(tmp_path)
    assert kinds(found) == [("beras/small.py", 1, "torch", "banned"), ("beras/weights.py", 0, "", "too-large")]
    reason = problems(found)["beras/weights.py"][1]
    assert "is 11.2 MB" in reason and "up to 256 KB" in reason, reason


@pytest.mark.parametrize("source", ["x = " + "-" * 100_000 + "1\n",             # MemoryError in the parser
                                    "x = a" + ".b" * 100_000 + "\n"])             # RecursionError
def test_code_too_deep_to_parse_is_a_finding(tmp_path, source):
    write(tmp_path, "scratch/deep.py", source)
    write(tmp_path, "ok.py", "import numpy\nimport torch\n")
    found = scan_tree(tmp_path)
    assert kinds(found) == [("ok.py", 2, "torch", "banned"), ("scratch/deep.py", 0, "", "too-complex")]
    assert "could not be scanned" in found[1].statement


def test_statements_are_capped(tmp_path):
    write(tmp_path, "a.py", "from torch import (" + ", ".join(f"n{i}" for i in range(5000)) + ")\n")
    [finding] = scan_tree(tmp_path)
    assert finding.kind == "banned" and len(finding.statement) <= 300


SCAN_UNDER_LIMIT = """
import sys
from grader.checks.scan import scan_tree
for f in scan_tree(sys.argv[1]):
    print(f.file, f.kind)
"""


def test_scan_fits_in_gradescopes_memory(tmp_path):
    """10 MB of saved weights parse with 1.6 GB; just under the size cap, the worst source we
    know (one token per 2 bytes) still parses within the 768 MB Gradescope gives everything."""
    write(tmp_path, "beras/weights.py", "W = [" + ", ".join(["0.123456789"] * 800_000) + "]\n")
    write(tmp_path, "beras/dense.py", "W = [" + "0," * ((MAX_SOURCE_BYTES - 10) // 2) + "]\n")
    write(tmp_path, "beras/layers.py", "import torch\n")

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (768 * 2**20, 768 * 2**20))
    run = subprocess.run([sys.executable, "-c", SCAN_UNDER_LIMIT, str(tmp_path)], preexec_fn=limit,
                         capture_output=True, text=True, timeout=120, cwd=PROJECT)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.splitlines() == ["beras/layers.py banned", "beras/weights.py too-large"], run.stdout
