"""Grade one submission: run the probes in workers, judge here, build results.json.

Order matters for memory (Gradescope gives 768 MB to everything): the
reference's probes run first in their own worker, which is closed before
the student's worker starts, so at most one worker is alive at a time.
"""
import os
import stat
import tempfile
import time
from pathlib import Path

from grader.checks import gradients as grad_checks
from grader.checks.api import score_api
from grader.checks.banned import Attribution, apply_policy, banned_outcome
from grader.checks.imports import import_graph
from grader.checks.behaviour import behaviour_checks, score_cases
from grader.checks.compare import error_text
from grader.checks.final import final_outcome
from grader.checks.properties import initializer_args, onehot_args, score_initializers, score_onehot
from grader.data import mnist
from grader.editions import load_edition
from grader.editions.marks import mismatch_message, other_edition
from grader.results.gradescope import build_results
from grader.results.outcome import Outcome
from grader.rubric.load import load_rubric
from grader.sandbox.banned import scan_tree
from grader.sandbox.supervisor import SandboxSetupError, Worker
from grader.shims import SHIMS_DIR
from grader.submission import (SubmissionTooLarge, build_reference_submission, find_root, renamed_assignment,
                               stage_with_assignment)

WORKER_MEMORY_MB = 640
IMPORT_TIMEOUT = 60
STDOUT_SHOWN = 1500
# A probe may take SLOWDOWN x the reference's time (student code may be a lot slower
# than ours and still right), at least MIN_PROBE_TIMEOUT, at most the plan's own limit.
SLOWDOWN = 50
MIN_PROBE_TIMEOUT = 10.0
# Time kept back at the end of the run for the training's setup and writing results.
FINAL_RESERVE_S = 30
# The slice of MNIST a preprocess that runs out of memory on the whole of it is judged on.
SUBSET_ENV = "BERAS_MNIST_SUBSET"
SUBSET = (10000, 2000)


class Probe:
    """One probe call's plan: which test it scores and which modules it needs."""

    def __init__(self, key, probe, args, timeout=20.0, needs=("beras",), check=None):
        self.key, self.probe, self.args, self.timeout, self.needs = key, probe, args, timeout, needs
        self.check = check  # the behaviour Check it came from, when it did


def _plans(edition):
    plans = [Probe("api", "grader.probes.api:describe", {"entries": edition.API}, needs=())]
    for check in behaviour_checks():
        needs = ("beras", "preprocess") if check.key == "behaviour.preprocess" else ("beras",)
        plans.append(Probe(check.key, check.probe, check.args, check.timeout, needs, check))
    plans += [
        Probe("behaviour.initializers", "grader.probes.components:initializers", initializer_args()),
        Probe("behaviour.onehot", "grader.probes.components:onehot", onehot_args()),
        Probe("gradients.layers", "grader.probes.gradients:layer_alone", grad_checks.layer_cases(), 60),
        Probe("gradients.models", "grader.probes.gradients:sequential", grad_checks.model_cases(), 60),
        Probe("gradients.general_graph", "grader.probes.gradients:general_graph",
              grad_checks.general_graph_cases(), 60),
        Probe("gradients.accumulation", "grader.probes.gradients:accumulation",
              grad_checks.accumulation_cases(), 60),
    ]
    return plans


def _failure_text(result):
    """Why a probe produced no value: the worker's own account, and what the code printed."""
    if result.status == "error" and result.error:
        text = error_text(result.error)
    else:
        text = result.detail or f"the probe ended with status {result.status}"
    if result.status == "timeout":
        text += "\n    hint: look for an infinite loop, or a Python loop over every sample or entry."
    if result.status == "memory":
        text += "\n    hint: an array much bigger than needed (e.g. a (batch, in, out) tensor) exhausts memory."
    printed = (result.stdout or "").strip()
    if len(printed) > STDOUT_SHOWN:
        printed = "[... earlier output cut ...]\n" + printed[-STDOUT_SHOWN:]
    if printed:
        text += f"\nYour code printed (the end is where it stopped):\n{printed}"
    return text


class Session:
    """The workers and what they answered, for one subject (reference or student)."""

    def __init__(self, root, log, env=None):
        # MNIST is staged into the worker's own area: training files, test images, and a decoy
        # in place of the test labels (the preprocess probe loads them; the real ones never go in).
        self.worker = Worker(root, memory_mb=WORKER_MEMORY_MB, shims=SHIMS_DIR, env=dict(env or {}),
                             data_files=mnist.files_for_worker(decoy_test_labels=True), data_dir_env=mnist.ENV_VAR)
        self.log = log
        self.seconds = {}

    def call(self, key, probe, args, timeout):
        started = time.monotonic()
        result = self.worker.call(probe, args, timeout=timeout)
        self.seconds[key] = round(time.monotonic() - started, 3)
        return result

    def close(self):
        self.worker.close()


def _import_problems(session, modules):
    """({module: failure text} for modules that do not import, whether the import itself hung or died)."""
    result = session.call("import", "grader.probes.api:import_modules", {"modules": list(modules)}, IMPORT_TIMEOUT)
    if not result.ok:
        text = "Importing your code failed: " + _failure_text(result)
        return {m: text for m in modules}, True
    return {m: f"Importing {m} failed: " + error_text(err) for m, err in result.value.items() if err}, False


def _timeout(plan, reference_seconds, deadline):
    allowed = min(plan.timeout, max(MIN_PROBE_TIMEOUT, SLOWDOWN * reference_seconds.get(plan.key, 1.0)))
    return min(allowed, deadline - time.monotonic())


_reference_answers = {}


def _run_reference(edition, plans, log):
    """The reference's answers to every probe; deterministic, so computed once per process."""
    if edition.NAME not in _reference_answers:
        _reference_answers[edition.NAME] = _reference_answers_now(edition, plans, log)
    return _reference_answers[edition.NAME]


def _reference_answers_now(edition, plans, log):
    with tempfile.TemporaryDirectory(prefix="beras-reference-") as tmp:
        root = build_reference_submission(Path(tmp) / "reference", edition.NAME)
        session = Session(root, log)
        try:
            answers = {}
            for plan in plans:
                if plan.key == "api":
                    continue
                result = session.call(plan.key, plan.probe, plan.args, plan.timeout * 3)
                failed = [label for label, case in (result.value or {}).items() if "error" in case] \
                    if result.ok else ["(the whole probe)"]
                if failed:
                    # Never score against a reference that did not answer: that would give points away.
                    detail = _failure_text(result) if not result.ok else \
                        error_text(result.value[failed[0]]["error"])
                    raise RuntimeError(f"the reference failed probe {plan.probe} in {failed[0]}: {detail}")
                answers[plan.key] = result.value
            return answers, session.seconds
        finally:
            session.close()


def _score(plan, reference, value, edition, settings):
    key = plan.key
    if key == "api":
        return score_api(key, edition.API, value)
    if key == "behaviour.initializers":
        return score_initializers(key, value)
    if key == "behaviour.onehot":
        return score_onehot(key, value, plan.args)
    if key == "gradients.accumulation":
        return grad_checks.score_gradients(key, reference, value, settings,
                                           informational_note=grad_checks.ACCUMULATION_NOTE)
    if key.startswith("gradients."):
        return grad_checks.score_gradients(key, reference, value, settings)
    return score_cases(key, reference, value, normalize=plan.check.normalize, tolerance=plan.check.tolerance,
                       diagnose=plan.check.diagnose, hint_detail=settings["hint_detail"])


def _judged(plan, reference, value, edition, settings):
    """_score, with a boundary: an answer the check cannot judge (a reply of the wrong
    shape, a missing key...) costs this test only, never the run."""
    try:
        return _score(plan, reference, value, edition, settings)
    except grad_checks.ReferenceGradientError:
        raise  # the grader's own fault: never score against a broken reference
    except Exception as error:
        return Outcome(plan.key, 0.0, "Your code's answer to this test could not be judged: it does not have "
                       f"the form the grader asked for ({type(error).__name__}: {str(error)[:300]}). Check that "
                       "the functions this test calls return what the handout says.")


def _not_gradable(rubric, started, why):
    """The submission itself cannot be graded (e.g. far too large): every test 0, with the reason."""
    reason = (f"Your submission could not be prepared for grading: {why}. Submit only your code "
              "(beras/, preprocess.py, assignment.py), without datasets, zips or saved models.")
    return build_results(rubric, {}, execution_time=time.monotonic() - started, output=reason,
                         missing_reason=reason)


def grade(submission, *, edition_name="spring2026", rubric_path=None, log=lambda msg: None):
    """Return the results.json dict for the submission folder."""
    started = time.monotonic()
    edition = load_edition(edition_name)
    rubric = load_rubric(rubric_path, edition=edition_name)
    settings = rubric.settings
    outcomes, notes, timings = {}, [], {}

    root = find_root(Path(submission))
    if root is None:
        reason = ("No beras/ folder was found in your submission. Submit the folder that holds "
                  "beras/, preprocess.py and assignment.py (a subfolder such as code/ is fine).")
        return build_results(rubric, {}, execution_time=time.monotonic() - started,
                             output=reason, missing_reason=reason)

    renamed = renamed_assignment(root)
    if renamed is not None:
        staging = tempfile.TemporaryDirectory(prefix="beras-staged-")  # removed when grade() returns
        try:
            root = stage_with_assignment(root, renamed, staging.name)
        except SubmissionTooLarge as error:
            return _not_gradable(rubric, started, str(error))
        notes.append(f"assignment.py is missing; {renamed.name} defines get_model(), so it is used as "
                     "assignment.py. Name it assignment.py, as the handout asks.")
    looks_like = other_edition(root, edition.NAME)
    if looks_like is not None:
        notes.append(mismatch_message(edition.NAME, *looks_like))
    missing = [f for f in edition.REQUIRED_FILES if (root / f).is_symlink() or not (root / f).is_file()]
    if missing:
        notes.append("Missing files: " + ", ".join(missing) + ". Tests that need them fail.")
    python_files = _python_files(root)
    findings = scan_tree(root, files=python_files, allowed=edition.ALLOWED_BANNED_IMPORTS)
    attribution = Attribution(findings, import_graph(root, python_files))
    outcomes["banned"] = banned_outcome("banned", findings, attribution)

    plans = _plans(edition)
    log("running the reference's probes")
    reference, timings["reference"] = _run_reference(edition, plans, log)

    log("running your code's probes")
    deadline = started + settings["total_time_budget_s"] - FINAL_RESERVE_S
    try:
        session = Session(root, log)
    except (SandboxSetupError, SubmissionTooLarge) as error:
        return _not_gradable(rubric, started, str(error))
    try:
        broken, import_died = _import_problems(session, edition.MODULES)
        for plan in plans:
            blocking = [broken[m] for m in plan.needs if m in broken]
            if import_died:  # a hang or crash at import would only repeat: run nothing
                blocking = [broken[edition.MODULES[0]]]
            if blocking:
                outcomes[plan.key] = Outcome(plan.key, 0.0, blocking[0])
                continue
            timeout = _timeout(plan, timings["reference"], deadline)
            if timeout <= 0:
                outcomes[plan.key] = Outcome(plan.key, 0.0, (
                    "Not run: earlier tests used up the grading run's time limit "
                    f"({settings['total_time_budget_s']} s in all), most likely by code that hangs."))
                continue
            result = session.call(plan.key, plan.probe, plan.args, timeout)
            if not result.ok:
                outcomes[plan.key] = Outcome(plan.key, 0.0, _failure_text(result))
                continue
            outcomes[plan.key] = _judged(plan, reference.get(plan.key), result.value, edition, settings)
            log(f"  {plan.key}: {outcomes[plan.key].fraction:.0%}")
        if "api" in outcomes and broken:
            outcomes["api"].output = "\n".join(sorted(set(broken.values()))) + "\n" + outcomes["api"].output
    finally:
        timings["student"] = session.seconds
        protections = session.worker.protections
        session.close()
    preprocess = next(p for p in plans if p.key == "behaviour.preprocess")
    if preprocess.key in outcomes and _ran_out_of_memory(outcomes[preprocess.key]):
        outcomes[preprocess.key] = _preprocess_on_subset(root, edition, preprocess, settings, log)
    # Training runs in a worker of its own, after the others are gone (memory).
    remaining = started + settings["total_time_budget_s"] - time.monotonic() - FINAL_RESERVE_S
    final_settings = dict(settings, final_time_budget_s=max(0.0, min(settings["final_time_budget_s"], remaining)))
    outcomes["final.accuracy"] = final_outcome(root, edition, final_settings, broken, log)

    apply_policy(outcomes, attribution, settings["banned_library"])
    seconds = time.monotonic() - started
    header = "\n".join(notes)
    return build_results(rubric, outcomes, execution_time=seconds, output=header,
                         extra_data={"timings_s": timings, "submission_root": str(root.name),
                                     **_protections_data(protections)})


def _protections_data(protections):
    """Which walls were around the student's code, for staff (extra_data and the local table)."""
    if protections is None:
        return {"sandbox": {"summary": "unknown (no worker started)", "missing": []}}
    return {"sandbox": {"summary": protections.summary(), "missing": list(protections.missing),
                        "details": protections.to_dict()}}


def _ran_out_of_memory(outcome):
    return outcome.fraction < 1 and ("MemoryError" in outcome.output or "memory limit" in outcome.output)


def _preprocess_on_subset(root, edition, plan, settings, log):
    """Full-size MNIST in float64, converted in two steps, needs more memory than a worker
    has on Gradescope (768 MB for everything). Correct code should not lose points for
    that: judge it again on a slice of MNIST, and say what to change."""
    log("  behaviour.preprocess: out of memory on the full dataset, trying a subset")
    env = {SUBSET_ENV: f"{SUBSET[0]},{SUBSET[1]}"}
    with tempfile.TemporaryDirectory(prefix="beras-reference-") as tmp:
        answers = {}
        for subject, folder in (("reference", build_reference_submission(Path(tmp) / "ref", edition.NAME)),
                                ("student", root)):
            session = Session(folder, log, env=env)
            try:
                answers[subject] = session.call(plan.key, plan.probe, plan.args, plan.timeout)
            finally:
                session.close()
    if not answers["reference"].ok or not answers["student"].ok:
        failed = answers["reference"] if not answers["reference"].ok else answers["student"]
        return Outcome(plan.key, 0.0, _failure_text(failed))
    outcome = score_cases(plan.key, answers["reference"].value, answers["student"].value,
                          normalize=plan.check.normalize, tolerance=plan.check.tolerance,
                          diagnose=plan.check.diagnose, hint_detail=settings["hint_detail"])
    outcome.output = (f"Your load_and_preprocess_data() ran out of the grader's {WORKER_MEMORY_MB} MB "
                      f"on the full MNIST, so it was checked on the first {SUBSET[0]} training and "
                      f"{SUBSET[1]} test examples instead. Hint: float64 copies of the training set take "
                      "376 MB each; convert once (e.g. .astype(np.float32) / 255, or divide in place "
                      "with /=).\n" + outcome.output)
    return outcome


MAX_PYTHON_FILES = 2000


def _python_files(root):
    """Every regular .py file of the submission (symlinks never followed), as posix paths."""
    files = []
    for folder, dirs, names in os.walk(root):  # os.walk does not follow symlinked folders
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("__MACOSX", "__pycache__"))
        for name in sorted(names):
            path = os.path.join(folder, name)
            if name.endswith(".py") and stat.S_ISREG(os.lstat(path).st_mode):
                files.append(Path(path).relative_to(root).as_posix())
            if len(files) >= MAX_PYTHON_FILES:
                return files
    return files
