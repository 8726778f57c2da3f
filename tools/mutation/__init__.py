"""The mutation campaign: how good are the grader's verdicts?

One module per idea:
- blocks.py       where the student-written code is (BEGIN SOLUTION / BEGIN STUDENT blocks)
- operators.py    the mutation operators (generic and deep-learning), each one AST edit
- generate.py     every single-edit mutant of a base's student-written blocks
- submissions.py  a base laid out once, and a mutant's submission built from it
- grading.py      the real grader on a mutant's submission, read back as lost tests
- scope.py        which submission files each rubric test exercises (the check registry)
- equivalence.py  the independent verdict: randomized differential testing (scenarios.py)
- scenarios.py    run in a subprocess on one submission: a trace of what its code does
- scenario_api.py how the scenarios reach each edition's API (spring2026's backward, fall2025's GradientTape)
- campaign.py     runs everything, classifies each mutant
- report.py       the JSON report and the printed summary
- cli.py          python tools/mutation_campaign.py ...
"""
