import copy
import math

import pytest

from grader.results import ResultsError, validate_results as grader_validate
from grader.results.schema import SCHEMA_PATH as GRADER_SCHEMA
from tests.results.schema import SCHEMA_PATH, schema_errors, validate_results

VALID = {
    "score": 3.5,
    "execution_time": 1.25,
    "output": "hi",
    "output_format": "text",
    "visibility": "visible",
    "stdout_visibility": "hidden",
    "tests": [{"score": 3.5, "max_score": 5, "status": "failed", "name": "t", "number": "1.1",
               "output": "x", "output_format": "md", "tags": ["a"], "visibility": "hidden",
               "extra_data": {"k": 1}}],
    "leaderboard": [{"name": "Accuracy", "value": 0.9, "order": "desc"}],
}


def test_schema_copies_identical():
    assert SCHEMA_PATH.read_bytes() == GRADER_SCHEMA.read_bytes()


def test_valid_example_passes():
    validate_results(VALID)
    grader_validate(VALID)


@pytest.mark.parametrize("mutate", [
    lambda d: d.update(execution_time="1.25"),                       # the library's defect
    lambda d: d.update(visibility="public"),
    lambda d: d["tests"][0].update(status="ok"),
    lambda d: d["tests"][0].update(number=1.1),
    lambda d: d["tests"][0].update(output_format="markdown"),
    lambda d: d["tests"][0].update(max_score="5"),
    lambda d: d["tests"][0].update(unknown=1),
    lambda d: d.update(unknown=1),
    lambda d: d["leaderboard"][0].update(order="up"),
    lambda d: d["leaderboard"][0].pop("value"),
    lambda d: d["tests"][0].update(score=math.nan),                  # not strict JSON
    lambda d: (d.pop("tests"), d.pop("score")),                      # neither score nor tests
])
def test_invalid_results_fail(mutate):
    bad = copy.deepcopy(VALID)
    mutate(bad)
    assert schema_errors(bad)
    with pytest.raises(AssertionError):
        validate_results(bad)
    with pytest.raises(ResultsError):
        grader_validate(bad)
