"""Banned libraries: what the static scan found, and what the rubric's policy withholds."""
from grader.checks.imports import is_testing_file, reachable
from grader.checks.scan import NOT_SCANNED
from grader.results.outcome import Outcome


class Attribution:
    """Which files with a banned import cost which tests, from the static import graph.

    ``test_files`` maps each rubric test to the submission files its code runs (the check
    registry's ``files``); a file costs a test when the test's code can reach it
    (grader/checks/imports.py). Testing files (the handout exempts them) and files nothing
    graded imports cost nothing; a test with no entry is affected by every costly file."""

    def __init__(self, findings, graph, test_files):
        self.graph, self.test_files = graph, {k: tuple(v) for k, v in test_files.items()}
        files = sorted({f.file for f in findings if f.kind == "banned"})
        self.testing = [f for f in files if is_testing_file(f)]
        starts = {f for v in self.test_files.values() for f in v} | {"preprocess.py", "assignment.py"}
        used_anywhere = self.used = reachable(graph, [f for f in starts if f in graph])
        self.unused = [f for f in files if f not in self.testing and f not in used_anywhere]
        self.costly = [f for f in files if f not in self.testing and f not in self.unused]

    def costs(self, key):
        starts = self.test_files.get(key)
        if starts is None:
            return list(self.costly)
        reach = reachable(self.graph, [f for f in starts if f in self.graph])
        return [f for f in self.costly if f in reach]


def banned_outcome(key, findings, attribution):
    banned = [f for f in findings if f.kind == "banned"]
    costly = [f for f in banned if f.file in attribution.costly]
    # The students' self-check kit (selfcheck/) is the course's code: not listed unless graded code uses it.
    harmless = [f for f in banned if f.file not in attribution.costly and not _kit(f.file, attribution)]
    shims = [f for f in findings if f.kind == "allowed-shim"]
    dynamic = [f for f in findings if f.kind == "dynamic-import" and f.file in attribution.used]
    unscanned = [f for f in findings if f.kind in NOT_SCANNED]
    lines = []
    if costly:
        lines.append("Banned libraries (tensorflow, keras, torch, scikit-learn) are used here; "
                     "the tests that run this code earn no credit:")
        lines += [f"- {f.file}:{f.line}: {f.statement}" for f in costly]
        lines.append("Rewrite these parts with NumPy and remove the imports.")
    else:
        lines.append("No banned library (tensorflow, keras, torch, scikit-learn) is imported by graded code.")
    if harmless:
        lines.append("Listed, but costing nothing (testing files, or files the graded code never imports):")
        lines += [f"- {f.file}:{f.line}: {f.statement}" for f in harmless]
    if shims:
        lines.append("Tolerated (the stencil's MNIST download line; the grader serves MNIST locally):")
        lines += [f"- {f.file}:{f.line}: {f.statement}" for f in shims]
    if dynamic:
        lines.append("Imports by computed name (checked when the code runs; banned modules are refused):")
        lines += [f"- {f.file}:{f.line}: {f.statement}" for f in dynamic]
    if unscanned:
        lines.append("Could not be checked for banned imports (costing nothing here; banned modules are "
                     "still refused when the code runs):")
        lines += [f"- {f.file}: {f.statement}" for f in unscanned]
    return Outcome(key, 0.0 if costly else 1.0, "\n".join(lines))


def apply_policy(outcomes, attribution, policy, exempt=("banned", "api")):
    """Zero the tests the policy withholds; say why in their output."""
    if not attribution.costly or policy == "report_only":
        return
    for key, outcome in outcomes.items():
        if key in exempt or outcome.fraction == 0:
            continue
        files = attribution.costly if policy == "zero_all" else attribution.costs(key)
        if files:
            outcome.output = (f"Withheld: this test runs {', '.join(files)}, which imports a banned "
                              f"library (see the banned-libraries test). Without the ban it would have "
                              f"earned {outcome.fraction:.0%}.\n\n" + outcome.output)
            outcome.fraction = 0.0


KIT_FOLDER = "selfcheck/"


def _kit(file, attribution):
    return file.startswith(KIT_FOLDER) and file not in attribution.used
