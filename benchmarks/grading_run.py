"""Whole grading runs with FINAL.txt: wall time, test accuracy, peak memory of all processes.

    .venv/bin/python benchmarks/grading_run.py [--skip-pinned] [--skip-loop] [--rubric TOML]

Runs `./run_autograder SUBMISSION --json FILE --quiet` as a subprocess for
  1. the reference submission with FINAL.txt,
  2. the same pinned to one core (`taskset -c 0`),
  3. the reference patched the way the course stencil writes compose (a Python
     loop over samples in Diffable.compose_*_gradients, Linear weight gradient
     tiled to (batch, in, out)), with FINAL.txt.
While a run goes, /proc is polled every 50 ms and the resident set sizes (VmRSS)
of the grader process and all its descendants (the workers) are summed; the
largest sum is the peak reported. Gradescope's default limit is 768 MB for all
processes together. Prints a table (Markdown).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.final import submissions  # noqa: E402

POLL_S = 0.05


def _children_map():
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(root_pid):
    children, total, stack = _children_map(), 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += _rss_kb(pid)
        stack.extend(children.get(pid, []))
    return total / 1024


def run(submission, pinned=False, rubric=None):
    with tempfile.TemporaryDirectory(prefix="beras-bench-json-") as tmp:
        out = Path(tmp) / "results.json"
        cmd = ([shutil.which("taskset"), "-c", "0"] if pinned else []) + \
            [str(ROOT / "run_autograder"), str(submission), "--json", str(out), "--quiet"]
        if rubric:
            cmd += ["--rubric", str(rubric)]
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, tree_rss_mb(proc.pid))
            time.sleep(POLL_S)
        wall = time.monotonic() - started
        stderr = proc.stderr.read().decode(errors="replace")
        if proc.returncode != 0 or not out.exists():
            raise SystemExit(f"run_autograder failed ({proc.returncode}): {stderr[-2000:]}")
        results = json.loads(out.read_text())
    final = next(t for t in results["tests"] if t.get("number") == "5.1")
    board = {e["name"]: e["value"] for e in results.get("leaderboard", [])}
    info = (final.get("extra_data") or {}).get("final", {})
    return {"wall_s": wall, "peak_mb": peak, "score": results["score"], "final_score": final["score"],
            "final_max": final["max_score"], "accuracy": board.get("Accuracy"),
            "epochs": info.get("epochs_run"), "epoch_s": info.get("epoch_seconds") or [],
            "final_output": final.get("output", "")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-pinned", action="store_true")
    parser.add_argument("--skip-loop", action="store_true")
    parser.add_argument("--rubric", help="rubric TOML (default: the edition's)")
    parser.add_argument("--show-output", action="store_true", help="print test 5.1's message for each run")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="beras-bench-") as tmp:
        ref = submissions.reference(Path(tmp) / "reference")
        cases = [("reference, FINAL.txt", ref, False)]
        if not args.skip_pinned:
            cases.append(("reference, FINAL.txt, taskset -c 0", ref, True))
        if not args.skip_loop:
            cases.append(("loop compose + tiled Linear, FINAL.txt", submissions.loop_compose(Path(tmp) / "loop"),
                          False))
        for label, sub, pinned in cases:
            print(f"running: {label} ...", file=sys.stderr, flush=True)
            r = run(sub, pinned, args.rubric)
            rows.append((label, r))
            if args.show_output:
                print(f"--- {label}: test 5.1 output\n{r['final_output']}\n", file=sys.stderr)
    print(f"nproc {os.cpu_count()}, python {sys.version.split()[0]}")
    print("| run | wall s | total score | 5.1 score | test accuracy | epochs | s/epoch (mean, max) | peak RSS MB (all processes) |")
    print("|---|---|---|---|---|---|---|---|")
    for label, r in rows:
        eps = r["epoch_s"]
        per = f"{sum(eps) / len(eps):.1f}, {max(eps):.1f}" if eps else "-"
        acc = f"{r['accuracy']:.4f}" if r["accuracy"] is not None else "-"
        print(f"| {label} | {r['wall_s']:.1f} | {r['score']:g} | {r['final_score']:g}/{r['final_max']:g} | {acc} "
              f"| {r['epochs']} | {per} | {r['peak_mb']:.0f} |")


if __name__ == "__main__":
    main()
