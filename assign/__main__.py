"""python -m assign [--check] [--edition NAME]: cut the student stencil from the reference.

python -m assign --edition NAME --reference-submission DIR [--epochs N]: the reference as a
student hands it in (assign/submission.py)."""
import argparse
import sys
from pathlib import Path

from .editions import EDITIONS
from .generate import PROJECT_ROOT, GenerationError, check, generate
from .markers import MarkerError
from .submission import write_reference_submission


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m assign",
        description="Generate submission_template/<edition>/ from beras/ and reference/<edition>/ "
                    "by their solution markers, with the students' self-check kit (run_autograder and "
                    "selfcheck/: the grader without the solution, and the reference's answers for public "
                    "inputs; see assign/selfcheck.py).")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the committed stencil is out of sync")
    parser.add_argument("--edition", choices=sorted(EDITIONS), action="append",
                        help="only this edition (repeatable; default: all)")
    parser.add_argument("--reference-submission", type=Path, metavar="DIR",
                        help="instead: write the reference submission of the one --edition into DIR (new or "
                             "empty), as a student hands it in: the stencil's files filled in with the "
                             "solution, plus FINAL.txt (spring2026) or predictions.npy from actually training "
                             "the reference (fall2025)")
    parser.add_argument("--epochs", type=int, metavar="N",
                        help="with --reference-submission: train N epochs (default: assignment.py's own)")
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT,
                        help="project root holding beras/, reference/ and submission_template/ "
                             "(default: this checkout)")
    args = parser.parse_args(argv)
    editions = args.edition or sorted(EDITIONS)
    if args.reference_submission is None and args.epochs is not None:
        parser.error("--epochs goes with --reference-submission")
    if args.reference_submission is not None:
        if args.check or len(args.edition or ()) != 1:
            parser.error("--reference-submission takes exactly one --edition (and no --check)")
        return reference_submission(args.edition[0], args.reference_submission, args.root, args.epochs)
    try:
        if args.check:
            problems = [p for name in editions for p in check(name, args.root)]
            if problems:
                print("The committed stencil is out of sync with the reference:", file=sys.stderr)
                for p in problems:
                    print(f"  {p}", file=sys.stderr)
                print("Run `python -m assign` to regenerate.", file=sys.stderr)
                return 1
            print(f"Stencil in sync: {', '.join(editions)}")
            return 0
        for name in editions:
            target = generate(name, args.root)
            print(f"{name}: wrote {target}")
        return 0
    except (MarkerError, GenerationError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def reference_submission(edition, folder, root, epochs):
    try:
        written = write_reference_submission(edition, folder, root, epochs)
    except (MarkerError, GenerationError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    extra = f"; training took {written.train_seconds:.0f} s" if written.train_seconds else ""
    print(f"{edition}: wrote the reference submission to {written.folder} ({len(written.files)} files{extra})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
