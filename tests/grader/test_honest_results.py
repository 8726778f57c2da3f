"""Every run ends with an honest, valid result (issue 8): one submission fixture per attack, graded
for real, and the entry point's exit status and pre-written results.json, through the real CLI.

Memory-sized attacks run the whole grader under Gradescope's 768 MB for the process tree
(../shared/tools/gradescope_limits.py, a cgroup; needs root) - with two CPUs rather than half
of one, to keep the suite's time down: the limit under test is memory.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from grader.results.minimal import UNFINISHED
from grader.results.results_file import ResultsFile
from grader.submission import (MAX_SOURCE_BYTES, PROJECT_ROOT, find_root, has_final_marker,
                               renamed_assignment, stage_with_assignment)
from tests.grader.submissions import (RUBRIC, RUBRIC_POINTS, TEST_RUBRIC, assert_complete, by_number, grade_json, losers,
                                      make_submission, summary)
from tests.results.disk import fill, free_bytes, small_disk
from tests.results.schema import validate_results

pytestmark = pytest.mark.timeout(300)

VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
LIMITS_TOOL = PROJECT_ROOT.parent / "shared" / "tools" / "gradescope_limits.py"
LATIN1_NAME = os.fsdecode(b"caf\xe9")     # a folder whose name is latin-1 bytes, as Python sees it
ONEHOT = "2.8"                            # the test that runs OneHotEncoder.inverse, the attacks' target


def inverse_that(body):
    """beras/onehot.py with OneHotEncoder.inverse doing ``body`` first, then its honest work."""
    return {"beras/onehot.py": "\n\ndef _attacked_inverse(self, data, _honest=OneHotEncoder.inverse):\n"
                               + textwrap.indent(textwrap.dedent(body), "    ")
                               + "    return _honest(self, data)\n\n\nOneHotEncoder.inverse = _attacked_inverse\n"}


def strict_load(path):
    """results.json as Gradescope reads it: strict UTF-8, strict JSON, schema-valid."""
    data = json.loads(Path(path).read_bytes().decode("utf-8", errors="strict"))
    validate_results(data)
    return data


def only_the_attacked_test_fails(results, attacked=ONEHOT):
    assert_complete(results)
    assert losers(results) == {attacked}, summary(results)
    assert by_number(results)[attacked]["score"] < RUBRIC_POINTS[attacked]


def run_cli(*args, env=None, timeout=280, limits=False):
    """./run_autograder in a subprocess (optionally under Gradescope's memory limit)."""
    env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}", **(env or {}))
    if "--rubric" not in args and "--help" not in args:
        args = (*args, "--rubric", TEST_RUBRIC)   # the tests' own points, never the production ones
    command = [str(PROJECT_ROOT / "run_autograder"), *map(str, args)]
    if limits:
        if os.geteuid() != 0 or not LIMITS_TOOL.is_file():
            pytest.skip("Gradescope's limits need root and ../shared/tools/gradescope_limits.py")
        command = [sys.executable, str(LIMITS_TOOL), "--cpu", "2", "--mb", "768", "--", *command]
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def limits_report(run):
    """The JSON line gradescope_limits.py prints last: rc, peak_mb, oom_kills."""
    return json.loads(run.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ text that cannot be encoded

def test_a_lone_surrogate_in_an_exception_message(tmp_path):
    root = make_submission(tmp_path, overrides=inverse_that('raise ValueError("bad label \\ud800")\n'))
    results = grade_json(root)
    only_the_attacked_test_fails(results)
    written = strict_load(ResultsFile(tmp_path / "out" / "results.json").commit(results))
    assert "ValueError: bad label \\ud800" in by_number(written)[ONEHOT]["output"]


def test_a_submission_folder_named_in_latin1(tmp_path):
    upload = tmp_path / "upload"
    make_submission(upload, name=LATIN1_NAME)
    run = run_cli("--submission-dir", upload, "--results", tmp_path / "results.json")
    assert run.returncode == 0, run.stderr[-3000:]
    results = strict_load(tmp_path / "results.json")
    assert_complete(results)
    assert losers(results) == set(), summary(results)
    assert results["extra_data"]["submission_root"] == "caf\\xe9"


# ------------------------------------------------------------------ untrusted files

def test_a_py_symlink_to_dev_zero(tmp_path):
    root = make_submission(tmp_path)
    os.symlink("/dev/zero", root / "beras" / "zeros.py")
    results = grade_json(root)
    assert_complete(results)
    assert losers(results) == set(), summary(results)


def test_a_fifo_and_a_link_leading_out_of_the_submission(tmp_path):
    root = make_submission(tmp_path)
    os.mkfifo(root / "beras" / "pipe.py")
    os.symlink("/etc", root / "configs")
    results = grade_json(root)
    assert_complete(results)
    assert losers(results) == set(), summary(results)


def test_a_deeply_nested_helper_file_nothing_imports(tmp_path):
    root = make_submission(tmp_path, extra_files={"scratch/generated.py": "x = a" + ".b" * 100_000 + "\n"})
    results = grade_json(root)
    assert_complete(results)
    assert losers(results) == set(), summary(results)


def test_saved_weights_in_a_10mb_py_file_under_gradescopes_memory(tmp_path):
    weights = "WEIGHTS = [" + ", ".join(["0.0123456789"] * 800_000) + "]\n"     # 10.4 MB
    root = make_submission(tmp_path, extra_files={"beras/weights.py": weights})
    run = run_cli("--submission-dir", root, "--results", tmp_path / "results.json", limits=True)
    report = limits_report(run)
    assert report["rc"] == 0 and report["oom_kills"] == 0, (report, run.stderr[-3000:])
    results = strict_load(tmp_path / "results.json")
    assert_complete(results)
    assert losers(results) == set(), summary(results)


# ------------------------------------------------------------------ hostile frames on the reply pipe

FORGED_FRAME = """
import os, stat, struct, fcntl
payload = {payload}
for fd in range(700, 1024):
    # The worker's reply pipe: the first write-only pipe it keeps at 700 and above (worker.py).
    try:
        is_pipe = stat.S_ISFIFO(os.fstat(fd).st_mode)
    except OSError:
        continue
    if is_pipe and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
        os.write(fd, struct.pack(">Q", len(payload)) + payload)
        break
"""
NESTED_40MB = 'b"[" + b"[]," * (40 * 1024 * 1024 // 3) + b"[]]"'       # refused from its header
NESTED_15MB = 'b"[" + b"[]," * (15 * 1024 * 1024 // 3) + b"[]]"'       # below the size cap: refused by structure


@pytest.mark.parametrize("payload, refusal", [(NESTED_40MB, "announces"), (NESTED_15MB, "lists/dicts")])
def test_a_hostile_reply_frame_costs_only_its_test(tmp_path, payload, refusal):
    root = make_submission(tmp_path, overrides=inverse_that(FORGED_FRAME.format(payload=payload)))
    run = run_cli("--submission-dir", root, "--results", tmp_path / "results.json", limits=True)
    report = limits_report(run)
    assert report["rc"] == 0 and report["oom_kills"] == 0, (report, run.stderr[-3000:])
    results = strict_load(tmp_path / "results.json")
    only_the_attacked_test_fails(results)
    assert refusal in by_number(results)[ONEHOT]["output"], by_number(results)[ONEHOT]["output"]


# ------------------------------------------------------------------ the entry point

def test_help_documents_the_exit_codes():
    run = run_cli("--help", timeout=60)
    assert run.returncode == 0
    for line in ("0  the submission was graded", "3  grader fault", "4  the rubric is invalid",
                 "5  graded, but results.json could not be written"):
        assert line in run.stdout, run.stdout


def test_a_zero_score_is_still_a_graded_submission(tmp_path):
    (tmp_path / "empty").mkdir()
    run = run_cli("--submission-dir", tmp_path / "empty", "--results", tmp_path / "results.json")
    assert run.returncode == 0, run.stderr[-2000:]
    results = strict_load(tmp_path / "results.json")
    assert_complete(results)
    assert results["score"] == 0 and "No beras/ folder" in results["output"]


@pytest.mark.parametrize("mode", ["gradescope", "local"])
def test_missing_mnist_is_a_grader_fault(tmp_path, mode):
    root = make_submission(tmp_path / "s")
    (tmp_path / "no-mnist").mkdir()
    env = {"BERAS_MNIST_DIR": str(tmp_path / "no-mnist")}
    if mode == "gradescope":
        run = run_cli("--submission-dir", root, "--results", tmp_path / "results.json", env=env)
    else:
        run = run_cli(root, "--json", tmp_path / "results.json", "--quiet", env=env)
    assert run.returncode == 3, (run.returncode, run.stderr[-2000:])
    fault_lines = [line for line in run.stderr.splitlines() if line.startswith("run_autograder: grader fault")]
    assert len(fault_lines) == 1 and "train-images-idx3-ubyte.gz" in fault_lines[0], run.stderr[-2000:]
    results = strict_load(tmp_path / "results.json")
    assert_complete(results)
    assert results["score"] == 0
    assert "The grader failed" in results["output"] and "not your fault" in results["output"]
    assert "grader_fault" in results["extra_data"]


def test_a_failure_of_the_results_library_is_a_grader_fault(tmp_path, monkeypatch, capsys):
    """gradescope-utils builds results.json; if it breaks, the run says the grader failed (exit 3,
    every test at 0 of its max score), never a score it did not give. In process, to break it."""
    from gradescope_utils.autograder_utils.json_test_runner import JSONTestRunner

    from grader import cli

    def broken(self, suite):
        raise RuntimeError("the results library broke")
    monkeypatch.setattr(JSONTestRunner, "run", broken)
    (tmp_path / "upload").mkdir()                        # nothing to grade: the results are built at once
    code = cli.main(["--submission-dir", str(tmp_path / "upload"), "--results", str(tmp_path / "results.json"),
                     "--quiet", "--rubric", str(TEST_RUBRIC)])
    assert code == cli.EXIT_GRADER_FAULT == 3
    fault_lines = [line for line in capsys.readouterr().err.splitlines()
                   if line.startswith("run_autograder: grader fault")]
    assert len(fault_lines) == 1 and "the results library broke" in fault_lines[0]
    results = strict_load(tmp_path / "results.json")
    assert_complete(results)
    assert results["score"] == 0 and "The grader failed" in results["output"]
    assert "the results library broke" in results["extra_data"]["grader_fault"]


def test_an_invalid_rubric_is_refused_with_the_validators_message(tmp_path):
    text = (PROJECT_ROOT / "grader" / "rubric" / "spring2026.toml").read_text()
    bad = tmp_path / "rubric.toml"
    bad.write_text(text.replace('visibility = "visible"', 'visibility = "visble"', 2))
    validator = subprocess.run([str(VENV_BIN / "python"), "-m", "grader.rubric", str(bad)], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, timeout=60)
    assert validator.returncode == 1
    message = validator.stderr.strip().removeprefix("rubric error: ")
    run = run_cli("--submission-dir", tmp_path, "--results", tmp_path / "results.json", "--rubric", bad)
    assert run.returncode == 4, run.stderr[-2000:]
    assert message in run.stderr
    results = strict_load(tmp_path / "results.json")
    assert results["score"] == 0 and results["tests"] == []
    assert "rubric is invalid" in results["output"] and message in results["output"]


def test_results_are_prewritten_and_stand_when_the_run_is_killed(tmp_path, request):
    # a submission slow to import, so that the run is surely still going when it is killed
    root = make_submission(tmp_path / "s", overrides={"beras/metrics.py": "import time as _t\n_t.sleep(30)\n"})
    results_path = tmp_path / "out" / "results.json"
    # The killed run cannot clean up its temporary folders: give it its own (workers must reach it).
    scratch = Path(tempfile.mkdtemp(prefix="beras-killed-run-"))
    scratch.chmod(0o711)
    request.addfinalizer(lambda: shutil.rmtree(scratch, ignore_errors=True))
    env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}", TMPDIR=str(scratch))
    run = subprocess.Popen([str(PROJECT_ROOT / "run_autograder"), "--submission-dir", str(root),
                            "--results", str(results_path), "--rubric", str(TEST_RUBRIC)], cwd=PROJECT_ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not results_path.exists() and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.05)
        time.sleep(1.0)                                      # grading is under way
        assert run.poll() is None, "the run ended before it could be killed"
        os.killpg(run.pid, signal.SIGKILL)                   # as Gradescope does at its time limit
        run.wait(timeout=30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    results = strict_load(results_path)
    assert_complete(results)
    assert results["score"] == 0 and results["output"] == UNFINISHED
    assert [(t["number"], t["max_score"]) for t in results["tests"]] == [(t.number, t.points) for t in RUBRIC]


def test_a_disk_filled_during_grading_does_not_cost_the_results(tmp_path):
    """The disk holding results.json fills up while grading runs (a student's process, a log...):
    the final results still replace the pre-written ones, thanks to the reserved blocks."""
    root = make_submission(tmp_path / "s")
    with small_disk(16) as disk:
        results_path = disk / "results" / "results.json"
        env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}")
        run = subprocess.Popen([str(PROJECT_ROOT / "run_autograder"), "--submission-dir", str(root),
                                "--results", str(results_path), "--rubric", str(TEST_RUBRIC)],
                               cwd=PROJECT_ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not results_path.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        fill(disk)
        assert free_bytes(disk) < 4096
        stdout, stderr = run.communicate(timeout=280)
        assert run.returncode == 0, stderr[-3000:]
        results = strict_load(results_path)
    assert_complete(results)
    assert losers(results) == set(), summary(results)
    assert results["output"] != UNFINISHED


def test_run_autograder_writes_results_when_python_cannot_start_the_grader(tmp_path):
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    (lonely / "run_autograder").write_bytes((PROJECT_ROOT / "run_autograder").read_bytes())
    (lonely / "run_autograder").chmod(0o755)
    results_path = tmp_path / "results" / "results.json"
    run = subprocess.run([str(lonely / "run_autograder"), "--submission-dir", str(tmp_path),
                          "--results", str(results_path)], cwd=lonely, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert run.returncode != 0
    results = strict_load(results_path)
    assert results["score"] == 0 and "could not run" in results["output"]


# ------------------------------------------------------------------ submission.py never follows links

def test_find_root_and_final_marker_do_not_follow_links(tmp_path):
    real = make_submission(tmp_path, name="real")
    upload = tmp_path / "upload"
    upload.mkdir()
    os.symlink(real / "beras", upload / "beras")             # a linked beras/ does not count
    os.symlink(real, upload / "linked_code")                  # nor a linked folder holding one
    assert find_root(upload) is None
    (real / "notes.txt").write_text("")
    os.symlink(real / "notes.txt", upload / "FINAL.txt")
    assert not has_final_marker(upload, "final.txt")
    (real / "Final.TXT").write_text("")
    assert has_final_marker(real, "final.txt") and find_root(tmp_path / "real") == real


def test_a_symlinked_renamed_assignment_is_never_followed(tmp_path):
    elsewhere = make_submission(tmp_path, name="elsewhere")
    root = make_submission(tmp_path, remove=["assignment.py"])
    os.symlink(elsewhere / "assignment.py", root / "model_def.py")
    assert renamed_assignment(root) is None
    results = grade_json(root)
    assert_complete(results)
    assert "used as assignment.py" not in results["output"]


def test_a_renamed_assignment_beside_hostile_files_is_staged_from_what_was_read(tmp_path):
    root = make_submission(tmp_path, remove=["assignment.py"])
    original = (PROJECT_ROOT / "reference" / "spring2026" / "assignment.py").read_bytes()
    (root / "hw2_model.py").write_bytes(original)
    (root / "big.py").write_text("def get_model():\n    pass\nW = [" + "0, " * MAX_SOURCE_BYTES + "]\n")
    (root / "deep.py").write_text("def get_model():\n    pass\nx = a" + ".b" * 100_000 + "\n")
    os.symlink("/dev/zero", root / "zero.py")
    os.mkfifo(root / "pipe.py")
    os.mkfifo(root / "beras" / "fifo")
    renamed = renamed_assignment(root)
    assert renamed == root / "hw2_model.py"
    staged = stage_with_assignment(root, renamed, tmp_path / "staging")
    assert (staged / "assignment.py").read_bytes() == original
    assert os.readlink(staged / "zero.py") == "/dev/zero"     # copied as a link, never read
    assert not (staged / "pipe.py").exists() and not (staged / "beras" / "fifo").exists()


# ------------------------------------------------------------------ the zip builder

def _project_copy(folder):
    """The files the zip builder packs, in a git repository of their own (the shared tree is left alone)."""
    folder.mkdir()
    for name in ("setup.sh", "run_autograder", "requirements.txt", "tools/make_gradescope_zip.sh"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, folder / name)
    for name in ("grader", "beras", "reference"):
        shutil.copytree(PROJECT_ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    subprocess.run(["git", "add", "-A"], cwd=folder, check=True)
    return folder


def _build_zip(project, out):
    env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}",
               BERAS_MNIST_DIR=str(PROJECT_ROOT.parent / "shared" / "data" / "mnist"))
    return subprocess.run(["bash", str(project / "tools" / "make_gradescope_zip.sh"), str(out)], cwd=project,
                          env=env, capture_output=True, text=True, timeout=120)


def test_the_zip_builder_refuses_an_invalid_rubric(tmp_path):
    import zipfile
    project = _project_copy(tmp_path / "project")
    rubric = project / "grader" / "rubric" / "spring2026.toml"
    good = rubric.read_text()
    rubric.write_text(good.replace('visibility = "visible"', 'visibility = "visble"', 3))
    validator = subprocess.run([str(VENV_BIN / "python"), "-m", "grader.rubric", "grader/rubric/spring2026.toml"],
                               cwd=project,
                               capture_output=True, text=True, timeout=60)
    assert validator.returncode == 1
    refused = _build_zip(project, tmp_path / "bad.zip")
    assert refused.returncode != 0 and not (tmp_path / "bad.zip").exists()
    assert "refusing to build" in refused.stderr and validator.stderr.strip() in refused.stderr, refused.stderr

    rubric.write_text(good)
    built = _build_zip(project, tmp_path / "good.zip")
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(tmp_path / "good.zip") as z:
        names = set(z.namelist())
        assert {"setup.sh", "run_autograder", "grader/rubric/spring2026.toml"} <= names
        assert z.read("grader/rubric/spring2026.toml").decode() == good


def test_a_submission_too_large_to_stage_is_told_so_not_a_grader_fault(tmp_path):
    # a student who uploads a 300 MB dataset beside the code (a sparse file: no disk used)
    root = make_submission(tmp_path)
    with open(root / "mnist_copy.npy", "wb") as f:
        f.truncate(300 * 1024 * 1024)
    results = grade_json(root)
    assert_complete(results)
    assert "could not be prepared for grading" in results["output"] and "larger than" in results["output"]
    assert "grader_fault" not in (results.get("extra_data") or {})
