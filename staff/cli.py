"""./run_autograder --batch DIR --out OUT [--jobs N] [--dask ADDRESS] [--regrade]

Reached through grader/cli.py when --batch is given (python -m staff.cli works too).
"""
import argparse
import sys
from pathlib import Path

from grader.editions import EDITIONS, default_edition
from grader.rubric.load import RubricError

EXIT_USAGE = 2
EXIT_BAD_RUBRIC = 4


def _parser():
    p = argparse.ArgumentParser(
        prog="run_autograder",
        description="Grade every submission in DIR (a Gradescope 'Export Submissions' folder with "
                    "submission_metadata.yml, or a folder of submission folders), each exactly as "
                    "./run_autograder SUBMISSION would, in parallel. Writes OUT/<id>/results.json, "
                    "OUT/grades.csv, OUT/integrity.json and OUT/report.html. A submission whose files, "
                    "rubric and grader are unchanged since the last run into OUT is not graded again.",
        epilog="exit status: 0 every submission was graded (whatever its score); 2 usage error; 3 the grader "
               "itself failed on some submission (listed at the end; everything else was graded and "
               "written); 4 the rubric is invalid.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--batch", required=True, metavar="DIR",
                   help="the folder of submissions, or Gradescope's export zip (unpacked into OUT/export/)")
    p.add_argument("--out", required=True, metavar="OUT", help="where results, CSV and report go")
    p.add_argument("--jobs", type=int, metavar="N",
                   help="grading runs at once on this machine (default: one per core, fewer if memory is short)")
    p.add_argument("--dask", metavar="ADDRESS",
                   help="run on a Dask scheduler (tcp://HOST:8786) instead of local processes; workers need "
                        "this project on their PYTHONPATH and the staff requirements")
    p.add_argument("--rubric", metavar="TOML", help="rubric file (default: grader/rubric/<edition>.toml)")
    p.add_argument("--edition", default=default_edition(), choices=EDITIONS)
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="stop a grading run after this long (default: the rubric's total_time_budget_s + 120 s; "
                        "a run stopped so counts as a grader failure)")
    p.add_argument("--stencil", metavar="DIR",
                   help="the code students started from, subtracted before comparing submissions "
                        "(default: submission_template/<edition>)")
    p.add_argument("--regrade", action="store_true", help="grade everything again, even unchanged submissions")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    from staff.batch import BatchOptions, run_batch
    from staff.export import BatchFolderError
    if args.jobs is not None and args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    log = lambda msg: print(f"[batch] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    options = BatchOptions(folder=Path(args.batch), out=Path(args.out), jobs=args.jobs, dask=args.dask,
                           rubric=args.rubric, edition=args.edition, regrade=args.regrade, timeout=args.timeout,
                           stencil=args.stencil,
                           progress=not args.quiet, log=log)
    try:
        return run_batch(options)
    except BatchFolderError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except RubricError as error:
        print(f"run_autograder: invalid rubric (exit {EXIT_BAD_RUBRIC}): {error}", file=sys.stderr)
        return EXIT_BAD_RUBRIC


if __name__ == "__main__":
    sys.exit(main())
