"""Measure the grader's verdicts with an automated mutation campaign (see tools/mutation/).

    python tools/mutation_campaign.py --out REPORT.json [--edition E] [--sample N] [--jobs N] [--seed S]

Run from anywhere with the project's Python; --help lists every option.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.mutation.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
