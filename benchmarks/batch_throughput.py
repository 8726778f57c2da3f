"""Submissions per minute of ./run_autograder --batch on this machine, local and on Dask.

    .venv/bin/python benchmarks/batch_throughput.py [--n 8] [--final] [--jobs 1 2] [--dask]

Builds a class of N real submissions (both bases, half of them with a classic bug, see
tests/grader/test_both_bases.py), then times a full batch (--regrade) for each --jobs,
and with --dask on a LocalCluster of that many one-thread workers. The reference's
answers are cached first (as setup.sh does on Gradescope), so no run pays for them.
"""
import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.grader.submissions import make_submission  # noqa: E402
from tests.grader.test_both_bases import BUGS  # noqa: E402


def build_class(folder: Path, n: int, final: bool, bases) -> Path:
    folder.mkdir()
    bugs = [p.values[0] for p in BUGS]
    for i in range(n):
        base = bases[i % len(bases)]
        overrides = bugs[(i // 2) % len(bugs)] if i % 4 >= 2 else None
        make_submission(folder, name=f"student{i:03d}", base=base, overrides=overrides, final=final)
    return folder


def timed_batch(folder, out, *extra) -> float:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "grader", "--batch", str(folder), "--out", str(out), "--quiet",
                           "--regrade", *map(str, extra)], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"batch failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return time.monotonic() - started


def report(label, n, seconds):
    print(f"{label:<34} {n:>3} submissions  {seconds:7.1f} s wall  {60 * n / seconds:6.1f} submissions/minute",
          flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=8)
    p.add_argument("--final", action="store_true", help="every submission has FINAL.txt")
    p.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    p.add_argument("--dask", action="store_true", help="also on a LocalCluster, per --jobs")
    p.add_argument("--bases", nargs="+", default=["reference", "course"], choices=["reference", "course"],
                   help="bases the submissions alternate between (course-code training is ~70 s per epoch)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="beras-batch-bench-") as tmp:
        folder = build_class(Path(tmp) / "class", args.n, args.final, args.bases)
        what = ("FINAL.txt" if args.final else "no FINAL.txt") + ("" if len(args.bases) > 1 else f", {args.bases[0]}")
        for jobs in args.jobs:
            report(f"local --jobs {jobs}, {what}", args.n, timed_batch(folder, Path(tmp) / f"j{jobs}", "--jobs", jobs))
        if args.dask:
            from distributed import LocalCluster
            for jobs in args.jobs:
                with LocalCluster(n_workers=jobs, threads_per_worker=1, dashboard_address=None) as cluster:
                    seconds = timed_batch(folder, Path(tmp) / f"d{jobs}", "--dask", cluster.scheduler_address)
                report(f"Dask LocalCluster {jobs}x1, {what}", args.n, seconds)


if __name__ == "__main__":
    main()
