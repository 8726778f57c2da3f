"""python -m assign --edition E --reference-submission DIR: the reference as a student hands it in.

The folder holds the stencil's own files (same paths, given code byte for byte, the TODO
comments kept) with the solution where the stencil raises, plus what the edition's
students add: spring2026's FINAL.txt, fall2025's predictions.npy from actually training
the reference. The local tests pass on it; the predictions score on real MNIST labels.
"""
import subprocess
import sys

import numpy as np
import pytest

from assign.editions import EDITIONS
from assign.generate import GenerationError
from assign.markers import MarkerError, fill
from assign.selfcheck import ENTRY_POINT, KIT_DIR
from grader.data import mnist
from grader.editions import EDITIONS as GRADED_EDITIONS
from grader.submission import ReferenceLayoutError, build_reference_submission, reference_files, reference_sources
from tests.stencil.folders import ROOT, outcomes, run


def assign(*args, timeout=900):
    return subprocess.run([sys.executable, "-m", "assign", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def stencil_files(edition):
    """The committed stencil's files, without the self-check kit (the grader's, not the student's)."""
    stencil = ROOT / EDITIONS[edition].output
    return {p.relative_to(stencil).as_posix(): p for p in stencil.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
            and p.relative_to(stencil).parts[0] not in (KIT_DIR, ENTRY_POINT)}


def todo_lines(text):
    return [line.strip() for line in text.splitlines() if line.strip().startswith("# TODO:")]


@pytest.fixture(scope="module")
def spring(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spring") / "submission"
    proc = assign("--edition", "spring2026", "--reference-submission", str(folder))
    assert proc.returncode == 0, proc.stderr
    return folder, proc


def test_spring_is_the_stencil_filled_in_plus_final_txt(spring):
    folder, proc = spring
    assert f"wrote the reference submission to {folder}" in proc.stdout
    files = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
    stencil = stencil_files("spring2026")
    assert set(files) == set(stencil) | {"FINAL.txt"}
    assert files["FINAL.txt"].read_bytes() == b""
    filled = 0
    for rel, path in stencil.items():
        given, ours = path.read_text(encoding="utf-8"), files[rel].read_text(encoding="utf-8")
        if "raise NotImplementedError" not in given:
            assert ours == given, rel                         # given code, byte for byte
            continue
        filled += 1
        assert "NotImplementedError" not in ours and "SOLUTION" not in ours, rel
        assert todo_lines(ours) == todo_lines(given), rel     # the stencil's TODO comments, in place
        compile(ours, rel, "exec")
    assert filled >= 8                                        # core, layers, ..., assignment, preprocess


def test_spring_local_tests_pass_on_it(spring):
    folder, _ = spring
    proc = run(folder, "test_runner.py", timeout=600)
    found = outcomes(proc.stdout)
    assert proc.returncode == 0 and len(found) >= 30, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_fall_trains_and_hands_in_predictions(tmp_path):
    folder = tmp_path / "submission"
    proc = assign("--edition", "fall2025", "--reference-submission", str(folder), "--epochs", "1")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "training took" in proc.stdout
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert files == set(stencil_files("fall2025")) | {"predictions.npy"}   # no picture, no caches
    predictions = np.load(folder / "predictions.npy")
    assert predictions.shape == (10000, 10)
    accuracy = float(np.mean(predictions.argmax(axis=1) == mnist.load("test_labels")))
    assert accuracy > 0.92, accuracy
    assert "raise NotImplementedError" not in (folder / "beras" / "gradient_tape.py").read_text()


def test_refusals(tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "mine.py").write_text("")
    proc = assign("--edition", "spring2026", "--reference-submission", str(full))
    assert proc.returncode == 2 and "not empty" in proc.stderr
    proc = assign("--edition", "spring2026", "--reference-submission", str(tmp_path / "new"), "--epochs", "1")
    assert proc.returncode == 2 and "no predictions" in proc.stderr
    assert not (tmp_path / "new").exists()
    for args in (["--reference-submission", str(tmp_path / "a")],
                 ["--edition", "fall2025", "--edition", "spring2026", "--reference-submission", str(tmp_path / "b")],
                 ["--epochs", "2"]):
        assert assign(*args).returncode == 2, args


def test_fill_keeps_the_todo_and_the_solution_and_drops_the_markers():
    source = ("def f(x):\n"
              "    # BEGIN SOLUTION: double it\n"
              "    return 2 * x\n"
              "    # END SOLUTION\n"
              "    # STENCIL: return None\n"
              "    # STENCIL: # and more\n"
              "\n"
              "y = 1\n")
    assert fill(source) == ("def f(x):\n"
                            "    # TODO: double it\n"
                            "    return 2 * x\n"
                            "\n"
                            "y = 1\n")
    with pytest.raises(MarkerError):
        fill("# BEGIN SOLUTION: never closed\nx = 1\n")


# ------------------------------------------------------------------ the one table of reference sources

def test_assign_and_the_grader_read_one_table():
    for name, edition in EDITIONS.items():
        assert edition.sources == reference_sources(name)
    assert set(EDITIONS) == set(GRADED_EDITIONS)


def test_build_reference_submission_copies_every_source_file(tmp_path):
    for edition in GRADED_EDITIONS:
        folder = build_reference_submission(tmp_path / edition, edition)
        expected = reference_files(reference_sources(edition))
        got = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        assert got == sorted(key for _, key in expected)
        for path, key in expected:
            assert (folder / key).read_bytes() == path.read_bytes(), key
    assert (tmp_path / "fall2025" / "beras" / "gradient_tape.py").is_file()
    assert not (tmp_path / "spring2026" / "beras" / "gradient_tape.py").exists()


def test_reference_files_takes_single_files_and_refuses_overlaps(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "a.py").write_text("a")
    (tmp_path / "lib" / "data" / "mnist").mkdir(parents=True)
    (tmp_path / "lib" / "data" / "mnist" / "x.gz").write_text("downloaded")
    (tmp_path / "one.py").write_text("one")
    files = reference_files((("lib", "."), ("one.py", "pkg/one.py")), tmp_path)
    assert [key for _, key in files] == ["a.py", "pkg/one.py"]          # data/mnist is local only
    with pytest.raises(ReferenceLayoutError, match="comes from both"):
        reference_files((("lib", "."), ("one.py", "a.py")), tmp_path)
    with pytest.raises(ReferenceLayoutError, match="does not exist"):
        reference_files((("missing", "."),), tmp_path)
    with pytest.raises(GenerationError):
        from assign.editions import Edition
        from assign.generate import source_files
        source_files(Edition("x", (("missing", "."),), "out"), tmp_path)
