"""python -m grader.reference_demo: grade the bundled reference submission, print the table.

The reference (beras/ + reference/spring2026/) is laid out as a student would
submit it, in a temporary folder, with FINAL.txt (so its model is trained on
MNIST, ~10 s); --no-final leaves FINAL.txt out.
"""
import argparse
import tempfile
from pathlib import Path

from grader.cli import main as grader_main
from grader.submission import build_reference_submission


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-final", action="store_true", help="leave FINAL.txt out: no training run")
    parser.add_argument("--json", metavar="FILE", help="also write results.json here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="beras-reference-submission-") as tmp:
        root = build_reference_submission(Path(tmp) / "submission")
        if not args.no_final:
            (root / "FINAL.txt").touch()
        return grader_main([str(root)] + (["--json", args.json] if args.json else []))


if __name__ == "__main__":
    raise SystemExit(main())
