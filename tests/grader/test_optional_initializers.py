"""The optional uniform initializers are scored when a submission offers them.

The spring2026 stencil's assert refuses "xavier uniform" and "kaiming uniform"; the
fall2025 one accepts them. A submission that refuses them (the assert, or its own
ValueError / NotImplementedError) loses nothing; one that returns a draw - or crashes
trying - is scored on it like on any other initializer: a silently wrong initializer
is a bug worth a point, an honest refusal is not. Each case wraps the base's own
_initialize_weight, so it runs on our reference and on the course-faithful bases.
"""
from pathlib import Path

import pytest

from grader.rubric.load import load_rubric
from tests.bases import COURSE_EDITIONS
from tests.grader.submissions import BASES, TEST_RUBRIC, by_number, grade_json, losers, make_submission, summary
from tests.results.schema import validate_results

RUBRICS = {"spring2026": TEST_RUBRIC,
           "fall2025": Path(__file__).resolve().parents[1] / "rubrics" / "fall2025.toml"}
DENSE = {"spring2026": "Linear", "fall2025": "Dense"}
KEY = "behaviour.initializers"
CASES = [(edition, base) for edition in RUBRICS for base in BASES
         if base == "reference" or edition in COURSE_EDITIONS]
pytestmark = pytest.mark.timeout(180)


def number_of(edition, key):
    return next(t.number for t in load_rubric(RUBRICS[edition], edition=edition) if t.key == key)


def wrapped(edition, branch):
    """beras/layers.py code that answers "xavier uniform" with `branch` and leaves the rest to the base.

    The draw is written into the base's own zero weights, so each base keeps its own types."""
    dense = DENSE[edition]
    return {"beras/layers.py": f"""
        _base_initialize_weight = {dense}._initialize_weight
        def _initialize_weight(initializer, input_size, output_size):
            if initializer.lower() != "xavier uniform":
                return _base_initialize_weight(initializer, input_size, output_size)
            w, b = _base_initialize_weight("zero", input_size, output_size)
{branch}
            return w, b
        {dense}._initialize_weight = staticmethod(_initialize_weight)
        """}


KAIMING_LIMIT = """\
            limit = np.sqrt(6 / input_size)   # kaiming's limit: too wide for xavier
            w[...] = np.random.uniform(-limit, limit, np.shape(w))"""
RIGHT = """\
            limit = np.sqrt(6 / (input_size + output_size))
            w[...] = np.random.uniform(-limit, limit, np.shape(w))"""
REFUSES = """\
            raise ValueError("xavier uniform is not implemented")"""
CRASHES = """\
            w[...] = np.random.uniform(-limit, limit, np.shape(w))   # limit never defined: NameError"""


def grade(tmp_path, edition, base, branch):
    root = make_submission(tmp_path, base=base, edition=edition, overrides=wrapped(edition, branch))
    results = grade_json(root, edition_name=edition, rubric_path=RUBRICS[edition])
    validate_results(results)
    return results


def judged_losers(results, edition):
    return losers(results) - {number_of(edition, "final.accuracy")}


@pytest.mark.parametrize("edition, base", CASES)
def test_a_wrong_offered_uniform_initializer_loses_only_the_initializer_test(tmp_path, edition, base):
    results = grade(tmp_path, edition, base, KAIMING_LIMIT)
    number = number_of(edition, KEY)
    assert judged_losers(results, edition) == {number}, summary(results)
    output = by_number(results)[number]["output"]
    assert "'xavier uniform'" in output and "values must lie in" in output, output
    assert "scored because your code offers it" in output, output


@pytest.mark.parametrize("edition, base", CASES)
def test_a_crash_in_an_offered_uniform_initializer_is_scored(tmp_path, edition, base):
    results = grade(tmp_path, edition, base, CRASHES)
    number = number_of(edition, KEY)
    assert judged_losers(results, edition) == {number}, summary(results)
    assert "NameError" in by_number(results)[number]["output"]


@pytest.mark.parametrize("edition, base", CASES)
@pytest.mark.parametrize("branch", [RIGHT, REFUSES], ids=["right", "refused"])
def test_a_right_or_refused_uniform_initializer_loses_nothing(tmp_path, edition, base, branch):
    results = grade(tmp_path, edition, base, branch)
    assert judged_losers(results, edition) == set(), summary(results)
    if branch is REFUSES:
        assert "refused: not scored" in by_number(results)[number_of(edition, KEY)]["output"]


def test_a_forged_error_record_neither_crashes_scoring_nor_unscores_a_required_case():
    # the worker's answers are untrusted: "kinds" may be anything a submission makes it
    from grader.checks.properties import initializer_args, score_initializers
    args = initializer_args()
    forged = {"type": "NameError", "message": "", "student_frame": None, "kinds": 5}
    results = {case["label"]: {"error": dict(forged, kinds=["AssertionError"]) if "normal" in case["name"]
                               else forged} for case in args["cases_spec"]}
    outcome = score_initializers("behaviour.initializers", results, args)
    # required cases count whatever their error claims; the optional ones here crashed, so they count too
    assert outcome.fraction == 0.0
    assert outcome.output.startswith("0/12 scored cases pass"), outcome.output
