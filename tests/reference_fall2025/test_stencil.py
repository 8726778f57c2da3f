"""The fall2025 stencil: in sync with the reference, no solution, no self-check kit, local tests that work."""
import shutil
import subprocess
import sys

import pytest

from assign.editions import EDITIONS
from assign.generate import GenerationError, build, check
from grader.submission import build_reference_submission
from tests.stencil.folders import ignore, outcomes, run

from .conftest import REFERENCE, ROOT

STENCIL = ROOT / EDITIONS["fall2025"].output
# Run the students' test_runner with matplotlib unimportable: the local tests need NumPy only.
NUMPY_ONLY_RUNNER = ("import runpy, sys; sys.modules['matplotlib'] = None; sys.argv = ['test_runner.py']; "
                     "runpy.run_path('test_runner.py', run_name='__main__')")


def sources_copy(root):
    """A project root with copies of the reference sources (fall2025 also takes files from
    reference/common and beras/: grader.submission.REFERENCE_SOURCES)."""
    for part in ("reference", "beras"):
        shutil.copytree(ROOT / part, root / part, ignore=ignore)
    return root


def test_the_committed_stencil_is_in_sync():
    proc = subprocess.run([sys.executable, "-m", "assign", "--check", "--edition", "fall2025"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_the_stencil_has_no_self_check_kit():
    assert not (STENCIL / "run_autograder").exists()
    assert not (STENCIL / "selfcheck").exists()
    assert (STENCIL / "beras" / "gradient_tape.py").is_file()


def test_a_solution_line_in_a_stencil_line_is_refused(tmp_path):
    root = sources_copy(tmp_path / "root")
    tape = root / "reference" / "fall2025" / "beras" / "gradient_tape.py"
    text = tape.read_text()
    solution_line = "        return [grads.get(id(source)) for source in sources]\n"
    assert solution_line in text
    tape.write_text(text.replace("        # END SOLUTION\n",
                                 "        # END SOLUTION\n        # STENCIL: " + solution_line.strip() + "\n"))
    with pytest.raises(GenerationError, match="solution"):
        build(EDITIONS["fall2025"], tmp_path / "out", root)


def test_the_reference_submission_holds_the_editions_own_library(tmp_path):
    fall = build_reference_submission(tmp_path / "fall", "fall2025")
    spring = build_reference_submission(tmp_path / "spring", "spring2026")
    for name in ("core.py", "layers.py", "gradient_tape.py", "optimizers.py", "model.py"):
        assert (fall / "beras" / name).read_bytes() == (REFERENCE / "beras" / name).read_bytes()
    assert (spring / "beras" / "core.py").read_bytes() == (ROOT / "beras" / "core.py").read_bytes()
    assert not (spring / "beras" / "gradient_tape.py").exists()


@pytest.fixture(scope="module")
def local_runs(tmp_path_factory):
    reference = build_reference_submission(tmp_path_factory.mktemp("reference") / "hw", "fall2025")
    stencil = tmp_path_factory.mktemp("stencil") / "hw"
    shutil.copytree(STENCIL, stencil, ignore=ignore)
    return {name: run(folder, "-c", NUMPY_ONLY_RUNNER, timeout=400)
            for name, folder in (("reference", reference), ("stencil", stencil))}


def test_every_local_test_passes_on_the_reference_with_numpy_only(local_runs):
    proc = local_runs["reference"]
    found = outcomes(proc.stdout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert len(found) >= 40 and all(status == "PASS" for status, _ in found.values()), found
    assert {"test_tape_gradient_softmax_cce_model", "test_dense_weight_gradients",
            "test_adam_two_steps", "test_preprocess_shapes"} <= set(found)


def test_the_untouched_stencil_fails_its_tasks(local_runs):
    proc = local_runs["stencil"]
    found = outcomes(proc.stdout)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert set(found) == set(outcomes(local_runs["reference"].stdout))
    # Only the given tape plumbing works before any task is done.
    assert [name for name, (status, _) in found.items() if status == "PASS"] == [
        "test_tape_installs_itself_and_refuses_nesting"]


def test_check_reports_a_fall2025_reference_change(tmp_path):
    root = sources_copy(tmp_path / "root")
    shutil.copytree(STENCIL, root / EDITIONS["fall2025"].output, ignore=ignore)
    assert check("fall2025", root) == []
    with open(root / "reference" / "fall2025" / "beras" / "layers.py", "a") as f:
        f.write("\n# a change in the reference\n")
    assert check("fall2025", root) == ["submission_template/fall2025/beras/layers.py: differs from the generated version"]
