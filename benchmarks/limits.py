"""Whole grading runs under Gradescope's default limits: wall time, epochs, accuracy, peak memory.

    .venv/bin/python benchmarks/limits.py [--cases reference,reference_final,course_final]
                                          [--epochs N] [--cpu 0.5] [--mb 768] [--keep-cache]

Each case is `./run_autograder SUBMISSION --json FILE --quiet` run through
`../shared/tools/gradescope_limits.py` (a cgroup holding the whole process tree to
half a CPU and 768 MB; needs root), on a submission built here:
  reference        our reference submission, no FINAL.txt (the baseline of the ratios)
  reference_final  the same with FINAL.txt
  course_final     tests/bases "course" (the course's given code: per-sample compose loops,
                   a tiled (batch, 784, 256) weight gradient) with FINAL.txt
Printed per case: wall time and its ratio to the baseline measured in the same run,
the CPU seconds the cgroup used (steadier than wall time on a shared machine: at half
a CPU the wall time is at least twice it),
the final test's epochs, accuracy and score, the cgroup's peak memory (what the
limit counts: every process's memory and the page cache it brought in) and the
highest anonymous part of it (memory.stat: what no reclaim can free), what was
where when the cgroup's usage was highest, and the training worker's own peak -
resident memory sampled from /proc every 0.1 s, per role (the trusted process, the
probes' worker, the final run's training worker), as anonymous memory (the process's
own) / file-backed pages (libraries, memory-mapped MNIST: page cache, shared, and
dropped by the kernel under memory pressure instead of killing anything).

Before each case the MNIST files are dropped from the page cache
(posix_fadvise DONTNEED, these files only), so their pages are read - and charged to
the run's cgroup - as in a fresh Gradescope container; --keep-cache skips that.
The reference's answers are cached on disk first, as setup.sh does on Gradescope.
--epochs N grades with a copy of the shipped rubric whose final_epochs is N (a quicker
memory check), --set KEY=JSON with any other setting changed (e.g.
final_stop_at_full_marks=true); the default is the rubric as shipped.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.data import mnist  # noqa: E402
from tests.bases import build_base  # noqa: E402
from grader.rubric.load import default_rubric_path  # noqa: E402
from tests.grader.submissions import rubric_with  # noqa: E402

LIMITS_TOOL = ROOT.parent / "shared" / "tools" / "gradescope_limits.py"
CASES = {"reference": ("reference", False), "reference_final": ("reference", True),
         "course_final": ("course", True)}
BASELINE = "reference"
POLL_S = 0.1
CGROUP_PREFIX = "gradescope-limits-"     # the cgroups gradescope_limits.py makes
HIDE_LABELS = "BERAS_HIDE_TEST_LABELS"   # grader/runner/training.py sets it for the training worker only


# ------------------------------------------------------------------ memory of the process tree

def _children():
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    return children


def _memory_kb(pid):
    """(RssAnon, RssFile + RssShmem) in kB, or None when the process is gone."""
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("RssAnon", "RssFile", "RssShmem"):
                    fields[key] = int(value.split()[0])
    except OSError:
        return None
    return fields.get("RssAnon", 0), fields.get("RssFile", 0) + fields.get("RssShmem", 0)


def _role(pid):
    """"trusted" (`python -m grader`), "training" (the final run's worker: the only one whose
    environment hides the test labels), "probes" (any other worker), or None (bash, bwrap)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
        if b"-m" in argv and b"grader" in argv:
            return "trusted"
        if b"grader.sandbox.worker" not in argv:
            return None
        with open(f"/proc/{pid}/environ", "rb") as f:
            environ = f.read().split(b"\0")
    except OSError:
        return None
    return "training" if HIDE_LABELS.encode() + b"=1" in environ else "probes"


def _cgroup_of(pid):
    """The memory cgroup folder a process is in (cgroup v1 or v2), or None."""
    try:
        with open(f"/proc/{pid}/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if CGROUP_PREFIX not in path:
            continue                  # not moved into the tool's cgroup yet
        if "memory" in controllers.split(","):
            return Path("/sys/fs/cgroup/memory" + path)
        if controllers == "" and Path("/sys/fs/cgroup/cgroup.controllers").exists():
            return Path("/sys/fs/cgroup" + path)
    return None


def _cgroup_mb(folder):
    """(usage, anonymous part) of the cgroup in MB: all it is charged for, page cache included,
    and the part no reclaim can free (no swap here)."""
    usage = anon = 0.0
    for name in ("memory.usage_in_bytes", "memory.current"):
        try:
            usage = int((folder / name).read_text()) / 2 ** 20
            break
        except (OSError, ValueError):
            continue
    try:
        stat = dict(line.split() for line in (folder / "memory.stat").read_text().splitlines())
        anon = int(stat.get("total_rss", stat.get("rss", stat.get("anon", 0)))) / 2 ** 20
    except (OSError, ValueError):
        pass
    return usage, anon


ROLES = ("trusted", "probes", "training")


class TreeSampler(threading.Thread):
    """Every POLL_S: each role's resident memory (anonymous, file-backed) and the cgroup's usage.
    Keeps each role's peak, and the snapshot taken when the cgroup's usage was highest
    (what was where at the peak; the rest of the cgroup's figure is page cache)."""

    def __init__(self, root_pid):
        super().__init__(daemon=True)
        self.root_pid, self.stop = root_pid, threading.Event()
        self.cgroup = None
        self.peak = {f"{role}_{kind}": 0.0 for role in ROLES for kind in ("anon", "file")}
        self.at_cgroup_peak = {"cgroup": 0.0}
        self.cgroup_anon_peak = 0.0

    def run(self):
        while not self.stop.wait(POLL_S):
            self.sample()

    def sample(self):
        children = _children()
        stack, now = list(children.get(self.root_pid, [])), dict.fromkeys(self.peak, 0.0)
        while stack:
            pid = stack.pop()
            stack.extend(children.get(pid, []))
            if self.cgroup is None:
                self.cgroup = _cgroup_of(pid)
            role, kb = _role(pid), _memory_kb(pid)
            if role is None or kb is None:
                continue
            now[f"{role}_anon"] += kb[0] / 1024
            now[f"{role}_file"] += kb[1] / 1024
        for key, value in now.items():
            self.peak[key] = max(self.peak[key], value)
        usage, anon = _cgroup_mb(self.cgroup) if self.cgroup else (0.0, 0.0)
        self.cgroup_anon_peak = max(self.cgroup_anon_peak, anon)
        # Only while a role's process runs: the page cache stays charged after they exit.
        if usage > self.at_cgroup_peak["cgroup"] and any(now.values()):
            self.at_cgroup_peak = {"cgroup": usage, **now}


# ------------------------------------------------------------------ one case

def drop_mnist_from_page_cache():
    """Evict the MNIST files (the .gz and their prepared arrays) from the page cache."""
    prepared = mnist.prepared_dir() if hasattr(mnist, "prepared_dir") else None   # absent before the .npy change
    for folder in [mnist.mnist_dir()] + ([prepared] if prepared else []):
        for path in Path(folder).glob("*"):
            if path.is_file():
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(fd)


def run_case(submission, rubric, cpu, mb, keep_cache):
    if not keep_cache:
        drop_mnist_from_page_cache()
    with tempfile.TemporaryDirectory(prefix="beras-limits-json-") as tmp:
        out = Path(tmp) / "results.json"
        cmd = [sys.executable, str(LIMITS_TOOL), "--cpu", str(cpu), "--mb", str(mb), "--",
               str(ROOT / "run_autograder"), str(submission), "--json", str(out), "--quiet"]
        if rubric:
            cmd += ["--rubric", str(rubric)]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        stdout, stderr = proc.communicate()
        sampler.stop.set()
        sampler.join()
        limits = json.loads(stdout.decode().strip().splitlines()[-1])
        if limits["rc"] != 0 or not out.exists():
            raise SystemExit(f"run_autograder failed ({limits}): {stderr.decode(errors='replace')[-2000:]}")
        results = json.loads(out.read_text())
    final = next(t for t in results["tests"] if t.get("number") == "5.1")
    info = (final.get("extra_data") or {}).get("final", {})
    return {"wall_s": limits["wall_s"], "cgroup_peak_mb": limits["peak_mb"], "oom_kills": limits["oom_kills"],
            "cpu_s": limits["cpu_s"], "score": results["score"],
            "max_score": sum(t["max_score"] for t in results["tests"]), "final_score": final["score"],
            "epochs": info.get("epochs_run"), "accuracy": info.get("accuracy"),
            "epoch_s": info.get("epoch_seconds") or [], "training_s": info.get("total_seconds"),
            "setup_s": info.get("setup_seconds"),
            "memory": sampler.peak, "at_cgroup_peak": sampler.at_cgroup_peak,
            "cgroup_anon_peak_mb": round(sampler.cgroup_anon_peak)}


def fill_reference_cache():
    """The reference's answers on disk, as setup.sh leaves them on Gradescope (a no-op when cached)."""
    from grader.editions import load_edition
    from grader.rubric.load import load_rubric
    from grader.runner.reference import reference_answers
    edition = load_edition()
    reference_answers(edition.NAME, edition.checks(load_rubric(edition=edition.NAME).settings["input_seed"]))


def table(rows):
    base = next((r["wall_s"] for label, r in rows if label == BASELINE), None)
    lines = ["| case | wall s | x baseline | CPU s | score | epochs | s/epoch | test accuracy | cgroup peak MB "
             "| of which anonymous (sampled) | at the sampled peak: trusted + probes + training worker MB (anon/file) | training worker peak MB (anon/file) "
             "| oom kills |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for label, r in rows:
        ratio = f"{r['wall_s'] / base:.1f}" if base else "-"
        eps = r["epoch_s"]
        per = f"{sum(eps) / len(eps):.1f}" if eps else "-"
        acc = f"{r['accuracy']:.2%}" if r["accuracy"] is not None else "-"
        at, peak = r["at_cgroup_peak"], r["memory"]
        where = " + ".join(f"{at.get(role + '_anon', 0):.0f}/{at.get(role + '_file', 0):.0f}" for role in ROLES)
        lines.append(f"| {label} | {r['wall_s']:.1f} | {ratio} | {r['cpu_s']:.1f} | {r['score']:g}/{r['max_score']:g} | {r['epochs'] or 0} "
                     f"| {per} | {acc} | {r['cgroup_peak_mb']} | {r['cgroup_anon_peak_mb']} | {where} "
                     f"| {peak['training_anon']:.0f}/{peak['training_file']:.0f} | {r['oom_kills']} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, from {list(CASES)}")
    parser.add_argument("--epochs", type=int, help="final_epochs for this run (a rubric copy); default: the rubric's")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON",
                        help="any other rubric setting for this run, e.g. final_stop_at_full_marks=true")
    parser.add_argument("--cpu", type=float, default=0.5)
    parser.add_argument("--mb", type=int, default=768)
    parser.add_argument("--keep-cache", action="store_true", help="do not evict MNIST from the page cache first")
    parser.add_argument("--json", help="also write the measurements to this file")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("benchmarks/limits.py needs root (gradescope_limits.py creates a cgroup)")
    names = [c for c in args.cases.split(",") if c]
    unknown = set(names) - set(CASES)
    if unknown:
        raise SystemExit(f"unknown cases {sorted(unknown)}; choose from {list(CASES)}")
    fill_reference_cache()
    rows = []
    with tempfile.TemporaryDirectory(prefix="beras-limits-") as tmp:
        settings = {key: json.loads(value) for key, _, value in (item.partition("=") for item in args.set)}
        if args.epochs:
            settings["final_epochs"] = args.epochs
        rubric = rubric_with(tmp, source=default_rubric_path(), **settings) if settings else None
        for name in names:
            base, final = CASES[name]
            submission = build_base(Path(tmp) / name, base)
            if final:
                (submission / "FINAL.txt").write_text("")
            print(f"running {name} ...", file=sys.stderr, flush=True)
            rows.append((name, run_case(submission, rubric, args.cpu, args.mb, args.keep_cache)))
            print(f"  {json.dumps(rows[-1][1])}", file=sys.stderr, flush=True)
    print(f"limits: {args.cpu} CPU, {args.mb} MB; nproc {os.cpu_count()}, python {sys.version.split()[0]}"
          + "".join(f"; {item}" for item in args.set) + (f"; final_epochs = {args.epochs}" if args.epochs else ""))
    print(table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(dict(rows), indent=1))


if __name__ == "__main__":
    main()
