"""The grader's self-check mode (what the students' kit runs) and --final."""
from grader.rubric.load import load_rubric
from tests.grader.submissions import assert_complete, by_number, grade_json, make_submission, rubric_with


def test_selfcheck_lists_tests_hidden_on_gradescope_without_running_them(tmp_path):
    results = grade_json(make_submission(tmp_path), selfcheck=True)
    assert_complete(results)
    rubric = load_rubric()
    for test in rubric.tests:
        shown = by_number(results)[test.number]
        if test.visibility != "visible":
            assert shown["score"] == 0 and "Checked on Gradescope only" in shown["output"], shown
        elif test.key not in ("final.accuracy",):
            assert "Checked on Gradescope only" not in shown["output"]
    assert any(t.visibility != "visible" for t in rubric.tests)  # the rubric has one to show it


def test_final_trains_without_the_marker_file(tmp_path):
    root = make_submission(tmp_path)
    results = grade_json(root, final=True, rubric_path=rubric_with(tmp_path, final_epochs=1))
    final = by_number(results)["5.1"]
    assert "Test accuracy" in final["output"] and final["score"] > 0, final["output"]
    assert not any(p.name.lower() == "final.txt" for p in root.iterdir())
