"""The students' local tests (reference/spring2026/tests + test_runner.py, shipped in the stencil).

They must all pass on the reference solution, and on the untouched stencil
run to the end reporting every test as failing with a readable message.
They run as a student runs them: Python and NumPy only, no PYTHONPATH; MNIST
comes through the folder's own tensorflow/ stand-in from the local files
(BERAS_MNIST_DIR), never from the network.
"""
import os
import re
import shutil

import pytest

from tests.stencil.folders import SUMMARY, ignore, outcomes, reference_folder, run, stencil_folder

CATEGORIES = ("beras", "data", "gradient", "assignment")

# Tests that pass on the untouched stencil because they only exercise given
# code. None today: keep this list exact.
PASS_ON_STENCIL = []


@pytest.fixture(scope="module")
def reference_submission(tmp_path_factory):
    return reference_folder(tmp_path_factory.mktemp("reference_submission"))


@pytest.fixture(scope="module")
def stencil_submission(tmp_path_factory):
    return stencil_folder(tmp_path_factory.mktemp("stencil_submission"))


@pytest.fixture(scope="module")
def all_tests(reference_submission):
    """{category: [test names]} from each file's --list."""
    names = {}
    for category in CATEGORIES:
        proc = run(reference_submission, f"tests/test_{category}.py", "--list")
        assert proc.returncode == 0, proc.stderr
        names[category] = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
        assert names[category] and all(n.startswith("test_") for n in names[category])
    flat = [n for ns in names.values() for n in ns]
    assert len(flat) == len(set(flat)), "test names must be unique across files (--test NAME)"
    return names


@pytest.fixture(scope="module")
def reference_run(reference_submission):
    return run(reference_submission, "test_runner.py")


@pytest.fixture(scope="module")
def stencil_run(stencil_submission):
    return run(stencil_submission, "test_runner.py")


def test_every_test_passes_on_the_reference(reference_run, all_tests):
    out = reference_run.stdout
    assert reference_run.returncode == 0, out + reference_run.stderr
    assert "0 failed" in out
    results = outcomes(out)
    expected = {n for ns in all_tests.values() for n in ns}
    assert set(results) == expected
    assert {status for status, _ in results.values()} == {"PASS"}
    assert SUMMARY.search(out).groups() == (str(len(expected)), "0")
    for category in CATEGORIES:
        assert f"== {category} (tests/test_{category}.py) ==" in out


def test_untouched_stencil_fails_every_test_readably(stencil_run, all_tests):
    out = stencil_run.stdout
    assert stencil_run.returncode == 1, out + stencil_run.stderr
    assert "Traceback" not in stencil_run.stderr, stencil_run.stderr
    results = outcomes(out)
    expected = {n for ns in all_tests.values() for n in ns}
    assert set(results) == expected, "every test must be reported"
    passing = sorted(n for n, (status, _) in results.items() if status == "PASS")
    assert passing == sorted(PASS_ON_STENCIL)
    for name, (status, message) in results.items():
        if status != "PASS":
            assert message.strip(), f"{name} failed without a message"
    todo = [n for n, (_, message) in results.items() if message.startswith("not implemented yet: ")]
    assert len(todo) >= len(expected) * 3 // 4, "most stencil failures should say what is not implemented"
    assert all(re.search(r"in (beras/\w+|preprocess|assignment)\.py: ", results[n][1]) for n in todo)
    passed, failed = SUMMARY.search(out).groups()
    assert (int(passed), int(failed)) == (len(PASS_ON_STENCIL), len(expected) - len(PASS_ON_STENCIL))


@pytest.mark.parametrize("category", CATEGORIES)
def test_per_file_command_lines(stencil_submission, reference_submission, all_tests, category):
    script = f"tests/test_{category}.py"
    listed = run(stencil_submission, script, "--list")
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == all_tests[category]
    name = all_tests[category][0]
    for folder, code, status in ((reference_submission, 0, "PASS"), (stencil_submission, 1, None)):
        one = run(folder, script, f"--test={name}")
        assert one.returncode == code, one.stdout + one.stderr
        assert list(outcomes(one.stdout)) == [name]
        if status:
            assert outcomes(one.stdout)[name][0] == status
        short = run(folder, script, "--test", name.removeprefix("test_"), "--verbose")
        assert list(outcomes(short.stdout)) == [name]
    whole = run(stencil_submission, script, "--all")
    assert whole.returncode == 1
    assert list(outcomes(whole.stdout)) == all_tests[category]
    assert SUMMARY.search(whole.stdout)
    unknown = run(stencil_submission, script, "--test=no_such_test")
    assert unknown.returncode == 2 and "unknown test" in unknown.stderr


def test_runner_options(reference_submission, stencil_submission, all_tests):
    listed = run(stencil_submission, "test_runner.py", "--list")
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines() if line.startswith("  ")] == \
        [n for ns in all_tests.values() for n in ns]
    beras_only = run(reference_submission, "test_runner.py", "--category", "beras")
    assert beras_only.returncode == 0 and set(outcomes(beras_only.stdout)) == set(all_tests["beras"])
    picked = run(reference_submission, "test_runner.py", "--test", all_tests["gradient"][0],
                 "--test", all_tests["assignment"][0])
    assert picked.returncode == 0
    assert list(outcomes(picked.stdout)) == [all_tests["gradient"][0], all_tests["assignment"][0]]
    verbose = run(stencil_submission, "test_runner.py", "--category", "gradient", "--verbose")
    assert verbose.returncode == 1 and "Traceback (most recent call last)" in verbose.stdout
    assert "NotImplementedError" in verbose.stdout


def test_broken_submission_still_reports_every_test(stencil_submission, all_tests, tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(stencil_submission, folder, ignore=ignore)
    (folder / "assignment.py").write_text("def get_model(:\n")
    (folder / "beras" / "layers.py").write_text("import does_not_exist\n")
    proc = run(folder, "test_runner.py")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    results = outcomes(proc.stdout)
    assert set(results) == {n for ns in all_tests.values() for n in ns}
    assert all(status != "PASS" for status, _ in results.values())
    assert any("could not import your code: SyntaxError" in m for _, m in results.values())
    assert any("could not import your code: ModuleNotFoundError: No module named 'does_not_exist'" in m
               for _, m in results.values())
    assert SUMMARY.search(proc.stdout)


def test_without_mnist_files_the_data_tests_say_how_to_get_them(reference_submission, tmp_path):
    proc = run(reference_submission, "tests/test_data.py", mnist_dir=tmp_path / "empty")
    assert proc.returncode == 1
    results = outcomes(proc.stdout)
    assert set(results) == {"test_preprocess_shapes", "test_preprocess_inputs_scaled_to_unit_range",
                            "test_preprocess_labels_are_integers_in_order", "test_preprocess_returns_tensors",
                            "test_onehot_mnist_labels"}
    for status, message in results.values():
        assert status == "ERROR" and message.startswith("MNIST could not be loaded"), message
        assert "python -m _local.fetch_mnist" in message and str(tmp_path / "empty") in message
        assert "pip install" not in message


def test_a_hanging_test_is_stopped_and_the_run_goes_on(reference_submission, tmp_path):
    folder = tmp_path / "hangs"
    shutil.copytree(reference_submission, folder, ignore=ignore)
    sigmoid = folder / "beras" / "activations.py"
    text = sigmoid.read_text()
    marker = "        return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x)))\n"
    assert text.count(marker) == 1
    sigmoid.write_text(text.replace(marker, "        while True:\n            pass\n"))
    env_limit = {"BERAS_TEST_TIME_LIMIT": "2"}
    os.environ.update(env_limit)
    try:
        proc = run(folder, "tests/test_beras.py", "--all")
    finally:
        os.environ.pop("BERAS_TEST_TIME_LIMIT")
    results = outcomes(proc.stdout)
    stopped = {name for name, (status, message) in results.items() if "stopped after 2 s" in message}
    assert stopped and all("sigmoid" in name.lower() for name in stopped), results
    assert sum(status == "PASS" for status, _ in results.values()) == len(results) - len(stopped)
    assert SUMMARY.search(proc.stdout)
