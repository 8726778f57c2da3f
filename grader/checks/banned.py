"""Banned libraries: what the static scan found, and what the rubric's policy withholds."""
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


def files_of(key):
    if key in TEST_FILES:
        return set(TEST_FILES[key])
    if key.startswith("gradients."):
        return set(GRADIENT_FILES)
    if key.startswith("behaviour."):
        return set(BEHAVIOUR_FILES)
    return None  # final.accuracy and anything new: everything


def affected(key, banned_files):
    files = files_of(key)
    known = set().union(*TEST_FILES.values(), BEHAVIOUR_FILES, {"preprocess.py", "assignment.py"})
    if any(f not in known for f in banned_files):
        return True  # a helper module we cannot attribute: it may be used anywhere
    return files is None or bool(files & set(banned_files))


def banned_outcome(key, findings):
    banned = [f for f in findings if f.kind == "banned"]
    shims = [f for f in findings if f.kind == "allowed-shim"]
    dynamic = [f for f in findings if f.kind == "dynamic-import"]
    lines = []
    if banned:
        lines.append("Banned libraries (tensorflow, keras, torch, scikit-learn) are used here; "
                     "the functions that use them earn no credit:")
        lines += [f"- {f.file}:{f.line}: {f.statement}" for f in banned]
        lines.append("Rewrite these parts with NumPy and remove the imports.")
    else:
        lines.append("No banned library (tensorflow, keras, torch, scikit-learn) is imported.")
    if shims:
        lines.append("Tolerated (the stencil's MNIST download line; the grader serves MNIST locally):")
        lines += [f"- {f.file}:{f.line}: {f.statement}" for f in shims]
    if dynamic:
        lines.append("Imports by computed name (checked when the code runs; banned modules are refused):")
        lines += [f"- {f.file}:{f.line}: {f.statement}" for f in dynamic]
    return Outcome(key, 0.0 if banned else 1.0, "\n".join(lines))


def apply_policy(outcomes, findings, policy, exempt=("banned", "api")):
    """Zero the tests the policy withholds; say why in their output."""
    banned_files = sorted({f.file for f in findings if f.kind == "banned"})
    if not banned_files or policy == "report_only":
        return
    for key, outcome in outcomes.items():
        if key in exempt or outcome.fraction == 0:
            continue
        if policy == "zero_all" or affected(key, banned_files):
            outcome.output = (f"Withheld: this test uses {', '.join(banned_files)}, which imports a banned "
                              f"library (see the banned-libraries test). Without the ban it would have "
                              f"earned {outcome.fraction:.0%}.\n\n" + outcome.output)
            outcome.fraction = 0.0
