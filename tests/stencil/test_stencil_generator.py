"""The stencil generator (assign/): marker rules, errors, and the committed stencil being in sync."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assign.editions import EDITIONS, Edition
from assign.generate import GenerationError, build, check, generate, source_files
from assign.markers import MarkerError, _scope_by_scanning, cut

ROOT = Path(__file__).resolve().parents[2]
STENCIL = ROOT / EDITIONS["spring2026"].output


SOURCE = '''"""A module."""
import numpy as np


class Layer:
    """Doc."""

    def forward(self, x):
        y = x + 1
        # BEGIN SOLUTION: return twice y
        z = 2 * y
        return z
        # END SOLUTION

    @property
    def size(self):
        # BEGIN SOLUTION: the size
        return 3
        # END SOLUTION
        # STENCIL: return None  # TODO: which size?


def helper(a):
    # BEGIN SOLUTION
    return a
    # END SOLUTION
'''


def test_block_becomes_todo_and_raise():
    out = cut(SOURCE, filename="src/mod.py", label="beras/mod.py")
    assert ('        y = x + 1\n'
            '        # TODO: return twice y\n'
            '        raise NotImplementedError("Layer.forward in beras/mod.py: return twice y")\n'
            '\n'
            '    @property\n') in out
    assert '    # TODO: implement this\n    raise NotImplementedError("helper in beras/mod.py: implement this")\n' in out
    assert "2 * y" not in out and "SOLUTION" not in out
    compile(out, "mod.py", "exec")


def test_stencil_line_replaces_the_raise():
    out = cut(SOURCE, filename="mod.py")
    assert ('    def size(self):\n'
            '        # TODO: the size\n'
            '        return None  # TODO: which size?\n'
            '\n\ndef helper') in out
    assert "Layer.size" not in out and "STENCIL" not in out


def test_several_stencil_lines_keep_their_indentation():
    src = ("def f(xs):\n    # BEGIN SOLUTION: sum\n    return sum(xs)\n    # END SOLUTION\n"
           "    # STENCIL: total = 0\n    # STENCIL: for x in xs:\n    #     STENCIL: pass\n")
    with pytest.raises(MarkerError, match=r"f\.py:7: malformed marker"):
        cut(src, filename="f.py")
    src = src.replace("    #     STENCIL: pass\n", "        # STENCIL: total += x\n    # STENCIL: return total\n")
    out = cut(src, filename="f.py")
    assert out == ("def f(xs):\n    # TODO: sum\n    total = 0\n    for x in xs:\n        total += x\n"
                   "    return total\n")
    namespace = {}
    exec(compile(out, "f.py", "exec"), namespace)
    assert namespace["f"]([1, 2, 3]) == 6


def _given_lines(source):
    """The source lines outside solution blocks that are not markers, in order."""
    given, inside = [], False
    for line in source.splitlines(keepends=True):
        text = line.strip()
        if text.startswith("# BEGIN SOLUTION"):
            inside = True
        elif text.startswith("# END SOLUTION"):
            inside = False
        elif not inside and not text.startswith("# STENCIL:"):
            given.append(line)
    return given


def _is_subsequence(needles, haystack):
    it = iter(haystack)
    return all(any(n == h for h in it) for n in needles)


@pytest.mark.parametrize("path", [p for p, _ in source_files(EDITIONS["spring2026"]) if p.suffix == ".py"],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_given_code_is_kept_byte_identical(path):
    source = path.read_text(encoding="utf-8")
    out = cut(source, filename=str(path), label=path.name)
    given, produced = _given_lines(source), out.splitlines(keepends=True)
    blocks = source.count("# BEGIN SOLUTION")
    stencil_lines = sum(1 for line in source.splitlines() if line.strip().startswith("# STENCIL:"))
    with_stencil = sum(1 for a, b in zip(source.splitlines(), source.splitlines()[1:])
                       if a.strip() == "# END SOLUTION" and b.strip().startswith("# STENCIL:"))
    assert _is_subsequence(given, produced)
    assert len(produced) == len(given) + 2 * blocks - with_stencil + stencil_lines
    assert "SOLUTION" not in out and "# STENCIL:" not in out
    compile(out, path.name, "exec")


def test_crlf_line_endings_are_kept():
    src = SOURCE.replace("\n", "\r\n")
    out = cut(src, filename="mod.py")
    assert "\n" not in out.replace("\r\n", "")
    assert '        y = x + 1\r\n        # TODO: return twice y\r\n' in out


@pytest.mark.parametrize("source, line, message", [
    ("def f():\n    x = 1\n    # BEGIN SOLUTION: a\n    return x\n", 3, "never closed"),
    ("def f():\n    return 1\n    # END SOLUTION\n", 3, "without a matching"),
    ("def f():\n    # BEGIN SOLUTION: a\n    # BEGIN SOLUTION: b\n    return 1\n    # END SOLUTION\n"
     "    # END SOLUTION\n", 3, "nested"),
    ("def f():\n    # BEGIN SOLUTION: a\n    return 1\n# END SOLUTION\n", 4, "not indented like"),
    ("def f():\n    x = 1\n    # STENCIL: return x\n", 3, "does not directly follow"),
    ("def f():\n    # BEGIN SOLUTION: a\n    return 1\n    # END SOLUTION\n\n    # STENCIL: return 2\n", 6,
     "does not directly follow"),
    ("def f():\n    # BEGIN SOLUTION: a\n    # STENCIL: return 2\n    return 1\n    # END SOLUTION\n", 3,
     "inside a solution block"),
    ("def f():\n    #BEGIN SOLUTION: a\n    return 1\n", 2, "malformed marker"),
    ("def f():\n    return 1  # END SOLUTION\n", 2, "malformed marker"),
    ("def f():\n    # BEGIN SOLUTION: see the SOLUTION\n    return 1\n    # END SOLUTION\n", 2, "SOLUTION"),
    ('X = "SOLUTION"\n', 1, "SOLUTION"),
])
def test_bad_markers_are_rejected_with_file_and_line(source, line, message):
    with pytest.raises(MarkerError, match=message) as info:
        cut(source, filename="pkg/bad.py")
    assert str(info.value).startswith(f"pkg/bad.py:{line}: ")
    assert (info.value.filename, info.value.lineno) == ("pkg/bad.py", line)


def test_enclosing_names():
    src = ("class A:\n    class B:\n        def m(self):\n            if True:\n"
           "                # BEGIN SOLUTION: x\n                pass\n                # END SOLUTION\n"
           "\n\nasync def g():\n    # BEGIN SOLUTION: y\n    pass\n    # END SOLUTION\n"
           "\n\n# BEGIN SOLUTION: module level\nZ = 1\n# END SOLUTION\n")
    out = cut(src, filename="n.py", label="beras/n.py")
    assert 'raise NotImplementedError("A.B.m in beras/n.py: x")' in out
    assert 'raise NotImplementedError("g in beras/n.py: y")' in out
    assert 'raise NotImplementedError("beras/n.py: module level")' in out
    prop = ("class P:\n    @property\n    def v(self):\n        return 1\n\n    @v.setter\n    def v(self, value):\n"
            "        # BEGIN SOLUTION: store it\n        self._v = value\n        # END SOLUTION\n")
    assert 'raise NotImplementedError("P.v (setter) in p.py: store it")' in cut(prop, filename="p.py")
    lines = src.splitlines(keepends=True)
    assert _scope_by_scanning(lines, 4) == "A.B.m"
    assert _scope_by_scanning(lines, 10) == "g"


def _fake_project(tmp_path):
    root = tmp_path / "project"
    (root / "lib" / "__pycache__").mkdir(parents=True)
    (root / "lib" / "__init__.py").write_text("from .mod import *\n")
    (root / "lib" / "mod.py").write_text(SOURCE)
    (root / "lib" / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"junk")
    (root / "lib" / "notes.txt").write_bytes(b"kept \x00 as is\r\n")
    (root / "ref" / "tests").mkdir(parents=True)
    (root / "ref" / "main.py").write_text("def run():\n    # BEGIN SOLUTION: run it\n    return 1\n    # END SOLUTION\n")
    (root / "ref" / "tests" / "test_x.py").write_text("def test_x():\n    assert True\n")
    return root, Edition(name="fake", sources=(("lib", "beras"), ("ref", ".")), output="out/fake")


def test_build_copies_every_file_and_cuts_python(tmp_path):
    root, edition = _fake_project(tmp_path)
    out = build(edition, tmp_path / "built", root)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == ["beras/__init__.py", "beras/mod.py", "beras/notes.txt", "main.py", "tests/test_x.py"]
    assert (out / "beras" / "notes.txt").read_bytes() == b"kept \x00 as is\r\n"
    assert (out / "tests" / "test_x.py").read_text() == "def test_x():\n    assert True\n"
    assert 'raise NotImplementedError("run in main.py: run it")' in (out / "main.py").read_text()
    assert '"Layer.forward in beras/mod.py: return twice y"' in (out / "beras" / "mod.py").read_text()


def test_build_rejects_invalid_python_and_broken_imports(tmp_path):
    root, edition = _fake_project(tmp_path)
    (root / "ref" / "main.py").write_text("def run():\n    # BEGIN SOLUTION: a\n    return 1\n"
                                          "    # END SOLUTION\n    # STENCIL: return (\n")
    with pytest.raises(GenerationError, match="main.py is not valid Python"):
        build(edition, tmp_path / "built1", root)
    root2, edition = _fake_project(tmp_path / "second")
    (root2 / "lib" / "__init__.py").write_text("from .missing import *\n")
    with pytest.raises(GenerationError, match="import beras"):
        build(edition, tmp_path / "built2", root2)


def test_generate_then_check_detects_drift(tmp_path):
    root, edition = _fake_project(tmp_path)
    target = generate(edition, root)
    assert target == root / "out" / "fake"
    assert check(edition, root) == []
    (target / "main.py").write_text("edited by hand\n")
    (target / "stray.py").write_text("")
    (target / "beras" / "mod.py").unlink()
    assert check(edition, root) == ["out/fake/beras/mod.py: missing (should be generated)",
                                    "out/fake/main.py: differs from the generated version",
                                    "out/fake/stray.py: not generated from any source (stale?)"]
    generate(edition, root)
    assert check(edition, root) == []
    assert not [p for p in (root / "out").iterdir() if p.name != "fake"], "staging folder left behind"


def _run(args, cwd=ROOT, **kwargs):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120, **kwargs)


def test_committed_stencil_is_in_sync():
    proc = _run(["-m", "assign", "--check"])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_cli_reports_out_of_sync_files(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(ROOT / "beras", root / "beras", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "reference", root / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    for edition in EDITIONS.values():   # --check covers every edition: each committed stencil comes along
        shutil.copytree(ROOT / edition.output, root / edition.output, ignore=shutil.ignore_patterns("__pycache__"))
    assert _run(["-m", "assign", "--check", "--root", str(root)]).returncode == 0
    with open(root / "beras" / "layers.py", "a") as f:
        f.write("\n# a change in the reference\n")
    proc = _run(["-m", "assign", "--check", "--root", str(root)])
    assert proc.returncode == 1
    assert "submission_template/spring2026/beras/layers.py: differs" in proc.stderr
    assert "run `python -m assign`" in proc.stderr.lower()
    assert _run(["-m", "assign", "--root", str(root)]).returncode == 0
    assert _run(["-m", "assign", "--check", "--root", str(root)]).returncode == 0


def test_marker_errors_exit_2_with_file_and_line(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(ROOT / "beras", root / "beras", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "reference", root / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    text = (root / "beras" / "metrics.py").read_text()
    (root / "beras" / "metrics.py").write_text(text.replace("        # END SOLUTION\n", "", 1))
    proc = _run(["-m", "assign", "--root", str(root)])
    assert proc.returncode == 2
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "BEGIN SOLUTION" in l)
    assert f"beras/metrics.py:{line}: # BEGIN SOLUTION is never closed" in proc.stderr
    assert not (root / "submission_template" / "spring2026").exists()


def test_committed_stencil_has_no_solutions_and_imports():
    for path in STENCIL.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "SOLUTION" not in text and "# STENCIL:" not in text, path
        compile(text, str(path), "exec")
    proc = _run(["-c", "import beras; from beras import Linear, Sequential, Adam; print('ok')"], cwd=STENCIL)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr
    # The stencil's Tensor is the student's first task: it must not work as given.
    proc = _run(["-c", "import numpy as np, beras; t = beras.Tensor(np.ones(3)); "
                       "assert t.shape == (3,) and (t == 1).all()"], cwd=STENCIL)
    assert proc.returncode != 0
