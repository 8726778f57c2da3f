"""The entry points as Gradescope and people run them: ./run_autograder and python -m grader."""
import json
import os
import subprocess

import pytest

from grader.cli_table import format_table
from grader.results import Outcome, build_results
from grader.rubric import parse_rubric
from grader.submission import PROJECT_ROOT
from tests.grader.submissions import (RUBRIC_POINTS, TEST_RUBRIC, assert_complete, by_number, losers,
                                      make_submission, summary)

VENV_BIN = PROJECT_ROOT / ".venv" / "bin"


def _run(*args, timeout=300):
    env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}", VIRTUAL_ENV=str(VENV_BIN.parent))
    args = (*args, "--rubric", TEST_RUBRIC)  # the tests' own points, never the production ones
    return subprocess.run([str(PROJECT_ROOT / "run_autograder"), *map(str, args)], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def submission(tmp_path_factory):
    # One real bug so that the table and the JSON carry a failing test too.
    return make_submission(tmp_path_factory.mktemp("gs"), patches=[
        ("beras/optimizers.py", "(np.sqrt(v) + self.epsilon)", "np.sqrt(v + self.epsilon)")])


@pytest.mark.timeout(300)
def test_gradescope_mode_writes_a_valid_results_file(tmp_path, submission):
    results_path = tmp_path / "out" / "results.json"
    results_path.parent.mkdir()
    run = _run("--submission-dir", submission, "--results", results_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert results_path.is_file()
    results = json.loads(results_path.read_text(encoding="utf-8"))
    assert_complete(results)
    assert isinstance(results["execution_time"], (int, float)) and not isinstance(results["execution_time"], bool)
    for t in results["tests"]:
        assert "max_score" in t
    assert losers(results) == {"2.9"}, summary(results)
    # Partial credit: the two RMSProp cases of five fail, the BasicOptimizer and Adam ones pass.
    assert by_number(results)["2.9"]["score"] == pytest.approx(RUBRIC_POINTS["2.9"] * 3 / 5)
    assert results["score"] == pytest.approx(
        sum(p for n, p in RUBRIC_POINTS.items() if n not in ("5.1", "2.9")) + RUBRIC_POINTS["2.9"] * 3 / 5)


@pytest.mark.timeout(300)
def test_gradescope_mode_with_a_missing_submission_dir_still_writes_results(tmp_path):
    results_path = tmp_path / "results.json"
    run = _run("--submission-dir", tmp_path / "does-not-exist", "--results", results_path)
    assert results_path.is_file(), (run.returncode, run.stderr[-2000:])
    results = json.loads(results_path.read_text(encoding="utf-8"))
    assert_complete(results)
    assert results["score"] == 0


@pytest.mark.timeout(300)
def test_local_mode_prints_a_table_with_the_total(tmp_path, submission):
    json_path = tmp_path / "local.json"
    run = _run(submission, "--json", json_path)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [line for line in run.stdout.strip().splitlines() if line.strip()]
    results = json.loads(json_path.read_text(encoding="utf-8"))
    assert_complete(results)
    total_lines = [line for line in lines if line.strip().startswith("Total:")]
    assert total_lines, run.stdout[-2000:]
    total = total_lines[-1].strip()
    earned = results["score"]
    possible = sum(RUBRIC_POINTS.values())
    assert total.startswith(f"Total: {earned:g} / {possible:g}"), total
    # The table names the failing test and its number.
    assert "2.9" in run.stdout and "RMSProp" in run.stdout
    assert lines[-1].startswith("results.json written to") or lines[-1].strip().startswith("Total:")
    # Which protections were in force is said, in the table and for staff in extra_data.
    sandbox = results["extra_data"]["sandbox"]
    assert f"Sandbox: {sandbox['summary']}" in run.stdout
    assert "filesystem:" in sandbox["summary"] and "network:" in sandbox["summary"]


def test_local_mode_rejects_a_path_that_is_not_a_folder(tmp_path):
    run = _run(tmp_path / "nope")
    assert run.returncode == 2 and "not a folder" in run.stderr


def test_help_mentions_both_modes():
    run = _run("--help", timeout=60)
    assert run.returncode == 0, run.stderr
    text = run.stdout
    assert "/autograder/submission" in text and "/autograder/results/results.json" in text
    assert "--submission-dir" in text and "--results" in text and "--json" in text
    assert "local" in text.lower() and "gradescope" in text.lower()


def test_python_dash_m_grader_local_mode(tmp_path, submission):
    env = dict(os.environ)
    run = subprocess.run([str(VENV_BIN / "python"), "-m", "grader", str(submission), "--quiet"], cwd=PROJECT_ROOT,
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Total:" in run.stdout and run.stderr.strip() == ""


def test_the_local_table_shows_scores_messages_total_and_the_sandbox():
    rubric = parse_rubric({"tests": {
        "a": {"name": "Alpha", "number": "1.1", "points": 4, "visibility": "visible"},
        "b": {"name": "Beta", "number": "1.2", "points": 6, "visibility": "after_due_date"},
        "c": {"name": "Gamma, informational", "number": "1.3", "points": 0, "visibility": "visible"}}})
    results = build_results(rubric, [Outcome("a", 1, "ok"), Outcome("b", 0.5, "line one\nline two\nline three"),
                                     Outcome("c", 0, "a finding")], execution_time=0,
                            extra_data={"sandbox": {"summary": "filesystem: landlock, network: none",
                                                    "missing": ["seccomp"]}})
    lines = format_table(results).splitlines()
    rows = {line.split()[0]: line for line in lines if line[:5].strip() in ("1.1", "1.2", "1.3")}
    assert "4 / 4" in rows["1.1"] and rows["1.1"].rstrip().endswith("passed")
    assert "3 / 6" in rows["1.2"] and rows["1.2"].rstrip().endswith("failed [after_due_date]")
    assert "0 / 0" in rows["1.3"] and rows["1.3"].rstrip().endswith("failed (info)")
    text = "\n".join(lines)
    assert "line two" in text and "line three" not in text and "1 more line(s)" in text
    assert lines[-3:] == ["Total: 7 / 10", "Sandbox: filesystem: landlock, network: none",
                          "  not in force: seccomp"]


@pytest.mark.timeout(400)
def test_a_zip_built_for_fall2025_grades_fall2025_without_arguments(tmp_path):
    """Gradescope passes no arguments: the zip remembers the edition it was built for."""
    import zipfile
    from grader.submission import build_reference_submission
    env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}",
               BERAS_MNIST_DIR=str(PROJECT_ROOT.parent / "shared" / "data" / "mnist"))
    out = tmp_path / "fall.zip"
    built = subprocess.run(["bash", str(PROJECT_ROOT / "tools" / "make_gradescope_zip.sh"), "--edition", "fall2025",
                            str(out)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    source = tmp_path / "source"
    with zipfile.ZipFile(out) as z:
        z.extractall(source)
    assert (source / "EDITION").read_text().strip() == "fall2025"
    submission = build_reference_submission(tmp_path / "submission", "fall2025")
    results_path = tmp_path / "results.json"
    run = subprocess.run([str(VENV_BIN / "python"), "-m", "grader", "--submission-dir", str(submission),
                          "--results", str(results_path), "--quiet"], cwd=source,
                         env=dict(env, BERAS_MNIST_DIR=str(source / "data" / "mnist")),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(results_path.read_text())
    names = {t["name"] for t in results["tests"]}
    assert any("GradientTape" in n for n in names), names
    tape = next(t for t in results["tests"] if "GradientTape" in t["name"])
    assert tape["score"] == tape["max_score"], tape["output"]


@pytest.mark.timeout(300)
def test_relative_paths_are_the_callers(tmp_path, submission):
    """A TA in their own folder passes relative paths; a grader/ folder there shadows nothing."""
    import shutil
    shutil.copytree(submission, tmp_path / "mine")
    (tmp_path / "grader").mkdir()
    (tmp_path / "grader" / "__init__.py").write_text("raise SystemExit('the wrong grader was imported')\n")
    env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}")
    run = subprocess.run([str(PROJECT_ROOT / "run_autograder"), "mine", "--json", "out.json", "--quiet",
                          "--rubric", str(TEST_RUBRIC)], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert_complete(json.loads((tmp_path / "out.json").read_text()))
