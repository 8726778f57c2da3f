"""Grade a whole class: every submission in a folder, each exactly as a single run would.

    code = run_batch(BatchOptions(folder=..., out=..., jobs=2))

1. find the submissions (staff/export.py: a Gradescope export or a folder of folders);
2. skip those graded before with the same files, rubric and grader (staff/keys.py);
3. grade the rest on the executor (staff/engine.py), writing OUT/<id>/ as each finishes
   (staff/records.py), with a progress bar and its ETA;
4. write OUT/grades.csv (staff/csv_out.py), OUT/integrity.json (staff/integrity/) and
   OUT/report.html (staff/report.py).

A submission that fails is a score, never a stop. The exit status is not 0 only when the
grader itself failed somewhere (a grader fault, a crash, a run out of time, a worker
with another grader): EXIT_GRADER_FAILED, after everything else was graded and written.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from grader.rubric.load import load_rubric
from staff import records
from staff.engine import Task, default_jobs, open_executor, pack, run_tasks
from staff.export import find_submissions, unpacked
from staff.keys import grader_digest, resume_key

EXIT_OK = 0
EXIT_GRADER_FAILED = 3
RUN_TIMEOUT_MARGIN_S = 120     # past the rubric's whole-run budget, a run is stopped from outside


@dataclass
class BatchOptions:
    folder: Path
    out: Path
    jobs: int | None = None
    dask: str | None = None
    rubric: str | None = None
    edition: str = "spring2026"
    regrade: bool = False
    stencil: Path | None = None       # the handout students started from (default: submission_template/<edition>)
    timeout: float | None = None      # seconds per grading run (default: the rubric's budget + margin)
    progress: bool = True
    log: object = print


def run_batch(options: BatchOptions) -> int:
    log = options.log
    rubric = load_rubric(options.rubric, edition=options.edition)      # RubricError: the caller says so
    rubric_text = Path(rubric.source).read_text(encoding="utf-8")
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    submissions, warnings = find_submissions(unpacked(options.folder, out), exclude=[out])
    for warning in warnings:
        log(f"warning: {warning}")
    grader = grader_digest()
    keys = {s.id: resume_key(s.path, rubric_text, options.edition, grader) for s in submissions}
    kept = {} if options.regrade else {s.id: r for s in submissions
                                       if (r := records.reusable(out, s.id, keys[s.id])) is not None}
    todo = [s for s in submissions if s.id not in kept]
    jobs = options.jobs or default_jobs()
    timeout = options.timeout or rubric.settings["total_time_budget_s"] + RUN_TIMEOUT_MARGIN_S
    started = time.monotonic()
    runs = dict(kept)
    if todo:
        runs.update(_grade(todo, options, rubric_text, timeout, jobs, keys, grader, out, len(kept), log))
    wall = time.monotonic() - started
    _write_outputs(out, submissions, runs, rubric, options, {"wall_s": wall, "jobs": jobs, "dask": options.dask,
                                                             "folder": str(options.folder), "graded_now": len(todo),
                                                             "kept": len(kept)})
    failed = sorted(i for i, r in runs.items() if r["status"] != records.GRADED)
    log(f"{len(submissions)} submissions: {len(todo)} graded now, {len(kept)} unchanged since the last run, "
        f"{len(failed)} where the grader failed; {wall:.1f} s. Wrote {out / 'grades.csv'} and {out / 'report.html'}")
    if failed:
        log("the grader failed on: " + ", ".join(f"{i} ({runs[i]['status']})" for i in failed))
        return EXIT_GRADER_FAILED
    return EXIT_OK


def _tasks(todo, options, rubric_text, timeout):
    for s in todo:
        common = dict(id=s.id, folder_name=s.path.name, rubric_text=rubric_text, edition=options.edition,
                      timeout_s=timeout)
        yield Task(**common, archive=pack(s.path)) if options.dask else Task(**common, path=str(s.path))


def _grade(todo, options, rubric_text, timeout, jobs, keys, grader, out, already, log):
    runs = {}
    with open_executor(jobs, options.dask) as (executor, capacity, where):
        log(f"grading {len(todo)} submissions on {where}" + (f" ({already} unchanged, kept)" if already else ""))
        with _progress(len(todo), options.progress) as bar:
            for task, outcome in run_tasks(executor, _tasks(todo, options, rubric_text, timeout), capacity):
                record = records.save(out, task.id, keys[task.id], grader, outcome)
                runs[task.id] = record
                if record["status"] != records.GRADED:
                    bar.write(f"{task.id}: {record['status']}: {record['stderr'].strip()[-300:]}")
                bar.set_postfix_str(f"last {task.id}", refresh=False)
                bar.update(1)
    return runs


def _progress(total, enabled):
    from tqdm import tqdm  # staff dependency (requirements-staff.txt)
    return tqdm(total=total, unit="sub", desc="grading", disable=not enabled, file=sys.stderr, dynamic_ncols=True)


def _write_outputs(out, submissions, runs, rubric, options, context):
    from staff import csv_out, report
    from staff.integrity import find_flags
    results = {s.id: records.load_json(out, s.id, "results.json") for s in submissions}
    answers = {s.id: records.load_json(out, s.id, "answers.json") for s in submissions}
    flags = find_flags(submissions, results, answers, rubric, options.edition, stencil=options.stencil)
    flags.save(out / "integrity.json")
    csv_out.write_grades(out / "grades.csv", submissions, runs, results, rubric, flags)
    report.write_report(out / "report.html", submissions, runs, results, rubric, flags,
                        context=context)
