"""Command line: Gradescope mode (no arguments) and local mode (a submission path).

    run_autograder                      Gradescope: /autograder/submission -> /autograder/results/results.json
    run_autograder path/to/submission   local: print a table; --json FILE also writes the JSON

The exit status tells a graded submission (0, whatever its score) from a grader
that could not grade (EXIT_CODES below; shown by --help). In Gradescope mode a
valid results.json exists in every case the process survives, and in the others
too: it is pre-written at the start (every test at 0, "the grading run did not
finish") and replaced atomically at the end (grader/results/results_file.py).
"""
import argparse
import os
import sys
import time
import traceback
from pathlib import Path

from grader.cli_table import format_table
from grader import limits
from grader.editions import EDITIONS, default_edition
from grader.results.minimal import BAD_RUBRIC, GRADER_FAULT, NOT_WRITTEN, UNFINISHED, minimal_results
from grader.results.results_file import ResultsFile, write_results
from grader.results.text import safe_text
from grader.rubric.load import RubricError, load_rubric

GRADESCOPE_SUBMISSION = Path("/autograder/submission")
SELFCHECK_ENV = "BERAS_SELFCHECK"
GRADESCOPE_RESULTS = Path("/autograder/results/results.json")

EXIT_GRADED = 0          # the submission was graded, whatever its score
EXIT_USAGE = 2           # bad arguments; SUBMISSION is not a folder
EXIT_GRADER_FAULT = 3    # the grader could not grade: reference did not answer, MNIST missing, internal error
EXIT_BAD_RUBRIC = 4      # the rubric is invalid (a staff error); nothing was graded
EXIT_NOT_WRITTEN = 5     # graded, but results.json could not be written in full
EXIT_CODES = f"""\
exit status:
  {EXIT_GRADED}  the submission was graded, whatever its score (0 points is still 0)
  1  the command itself crashed (a bug; Python's traceback is on stderr)
  {EXIT_USAGE}  usage error: bad arguments, or SUBMISSION is not a folder
  {EXIT_GRADER_FAULT}  grader fault: the grader could not grade (the reference solution did not
     answer, MNIST is missing, an internal error). results.json says so, every test at 0;
     stderr has a line starting "run_autograder: grader fault"
  {EXIT_BAD_RUBRIC}  the rubric is invalid (staff error): results.json carries the validator's message
  {EXIT_NOT_WRITTEN}  graded, but results.json could not be written (e.g. the disk is full); the file
     pre-written at the start ("the grading run did not finish") or a minimal one stands
In Gradescope mode results.json is always valid JSON that Gradescope accepts: written
before grading starts (every test at 0 of its max score) and replaced atomically at the end."""


def _parser():
    p = argparse.ArgumentParser(
        prog="run_autograder",
        description="Grade a Beras submission. With no SUBMISSION, run as Gradescope does: read "
                    f"{GRADESCOPE_SUBMISSION} and write {GRADESCOPE_RESULTS}. With a SUBMISSION folder, "
                    "print a table of tests, points and messages (local mode, for TAs and students).",
        epilog="Examples:\n  ./run_autograder path/to/my_submission\n"
               "  python -m grader path/to/my_submission --json results.json\n"
               "  ./run_autograder --batch DIR --out OUT   (staff: a whole class; --batch --help)\n"
               "Student code runs in separate, limited worker processes; the scores are decided here.\n\n"
               + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("submission", nargs="?", help="folder holding beras/ (or a folder above it)")
    p.add_argument("--json", metavar="FILE", help="also write results.json here (local mode)")
    p.add_argument("--results", metavar="FILE", default=str(GRADESCOPE_RESULTS),
                   help=f"where Gradescope mode writes results.json (default {GRADESCOPE_RESULTS})")
    p.add_argument("--submission-dir", metavar="DIR", default=str(GRADESCOPE_SUBMISSION),
                   help=f"where Gradescope mode reads the submission (default {GRADESCOPE_SUBMISSION})")
    p.add_argument("--rubric", metavar="TOML", help="rubric file (default: grader/rubric/<edition>.toml)")
    p.add_argument("--edition", default=default_edition(), choices=EDITIONS,
                   help=f"which edition's API and rubric (default: {default_edition()}, the edition this copy "
                        "of the grader was built for)")
    p.add_argument("--messages", type=int, default=6, metavar="N",
                   help="lines of each test's message shown in the table (default 6; 0 for all)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("--final", action="store_true",
                   help="run the final training test even without FINAL.txt (local mode)")
    p.add_argument("--metadata", metavar="FILE",
                   help="Gradescope's submission_metadata.json, for the rubric's [limits] (Gradescope mode "
                        f"reads {limits.GRADESCOPE_METADATA} when it exists)")
    p.add_argument("--answers", metavar="FILE", help=argparse.SUPPRESS)  # staff batch: wrong-answer digests
    p.add_argument("--selfcheck", action="store_true", default=os.environ.get(SELFCHECK_ENV) == "1",
                   help=f"a student's self-check (also ${SELFCHECK_ENV}=1): tests hidden on Gradescope "
                        "are listed, not run")
    return p


def _complain(code, what, detail):
    """The one stderr line a script or a TA reads to learn why the run did not end in a grade."""
    print(f"run_autograder: {what} (exit {code}): {' '.join(str(detail).split())}", file=sys.stderr, flush=True)


def _grade(submission, args, rubric, log, started, answers=None):
    """(results, None) when graded; (a minimal result saying so, the reason) when the grader failed."""
    from grader.grade import grade
    try:
        return grade(submission, edition_name=args.edition, rubric_path=args.rubric, log=log,
                     final=getattr(args, "final", False), selfcheck=getattr(args, "selfcheck", False),
                     answers=answers), None
    except Exception as error:  # the grader failed: say so, never pass it off as the student's score
        reason = f"{type(error).__name__}: {error}"
        detail = "".join(traceback.format_exception(error))[-3000:]
        results = minimal_results(rubric, GRADER_FAULT.format(reason=reason),
                                  execution_time=time.monotonic() - started,
                                  extra_data={"grader_fault": reason, "internal_error": detail})
        return results, reason


def _load_rubric(args):
    try:
        return load_rubric(args.rubric, edition=args.edition), None
    except RubricError as error:
        return None, str(error)


def _limit_decision(args, rubric, log, default_metadata=None):
    """The rubric's submission limit applied to this run's metadata (grader/limits.py). A
    metadata file that cannot be read never stops grading: the submission is graded."""
    path = args.metadata or (default_metadata if default_metadata and default_metadata.exists() else None)
    if rubric.limits is None or path is None or args.selfcheck:
        return limits.Decision(grade=True)
    try:
        return limits.decide(rubric.limits, limits.read_metadata(path))
    except limits.MetadataError as error:
        log(f"submission limit not applied: {error}")
        return limits.Decision(grade=True, data={"not_applied": str(error)})


def gradescope_mode(args, log):
    started = time.monotonic()
    out = ResultsFile(args.results)
    try:
        return _gradescope_run(args, log, out, started)
    finally:
        out.discard_reserve()


def _gradescope_run(args, log, out, started):
    rubric, problem = _load_rubric(args)
    if rubric is None:
        _complain(EXIT_BAD_RUBRIC, "invalid rubric", problem)
        _commit_or_complain(out, minimal_results(None, BAD_RUBRIC.format(reason=problem)), log)
        return EXIT_BAD_RUBRIC
    try:
        out.prewrite(minimal_results(rubric, UNFINISHED))
    except Exception as error:  # grading can still end with a good write
        log(f"could not pre-write {out.path} ({type(error).__name__}: {error}); grading anyway")
    if out.reserve_error:
        log(f"could not reserve disk for {out.path} ({out.reserve_error}); grading anyway")
    decision = _limit_decision(args, rubric, log, limits.GRADESCOPE_METADATA)
    if decision.grade:
        results, fault = _grade(args.submission_dir, args, rubric, log, started)
        results = limits.with_note(results, decision)
    else:
        results, fault = decision.results, None
    try:
        out.commit(results)
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"
        _complain(EXIT_NOT_WRITTEN, "results not written", reason)
        _commit_or_complain(out, minimal_results(rubric, NOT_WRITTEN.format(reason=reason),
                                                 execution_time=time.monotonic() - started), log)
        return EXIT_NOT_WRITTEN
    if fault:
        _complain(EXIT_GRADER_FAULT, "grader fault", fault)
        return EXIT_GRADER_FAULT
    log(f"wrote {out.path}: {results['score']} points")
    return EXIT_GRADED


def _commit_or_complain(out, results, log):
    try:
        out.commit(results)
    except Exception as error:
        log(f"the minimal results.json could not be written either ({type(error).__name__}: {error}); "
            "the one written at the start stands, if it was written")


def local_mode(args, log):
    if not Path(args.submission).is_dir():
        print(f"error: {safe_text(args.submission)} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    rubric, problem = _load_rubric(args)
    if rubric is None:
        _complain(EXIT_BAD_RUBRIC, "invalid rubric", problem)
        return EXIT_BAD_RUBRIC
    decision = _limit_decision(args, rubric, log)
    answers = {} if args.answers else None
    if decision.grade:
        results, fault = _grade(args.submission, args, rubric, log, time.monotonic(), answers)
        results = limits.with_note(results, decision)
    else:
        results, fault = decision.results, None
    print(format_table(results, message_lines=args.messages or 10_000))
    if answers is not None:
        from staff.answer_digests import write_digests  # staff tooling: only the batch asks for this
        write_digests(args.answers, answers)
    if args.json:
        try:
            write_results(results, args.json)
        except Exception as error:
            _complain(EXIT_NOT_WRITTEN, "results not written", f"{args.json}: {type(error).__name__}: {error}")
            return EXIT_NOT_WRITTEN
        print(f"results.json written to {safe_text(str(args.json))}")
    if fault:
        _complain(EXIT_GRADER_FAULT, "grader fault", fault)
        return EXIT_GRADER_FAULT
    return EXIT_GRADED


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if any(a == "--batch" or a.startswith("--batch=") for a in argv):
        from staff.cli import main as batch_main  # staff tooling (not in Gradescope's image): a whole class
        return batch_main(argv)
    args = _parser().parse_args(argv)
    log = (lambda msg: None) if args.quiet else (lambda msg: print(f"[grader] {msg}", file=sys.stderr, flush=True))
    if args.submission is None:
        return gradescope_mode(args, log)
    return local_mode(args, log)
