"""python -m grader.reference_demo: grade the bundled reference submission, print the table.

The reference (beras/ + reference/spring2026/) is laid out as a student would
submit it, in a temporary folder; pass --final to add FINAL.txt (trains on MNIST).
"""
import argparse
import tempfile
from pathlib import Path

from grader.cli import main as grader_main
from grader.submission import build_reference_submission


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--final", action="store_true", help="add FINAL.txt: also train and score accuracy")
    parser.add_argument("--json", metavar="FILE", help="also write results.json here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="beras-reference-submission-") as tmp:
        root = build_reference_submission(Path(tmp) / "submission")
        if args.final:
            (root / "FINAL.txt").touch()
        return grader_main([str(root)] + (["--json", args.json] if args.json else []))


if __name__ == "__main__":
    raise SystemExit(main())
