from grader.sandbox.banned import scan_file, scan_tree


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
