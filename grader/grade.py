"""Grade one submission: run the registry's probes in workers, judge here, build results.json.

Order matters for memory (Gradescope gives 768 MB to everything): the
reference's answers come first (from the disk cache, or a reference worker that
is closed before the student's starts), so at most one worker is alive at a time.
"""
import os
import stat
import tempfile
import time
from pathlib import Path

from grader.checks import gradients as grad_checks
from grader.checks.banned import Attribution, apply_policy, banned_outcome
from grader.checks.compare import error_text
from grader.checks.imports import import_graph
from grader.editions import load_edition
from grader.editions.marks import mismatch_message, other_edition
from grader.results.gradescope import build_results
from grader.results.outcome import Outcome
from grader.rubric.load import load_rubric
from grader.runner.budget import TimeBudget
from grader.runner.reference import reference_answers, reference_present
from grader.runner.session import Session, failure_text, ran_out_of_memory
from grader.checks.scan import scan_tree
from grader.sandbox.supervisor import SandboxSetupError
from grader.submission import (SubmissionTooLarge, build_reference_submission, find_root, renamed_assignment,
                               stage_with_assignment)

IMPORT_TIMEOUT = 60
# A probe may take SLOWDOWN x the reference's time (student code may be a lot slower
# than ours and still right), at least MIN_PROBE_TIMEOUT, at most the check's own limit.
SLOWDOWN = 50
MIN_PROBE_TIMEOUT = 10.0
# Time kept back at the end of the run for the training's setup and writing results.
FINAL_RESERVE_S = 30
MAX_PYTHON_FILES = 2000


def _checks(edition, seed):
    """The edition's check registry (a seam: tests shorten the time allowances here)."""
    return edition.checks(seed)


def _import_problems(session, modules):
    """({module: failure text} for modules that do not import, whether the import itself hung or died)."""
    result = session.call("import", "grader.probes.api:import_modules", {"modules": list(modules)}, IMPORT_TIMEOUT)
    if not result.ok:
        text = "Importing your code failed: " + failure_text(result)
        return {m: text for m in modules}, True
    return {m: f"Importing {m} failed: " + error_text(err) for m, err in result.value.items() if err}, False


def _allowance(check, reference_seconds, budget):
    allowed = min(check.timeout, max(MIN_PROBE_TIMEOUT, SLOWDOWN * reference_seconds.get(check.key, 1.0)))
    return budget.allow(allowed)


def _judged(check, reference, value, settings):
    """The check's score, with a boundary: an answer it cannot judge (a reply of the wrong
    shape, a missing key...) costs this test only, never the run."""
    try:
        return check.score(check, reference, value, settings)
    except grad_checks.ReferenceGradientError:
        raise  # the grader's own fault: never score against a broken reference
    except Exception as error:
        return Outcome(check.key, 0.0, "Your code's answer to this test could not be judged: it does not have "
                       f"the form the grader asked for ({type(error).__name__}: {str(error)[:300]}). Check that "
                       "the functions this test calls return what the handout says.")


def _not_gradable(rubric, started, why):
    """The submission itself cannot be graded (e.g. far too large): every test 0, with the reason."""
    reason = (f"Your submission could not be prepared for grading: {why}. Submit only your code "
              "(beras/, preprocess.py, assignment.py), without datasets, zips or saved models.")
    return build_results(rubric, {}, execution_time=time.monotonic() - started, output=reason,
                         missing_reason=reason)


def grade(submission, *, edition_name="spring2026", rubric_path=None, log=lambda msg: None, final=False,
          selfcheck=False, answers=None):
    """Return the results.json dict for the submission folder.

    final: run the final test even without FINAL.txt. selfcheck: a student's own run of the
    kit - tests that are not visible on Gradescope are listed, not run ("checked on
    Gradescope only"). answers: a dict that receives, for staff tools (the batch's integrity
    flags), {check key: (the reference's answer, the student's answer)} for every probe that
    answered; nothing of it enters results.json."""
    started = time.monotonic()
    edition = load_edition(edition_name)
    rubric = load_rubric(rubric_path, edition=edition_name)
    settings = rubric.settings
    budget = TimeBudget(settings["total_time_budget_s"], reserve_s=FINAL_RESERVE_S)
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

    checks = _checks(edition, settings["input_seed"])
    if selfcheck:
        checks = [c for c in checks if not _platform_only(rubric, c.key, outcomes)]
        hidden = [t for t in rubric.tests if t.visibility != "visible" and t.points]
        if hidden:
            notes.append(f"Self-check: {len(hidden)} test(s) worth {sum(t.points for t in hidden):g} points are "
                         "checked on Gradescope only; they show 0 here.")
    python_files = _python_files(root)
    findings = scan_tree(root, files=python_files, allowed=edition.ALLOWED_BANNED_IMPORTS)
    attribution = Attribution(findings, import_graph(root, python_files),
                              {**{c.key: c.files for c in checks}, "final.accuracy": edition.FINAL_FILES})
    outcomes["banned"] = banned_outcome("banned", findings, attribution)

    reference, timings["reference"] = reference_answers(edition.NAME, checks, log)

    log("running your code's probes")
    try:
        session = Session(root, log)
    except (SandboxSetupError, SubmissionTooLarge) as error:
        return _not_gradable(rubric, started, str(error))
    retries = []
    try:
        broken, import_died = _import_problems(session, edition.MODULES)
        for check in checks:
            outcome, result = _run_check(check, session, broken, import_died, reference, timings, budget, settings)
            outcomes[check.key] = outcome
            if answers is not None and result is not None and result.ok:
                answers[check.key] = (reference.get(check.key), result.value)
            if check.retry_on_memory and result is not None and ran_out_of_memory(result):
                retries.append(check)
            log(f"  {check.key}: {outcome.fraction:.0%}")
        if "api" in outcomes and broken:
            outcomes["api"].output = "\n".join(sorted(set(broken.values()))) + "\n" + outcomes["api"].output
    finally:
        timings["student"] = session.seconds
        protections = session.protections
        session.close()
    for check in retries:
        outcomes[check.key] = _retry_with_less_data(root, edition, check, settings, log)
    # Training runs in a worker of its own, after the others are gone (memory), in the time left.
    training_budget = budget.for_training(settings["final_time_budget_s"]).total_s  # 0: no cap of its own
    if not (selfcheck and _platform_only(rubric, "final.accuracy", outcomes)):
        outcomes["final.accuracy"] = edition.final_outcome(root, settings, broken, log, training_budget,
                                                           requested=final)

    apply_policy(outcomes, attribution, settings["banned_library"])
    header = "\n".join(notes)
    return build_results(rubric, outcomes, execution_time=time.monotonic() - started, output=header,
                         extra_data={"timings_s": timings, "submission_root": str(root.name),
                                     **_protections_data(protections)})


def _platform_only(rubric, key, outcomes):
    """In a self-check, a test students do not see on Gradescope yet is listed, not run."""
    if rubric.test(key).visibility == "visible":
        return False
    outcomes[key] = Outcome(key, 0.0, "Checked on Gradescope only: this test is not shown to students "
                                      f"before its time ({rubric.test(key).visibility}).")
    return True


def _run_check(check, session, broken, import_died, reference, timings, budget, settings):
    """(Outcome, the probe's result or None when it did not run) for one check on the student."""
    blocking = [broken[m] for m in check.needs if m in broken]
    if import_died:  # a hang or crash at import would only repeat: run nothing
        blocking = [broken[next(iter(broken))]]
    if blocking:
        return Outcome(check.key, 0.0, blocking[0]), None
    timeout = _allowance(check, timings["reference"], budget)
    if timeout <= 0:
        return Outcome(check.key, 0.0, (
            "Not run: earlier tests used up the grading run's time limit "
            f"({settings['total_time_budget_s']} s in all), most likely by code that hangs.")), None
    result = session.call(check.key, check.probe, check.args, timeout)
    if not result.ok:
        return Outcome(check.key, 0.0, failure_text(result)), result
    return _judged(check, reference.get(check.key), result.value, settings), result


def _protections_data(protections):
    """Which walls were around the student's code, for staff (extra_data and the local table)."""
    if protections is None:
        return {"sandbox": {"summary": "unknown (no worker started)", "missing": []}}
    return {"sandbox": {"summary": protections.summary(), "missing": list(protections.missing),
                        "details": protections.to_dict()}}


def _retry_with_less_data(root, edition, check, settings, log):
    """Correct code should not lose points for the platform's memory: a check whose probe ran
    out of memory is judged again, reference and student alike, with the check's smaller
    data (e.g. a slice of MNIST for a preprocess that keeps two float64 copies), and told so."""
    retry = check.retry_on_memory
    if not reference_present(edition.NAME):  # the students' self-check has no reference to re-run
        return Outcome(check.key, 0.0, "Your code ran out of the grader's memory on the full data. "
                       "On Gradescope it is judged again on a slice, and told this:\n" + retry["note"])
    log(f"  {check.key}: out of memory, trying again with less data")
    with tempfile.TemporaryDirectory(prefix="beras-reference-") as tmp:
        answers = {}
        for subject, folder in (("reference", build_reference_submission(Path(tmp) / "ref", edition.NAME)),
                                ("student", root)):
            with Session(folder, log, env=retry["env"]) as session:
                answers[subject] = session.call(check.key, check.probe, check.args, check.timeout)
    for subject in ("reference", "student"):
        if not answers[subject].ok:
            return Outcome(check.key, 0.0, failure_text(answers[subject]))
    outcome = _judged(check, answers["reference"].value, answers["student"].value, settings)
    outcome.output = retry["note"] + "\n" + outcome.output
    return outcome


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
