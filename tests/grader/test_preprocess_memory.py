"""A correct preprocess that needs more memory than Gradescope gives still earns its points."""

from grader.submission import PROJECT_ROOT
from tests.grader.submissions import assert_complete, by_number, grade_json, make_submission

REFERENCE_BODY = (PROJECT_ROOT / "reference/common/preprocess.py").read_text()
SOLUTION = REFERENCE_BODY[REFERENCE_BODY.index("    # BEGIN SOLUTION"):
                          REFERENCE_BODY.index("    # END SOLUTION") + len("    # END SOLUTION\n")]

# float64, converted in two steps: two 376 MB copies of the training set at once.
TWO_FLOAT64_COPIES = (
    "    train_x = train_x.reshape(-1, 784).astype(np.float64)\n"
    "    train_x = train_x / 255.0\n"
    "    test_x = test_x.reshape(-1, 784).astype(np.float64) / 255.0\n"
    "    return Tensor(train_x), Tensor(train_y), Tensor(test_x), Tensor(test_y)\n")
# The same, but wrong: not scaled.
TWO_COPIES_UNSCALED = TWO_FLOAT64_COPIES.replace("train_x / 255.0", "train_x + 0.0").replace(
    ".astype(np.float64) / 255.0", ".astype(np.float64)")


def test_a_memory_hungry_but_correct_preprocess_keeps_its_points(tmp_path):
    results = grade_json(make_submission(tmp_path, patches=[("preprocess.py", SOLUTION, TWO_FLOAT64_COPIES)]))
    assert_complete(results)
    test = by_number(results)["2.11"]
    assert test["score"] == test["max_score"], test["output"]
    assert "ran out of the grader's" in test["output"] and "float32" in test["output"]


def test_a_memory_hungry_wrong_preprocess_still_loses_them(tmp_path):
    results = grade_json(make_submission(tmp_path, patches=[("preprocess.py", SOLUTION, TWO_COPIES_UNSCALED)]))
    test = by_number(results)["2.11"]
    assert test["score"] == 0, test["output"]
    assert "first 10000 training" in test["output"]
