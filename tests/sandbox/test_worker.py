"""Real worker processes running tiny fake submissions (no mocks)."""
import os
import textwrap
import time

import pytest

from grader.sandbox.supervisor import Worker

P = "tests.sandbox.probes_for_tests:"
pytestmark = pytest.mark.timeout(60)


def make_submission(tmp_path, code, name="beras/__init__.py"):
    root = tmp_path / "submission"
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code))
    return root


def student(worker, function, *args, timeout=10.0, module="beras"):
    return worker.call(P + "call", {"module": module, "function": function, "args": list(args)}, timeout=timeout)


@pytest.fixture
def open_worker():
    workers = []

    def _open(root, **kwargs):
        worker = Worker(root, probe_prefixes=("tests.sandbox.",), **kwargs)
        workers.append(worker)
        return worker
    yield _open
    for worker in workers:
        worker.close()


def test_normal_call_and_output(tmp_path, open_worker):
    w = open_worker(make_submission(tmp_path, """
        def add(a, b):
            print("adding", a, b)
            return a + b
    """))
    assert w.start().ok
    r = student(w, "add", 2, 3)
    assert (r.status, r.value, r.stdout) == ("ok", 5, "adding 2 3\n")


def test_exception_names_student_file_and_line(tmp_path, open_worker):
    w = open_worker(make_submission(tmp_path, """
        import numpy as np

        def forward(x):
            return helper(x)

        def helper(x):
            raise ValueError("shapes do not match")
    """))
    r = student(w, "forward", 1)
    assert r.status == "error"
    assert r.error["type"] == "ValueError" and r.error["message"] == "shapes do not match"
    frame = r.error["student_frame"]
    assert (frame["file"], frame["line"], frame["function"]) == ("beras/__init__.py", 8, "helper")
    assert "raise ValueError" in frame["code"]
    assert "beras/__init__.py:8 in helper" in r.detail


def test_syntax_error_in_student_file(tmp_path, open_worker):
    w = open_worker(make_submission(tmp_path, "def f(:\n    pass\n"))
    r = w.call(P + "import_student", {"module": "beras"})
    assert r.status == "error" and r.error["type"] == "SyntaxError"
    assert (r.error["student_frame"]["file"], r.error["student_frame"]["line"]) == ("beras/__init__.py", 1)


def test_sys_exit_at_import_and_in_call(tmp_path, open_worker):
    root = make_submission(tmp_path, "import sys\nsys.exit(3)\n")
    (root / "other.py").write_text("import sys\ndef f():\n    sys.exit('bye')\n")
    w = open_worker(root)
    r = w.call(P + "import_student", {"module": "beras"})
    assert r.status == "error" and r.error["type"] == "SystemExit" and "sys.exit(3)" in r.error["message"]
    r = student(w, "f", module="other")
    assert r.status == "error" and r.error["type"] == "SystemExit"
    assert w.call(P + "echo", {"value": 1}).value == 1


def test_os_exit_crashes_then_fresh_worker(tmp_path, open_worker):
    w = open_worker(make_submission(tmp_path, """
        import os
        def f():
            print("about to exit")
            os._exit(7)
    """))
    r = student(w, "f")
    assert r.status == "crashed" and r.exit_code == 7
    assert "exited with code 7" in r.detail and "about to exit" in r.stdout
    assert w.call(P + "echo", {"value": "again"}).value == "again"


def test_os_exit_at_import_is_crash_not_hang(tmp_path, open_worker):
    w = open_worker(make_submission(tmp_path, "import os\nos._exit(0)\n"))
    r = w.call(P + "import_student", {"module": "beras"})
    assert r.status == "crashed"
    assert w.call(P + "echo", {"value": 2}).value == 2


def test_infinite_loop_times_out_then_recovers(tmp_path, open_worker):
    w = open_worker(make_submission(tmp_path, """
        def spin():
            print("epoch 1")
            while True:
                pass
    """))
    started = time.monotonic()
    r = student(w, "spin", timeout=1.5)
    assert r.status == "timeout" and time.monotonic() - started < 1.5 + 2
    assert "did not answer within 1.5 s" in r.detail
    assert "epoch 1" in r.stdout
    assert w.call(P + "echo", {"value": 3}).value == 3


def test_memory_blow_up_then_recovers(tmp_path, open_worker):
    w = open_worker(make_submission(tmp_path, """
        import numpy as np
        def hog():
            return np.ones((5 * 1024**3) // 8).sum()
    """), memory_mb=600)
    r = student(w, "hog")
    assert r.status == "memory" and "600 MB" in r.detail
    assert w.call(P + "allocate_mb", {"megabytes": 300}).ok  # a reasonable array still fits
    assert w.call(P + "echo", {"value": 4}).value == 4


def test_ten_megabytes_of_prints_are_capped_without_deadlock(tmp_path, open_worker):
    w = open_worker(make_submission(tmp_path, """
        import sys
        def chatty():
            for _ in range(10):
                print("x" * (1024 * 1024 - 1))
                sys.stderr.write("e" * 100000)
            return "done"
    """), output_cap_bytes=10_000)
    r = student(w, "chatty", timeout=20)
    assert r.status == "ok" and r.value == "done"
    assert r.stdout.startswith("x" * 10_000)
    # the first 10_000 bytes, then what was cut, then the last 8 KiB (the end matters most)
    assert r.stdout[10_000:] == f"\n[... {10 * 1024 * 1024 - 10_000 - 8192} bytes cut ...]\n" + "x" * 8191 + "\n"
    assert "bytes cut ...]" in r.stderr


FORGER = """
    import os, struct, json
    def forge():
        fake = json.dumps({"ok": True, "value": 100, "seconds": 0.0, "id": 2, "token": "guess"}).encode()
        frame = struct.pack(">Q", len(fake)) + fake
        fds = set(range(3, 51)) | {int(n) for n in os.listdir("/proc/self/fd")}
        for fd in sorted(fds - {0, 1, 2}):
            for data in (b"garbage" * 10, frame):
                try:
                    os.write(fd, data)
                except OSError:
                    pass
        return 1
"""


def test_forged_replies_are_not_accepted(tmp_path, open_worker):
    w = open_worker(make_submission(tmp_path, FORGER))
    r = student(w, "forge", timeout=5)
    assert r.value != 100
    assert r.status in ("crashed", "error") or (r.status == "ok" and r.value == 1)
    assert r.status != "timeout"
    assert w.call(P + "echo", {"value": 5}).value == 5


def test_banned_imports_give_stand_ins_that_fail_only_when_used(tmp_path, open_worker):
    # One stray `import torch` must not break the package: the module imports, the
    # functions that do not use torch work, the ones that do fail and say where it came from.
    root = make_submission(tmp_path, """
        import torch

        def uses_numpy(x):
            return x * 2

        def uses_torch(x):
            return torch.tensor(x)

        def b():
            from sklearn import linear_model
            return linear_model.LinearRegression()

        def c():
            import importlib
            return importlib.import_module("tensorflow.python").ops
    """)
    w = open_worker(root)
    assert student(w, "uses_numpy", 21).value == 42
    r = student(w, "uses_torch", 1)
    assert r.status == "error" and r.error["type"] == "BannedLibraryError", r
    assert r.error["message"].startswith("torch is banned in this homework (imported at beras/__init__.py:2")
    assert "rewrite this with NumPy" in r.error["message"]
    assert (r.error["student_frame"]["file"], r.error["student_frame"]["line"]) == ("beras/__init__.py", 8)
    for function, library, line in [("b", "sklearn", 11), ("c", "tensorflow", 16)]:
        r = student(w, function)
        assert r.status == "error" and r.error["type"] == "BannedLibraryError", r
        assert f"{library} is banned in this homework (imported at beras/__init__.py:{line}" in r.error["message"]
    found = [(a["module"].split(".")[0], a["file"], a["line"]) for a in w.banned_imports]
    assert found == [("torch", "beras/__init__.py", 2), ("sklearn", "beras/__init__.py", 11),
                     ("tensorflow", "beras/__init__.py", 16)]
    # The worker's own list (the built-in probe) agrees with what reached the trusted side.
    inside = [(a["module"].split(".")[0], a["file"], a["line"]) for a in w.call("__banned_attempts__").value]
    assert inside == found


def test_banned_import_records_arrive_with_the_call_that_made_them(tmp_path, open_worker):
    root = make_submission(tmp_path, "def late():\n    import keras\n    return 1\n")
    w = open_worker(root)
    first = w.call(P + "import_student", {"module": "beras"})
    assert first.ok and first.banned_imports == []
    r = student(w, "late")
    assert r.value == 1
    assert [(a["module"], a["file"], a["line"], a["function"]) for a in r.banned_imports] == [
        ("keras", "beras/__init__.py", 2, "late")]


def test_tensorflow_resolves_to_shim_only(tmp_path, open_worker):
    shims = tmp_path / "shims"
    (shims / "tensorflow" / "keras").mkdir(parents=True)
    (shims / "tensorflow" / "__init__.py").write_text("SHIM = True\n")
    (shims / "tensorflow" / "keras" / "__init__.py").write_text("from . import datasets\n")
    (shims / "tensorflow" / "keras" / "datasets.py").write_text("def load():\n    return 'local mnist'\n")
    root = make_submission(tmp_path, """
        from tensorflow.keras import datasets
        def load():
            return datasets.load()
        def torch():
            import torch
            return torch.ones(2)
        def layers():
            from tensorflow.keras import layers
            return layers.Dense(3)
    """, name="preprocess.py")
    w = open_worker(root, shims=shims)
    assert student(w, "load", module="preprocess").value == "local mnist"
    assert w.banned_imports == []   # what the shims serve is not a banned import
    assert student(w, "torch", module="preprocess").error["type"] == "BannedLibraryError"
    r = student(w, "layers", module="preprocess")
    assert r.error["type"] == "BannedLibraryError" and "tensorflow is banned" in r.error["message"]
    assert [(a["module"], a["line"]) for a in w.banned_imports] == [("torch", 6), ("tensorflow.keras.layers", 9)]


def test_probe_prefix_enforced(tmp_path, open_worker):
    w = open_worker(make_submission(tmp_path, "x = 1\n"))
    with pytest.raises(ValueError):
        w.call("os:system", {"command": "true"})
    with pytest.raises(ValueError):
        w.call(P + "echo", {"value": object()})
    assert w.call(P + "unsendable").error["type"] == "CodecError"


def test_original_submission_is_unchanged(tmp_path, open_worker):
    root = make_submission(tmp_path, """
        import os
        def scribble():
            with open("new_file.txt", "w") as f:
                f.write("hi")
            os.remove("beras/__init__.py")
            return sorted(os.listdir("."))
    """)
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    w = open_worker(root)
    r = student(w, "scribble")
    assert r.ok and "new_file.txt" in r.value
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before
    w.close()
    assert not w.area.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="privilege drop only happens when the grader runs as root")
def test_privileges_are_dropped(tmp_path, open_worker):
    secret = tmp_path / "secret.txt"
    secret.write_text("answers")
    os.chmod(secret, 0o600)
    os.chmod(tmp_path, 0o755)
    w = open_worker(make_submission(tmp_path, "x = 1\n"))
    info = w.call(P + "identity_info").value
    assert info["uid"] != 0 and info["euid"] != 0
    r = w.call(P + "read_text", {"path": str(secret)})
    # Denied by permissions or Landlock, or not even there (the worker's mount namespace).
    assert r.status == "error" and r.error["type"] in ("PermissionError", "FileNotFoundError")


@pytest.mark.skipif(os.geteuid() != 0, reason="sandbox uids are only used when the grader runs as root")
def test_closing_one_worker_leaves_another_running(tmp_path, open_worker):
    # Two grading runs on one machine (a TA grading in parallel, CI beside a developer):
    # each worker has its own uid, so one's clean-up does not kill the other.
    first = open_worker(make_submission(tmp_path / "a", "def f():\n    return 1\n"))
    second = open_worker(make_submission(tmp_path / "b", "def f():\n    return 2\n"))
    assert student(first, "f").value == 1 and student(second, "f").value == 2
    uids = {w.call(P + "identity_info").value["uid"] for w in (first, second)}
    assert len(uids) == 2 and 0 not in uids
    first.close()
    assert student(second, "f").status == "ok"


def test_without_privilege_drop_runs_as_caller(tmp_path, open_worker):
    w = open_worker(make_submission(tmp_path, "def f():\n    return 42\n"), drop_privileges=False)
    assert w.drop_mode == "none"
    assert student(w, "f").value == 42
    assert w.call(P + "identity_info").value["uid"] == os.getuid()


def test_too_small_memory_limit_is_reported_not_raised(tmp_path, open_worker):
    w = open_worker(make_submission(tmp_path, "x = 1\n"), memory_mb=40)
    w.start()  # the ping needs almost nothing, so it may succeed; real work must not
    r = w.call(P + "allocate_mb", {"megabytes": 1})
    assert r.status in ("memory", "crashed") and "40 MB" in r.detail
    assert r.error is None or r.error["student_frame"] is None  # importlib frames are not the student's
