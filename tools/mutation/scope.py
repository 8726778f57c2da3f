"""Which submission files each rubric test exercises, from the check registry.

Each registry Check lists the files its code runs (``files``); the final test runs
the edition's FINAL_FILES. A mutant in a file outside a test's list that still
costs points in that test is over-reach: the check punishes the wrong thing.
"""
import functools

from grader.editions import load_edition
from grader.rubric.load import load_rubric

FINAL_KEY = "final.accuracy"


def files_by_number(edition, rubric_path=None):
    """{rubric test number: set of submission files its code runs}."""
    spec = load_edition(edition)
    rubric = load_rubric(rubric_path, edition=edition)
    files = {check.key: set(check.files) for check in spec.checks(seed=0)}
    files[FINAL_KEY] = set(spec.FINAL_FILES)
    return {t.number: files.get(t.key, set()) for t in rubric}


@functools.lru_cache(maxsize=None)
def names_by_number(edition, rubric_path=None):
    """{rubric test number: (key, name, points)}."""
    return {t.number: (t.key, t.name, float(t.points)) for t in load_rubric(rubric_path, edition=edition)}
