"""The handout's test commands work as written, and a student's own test_ functions are found.

`python tests/test_beras.py --test=dense`, `python tests/test_data.py --test=preprocess`,
`--test=ohe`: a --test NAME is any part of a test's name or of one of its aliases, in
any case. A test_ function a student adds anywhere in a test file (also after the
`if __name__ == "__main__":` block), or in a new tests/test_*.py, is run by both the
file's own command line and test_runner.py.
"""
import pytest

from tests.stencil.folders import SUMMARY, outcomes, reference_folder, run

LINEAR_FORWARD = ["test_linear_forward", "test_linear_parameters", "test_initializers_shapes_and_zero_bias"]
LINEAR_GRADIENTS = ["test_linear_input_gradient", "test_linear_weight_gradients"]
PREPROCESS = ["test_preprocess_shapes", "test_preprocess_inputs_scaled_to_unit_range",
              "test_preprocess_labels_are_integers_in_order", "test_preprocess_returns_tensors"]


@pytest.fixture(scope="module")
def homework(tmp_path_factory):
    return reference_folder(tmp_path_factory.mktemp("homework"))


@pytest.mark.parametrize("script, name, expected", [
    ("tests/test_beras.py", "dense", LINEAR_FORWARD),
    ("tests/test_gradient.py", "dense", LINEAR_GRADIENTS),
    ("tests/test_beras.py", "Dense", LINEAR_FORWARD),
    ("tests/test_data.py", "preprocess", PREPROCESS),
    ("tests/test_data.py", "ohe", ["test_onehot_mnist_labels"]),
    ("tests/test_beras.py", "ohe", ["test_onehot_round_trip"]),
    ("tests/test_beras.py", "SOFTMAX", ["test_softmax_forward"]),
    ("tests/test_beras.py", "relu", ["test_leaky_relu_forward", "test_relu_forward"]),
    ("tests/test_beras.py", "test_relu_forward", ["test_relu_forward"]),       # a full name: that test alone
    ("tests/test_beras.py", "relu_forward", ["test_relu_forward"]),
    ("tests/test_gradient.py", "backward", ["test_backward_softmax_cce_model", "test_backward_sigmoid_mse_model",
                                            "test_backward_skips_frozen_layer"]),
])
def test_handout_test_names_select_the_tests_they_mean(homework, script, name, expected):
    proc = run(homework, script, f"--test={name}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list(outcomes(proc.stdout)) == expected
    assert {status for status, _ in outcomes(proc.stdout).values()} == {"PASS"}
    assert SUMMARY.search(proc.stdout).groups() == (str(len(expected)), "0")


def test_test_runner_takes_the_same_names(homework):
    proc = run(homework, "test_runner.py", "--test", "dense", "--test=ohe")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list(outcomes(proc.stdout)) == [*LINEAR_FORWARD, "test_onehot_round_trip", "test_onehot_mnist_labels",
                                           *LINEAR_GRADIENTS]
    unknown = run(homework, "test_runner.py", "--test", "no_such_thing")
    assert unknown.returncode == 2 and "unknown test(s): no_such_thing" in unknown.stderr


def test_list_shows_the_other_names(homework):
    listed = run(homework, "tests/test_beras.py", "--list").stdout.splitlines()
    assert "test_linear_forward   (also: dense_forward)" in listed
    assert "test_onehot_round_trip   (also: ohe_round_trip, one_hot_round_trip)" in listed
    assert "test_relu_forward" in listed


STUDENT_TESTS = '''


def test_student_dense_shape():
    from beras.layers import Linear
    assert Linear(2, 3).w.shape == (2, 3)


def test_student_check_that_fails():
    assert False, "the student's own message"


if __name__ == "__main__":
    sys.exit(main_for_file(__name__))
    def test_student_unreachable():
        pass
'''


@pytest.fixture(scope="module")
def with_student_tests(tmp_path_factory):
    folder = reference_folder(tmp_path_factory.mktemp("with_student_tests"))
    with open(folder / "tests" / "test_beras.py", "a") as f:
        f.write(STUDENT_TESTS)   # after the file's own `if __name__ == "__main__":` block
    (folder / "tests" / "test_mine.py").write_text("def test_mine_adds_up():\n    assert 1 + 1 == 2\n")
    return folder


def test_tests_added_after_the_main_block_are_found_by_the_file(with_student_tests):
    listed = run(with_student_tests, "tests/test_beras.py", "--list")
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert names[-2:] == ["test_student_dense_shape", "test_student_check_that_fails"]
    mine = run(with_student_tests, "tests/test_beras.py", "--test=student")
    assert mine.returncode == 1
    assert outcomes(mine.stdout) == {"test_student_dense_shape": ("PASS", ""),
                                     "test_student_check_that_fails": ("FAIL", "the student's own message")}
    assert "test_student_unreachable (tests/test_beras.py:" in mine.stdout
    assert "define it at the top level" in mine.stdout
    dense = run(with_student_tests, "tests/test_beras.py", "--test=dense")
    assert list(outcomes(dense.stdout)) == [*LINEAR_FORWARD, "test_student_dense_shape"]
    everything = run(with_student_tests, "tests/test_beras.py", "--all")
    assert SUMMARY.search(everything.stdout).groups() == (str(len(names) - 1), "1")


def test_tests_added_anywhere_are_found_by_the_runner(with_student_tests):
    proc = run(with_student_tests, "test_runner.py")
    assert proc.returncode == 1
    results = outcomes(proc.stdout)
    assert results["test_student_dense_shape"] == ("PASS", "")
    assert results["test_student_check_that_fails"] == ("FAIL", "the student's own message")
    assert results["test_mine_adds_up"] == ("PASS", "")
    assert "== mine (tests/test_mine.py) ==" in proc.stdout
    assert "test_student_unreachable (tests/test_beras.py:" in proc.stdout
    failed = [name for name, (status, _) in results.items() if status != "PASS"]
    assert failed == ["test_student_check_that_fails"]
    only_mine = run(with_student_tests, "test_runner.py", "--category", "mine")
    assert only_mine.returncode == 0 and list(outcomes(only_mine.stdout)) == ["test_mine_adds_up"]
