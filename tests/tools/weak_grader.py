"""A deliberately weakened grader, for testing the mutation campaign's honesty.

    python -m tests.tools.weak_grader SUB --json F --quiet [--rubric R]

The real grader with every behaviour tolerance opened wide (the case-by-case
comparison accepts any finite number of the right shape). Combined with a rubric
whose gradient tolerances are wide open, it is a grader that still notices crashes,
wrong shapes and NaNs but no wrong number. A campaign run against it must report a
lower kill rate than against the real grader; if it did not, the campaign would be
measuring something other than the grader's verdicts.
"""
from grader.checks import compare

WIDE = 1e30

for tolerance in (compare.FLOAT32, compare.FLOAT64):
    tolerance.update(rtol=WIDE, atol=WIDE)

if __name__ == "__main__":
    from grader.cli import main
    raise SystemExit(main())
