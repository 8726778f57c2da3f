"""Command line: Gradescope mode (no arguments) and local mode (a submission path).

    run_autograder                      Gradescope: /autograder/submission -> /autograder/results/results.json
    run_autograder path/to/submission   local: print a table; --json FILE also writes the JSON
"""
import argparse
import sys
import time
from pathlib import Path

from grader.editions import DEFAULT_EDITION, EDITIONS
from grader.results.gradescope import build_results, format_table, write_results
from grader.rubric.load import load_rubric

GRADESCOPE_SUBMISSION = Path("/autograder/submission")
GRADESCOPE_RESULTS = Path("/autograder/results/results.json")


def _parser():
    p = argparse.ArgumentParser(
        prog="run_autograder",
        description="Grade a Beras submission. With no SUBMISSION, run as Gradescope does: read "
                    f"{GRADESCOPE_SUBMISSION} and write {GRADESCOPE_RESULTS}. With a SUBMISSION folder, "
                    "print a table of tests, points and messages (local mode, for TAs and students).",
        epilog="Examples:\n  ./run_autograder path/to/my_submission\n"
               "  python -m grader path/to/my_submission --json results.json\n"
               "Student code runs in separate, limited worker processes; the scores are decided here.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("submission", nargs="?", help="folder holding beras/ (or a folder above it)")
    p.add_argument("--json", metavar="FILE", help="also write results.json here (local mode)")
    p.add_argument("--results", metavar="FILE", default=str(GRADESCOPE_RESULTS),
                   help=f"where Gradescope mode writes results.json (default {GRADESCOPE_RESULTS})")
    p.add_argument("--submission-dir", metavar="DIR", default=str(GRADESCOPE_SUBMISSION),
                   help=f"where Gradescope mode reads the submission (default {GRADESCOPE_SUBMISSION})")
    p.add_argument("--rubric", metavar="TOML", help="rubric file (default: grader/rubric/<edition>.toml)")
    p.add_argument("--edition", default=DEFAULT_EDITION, choices=EDITIONS)
    p.add_argument("--messages", type=int, default=6, metavar="N",
                   help="lines of each test's message shown in the table (default 6; 0 for all)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    return p


def _safe_grade(submission, args, log):
    """grade(), but an internal error still yields a complete, valid result."""
    from grader.grade import grade
    started = time.monotonic()
    try:
        return grade(submission, edition_name=args.edition, rubric_path=args.rubric, log=log)
    except Exception as error:  # a grader bug must not cost the student a results.json
        import traceback
        detail = "".join(traceback.format_exception(error))[-3000:]
        reason = (f"The grader hit an internal error and could not finish ({type(error).__name__}: {error}). "
                  "This is not your fault; tell the course staff.")
        rubric = load_rubric(args.rubric, edition=args.edition)
        return build_results(rubric, {}, execution_time=time.monotonic() - started, output=reason,
                             missing_reason=reason, extra_data={"internal_error": detail})


def main(argv=None):
    args = _parser().parse_args(argv)
    log = (lambda msg: None) if args.quiet else (lambda msg: print(f"[grader] {msg}", file=sys.stderr, flush=True))
    if args.submission is None:
        results = _safe_grade(args.submission_dir, args, log)
        path = write_results(results, args.results)
        log(f"wrote {path}: {results['score']} points")
        return 0
    if not Path(args.submission).is_dir():
        print(f"error: {args.submission} is not a folder", file=sys.stderr)
        return 2
    results = _safe_grade(args.submission, args, log)
    print(format_table(results, message_lines=args.messages or 10_000))
    if args.json:
        write_results(results, args.json)
        print(f"results.json written to {args.json}")
    return 0
