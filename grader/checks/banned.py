"""Banned libraries: what the static scan found, and what the rubric's policy withholds."""
from grader.checks.imports import is_testing_file, reachable
from grader.sandbox.banned import NOT_SCANNED
from grader.results.outcome import Outcome

# Which files each rubric test exercises; a banned import there withholds that test
# under the "zero_affected" policy. A file not listed here affects every test.
CORE = ("beras/__init__.py", "beras/core.py")
TEST_FILES = {
    "behaviour.tensor": CORE,
    "behaviour.weighted": CORE + ("beras/layers.py",),
    "behaviour.linear": CORE + ("beras/layers.py",),
    "behaviour.initializers": CORE + ("beras/layers.py",),
    "behaviour.activations": CORE + ("beras/activations.py",),
    "behaviour.losses": CORE + ("beras/losses.py",),
    "behaviour.metrics": CORE + ("beras/metrics.py",),
    "behaviour.onehot": CORE + ("beras/onehot.py",),
    "behaviour.optimizers": CORE + ("beras/optimizers.py",),
    "behaviour.preprocess": CORE + ("preprocess.py",),
}
BEHAVIOUR_FILES = CORE + ("beras/layers.py", "beras/activations.py", "beras/losses.py",
                          "beras/metrics.py", "beras/optimizers.py", "beras/model.py")
# The gradient probes build graphs from layers, activations and losses (Sequential for models).
GRADIENT_FILES = CORE + ("beras/layers.py", "beras/activations.py", "beras/losses.py", "beras/model.py")


FINAL_FILES = ("assignment.py",) + BEHAVIOUR_FILES


def files_of(key):
    """The submission files whose code a rubric test runs directly (None: it cannot be told)."""
    if key in TEST_FILES:
        return set(TEST_FILES[key])
    if key.startswith("gradients."):
        return set(GRADIENT_FILES)
    if key.startswith("behaviour."):
        return set(BEHAVIOUR_FILES)
    if key == "final.accuracy":
        return set(FINAL_FILES)
    return None


class Attribution:
    """Which files with a banned import cost which tests, from the static import graph.

    A file costs a test when the test's code can reach it (grader/checks/imports.py);
    testing files (the handout exempts them) and files nothing graded imports cost nothing."""

    def __init__(self, findings, graph):
        self.graph = graph
        files = sorted({f.file for f in findings if f.kind == "banned"})
        self.testing = [f for f in files if is_testing_file(f)]
        used_anywhere = reachable(graph, [f for f in _all_starts() if f in graph])
        self.unused = [f for f in files if f not in self.testing and f not in used_anywhere]
        self.costly = [f for f in files if f not in self.testing and f not in self.unused]

    def costs(self, key):
        starts = files_of(key)
        if starts is None:
            return list(self.costly)
        reach = reachable(self.graph, [f for f in starts if f in self.graph])
        return [f for f in self.costly if f in reach]


def _all_starts():
    return set().union(*TEST_FILES.values(), BEHAVIOUR_FILES, GRADIENT_FILES, FINAL_FILES,
                       {"preprocess.py", "assignment.py"})


def banned_outcome(key, findings, attribution):
    banned = [f for f in findings if f.kind == "banned"]
    costly = [f for f in banned if f.file in attribution.costly]
    harmless = [f for f in banned if f.file not in attribution.costly]
    shims = [f for f in findings if f.kind == "allowed-shim"]
    dynamic = [f for f in findings if f.kind == "dynamic-import"]
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
