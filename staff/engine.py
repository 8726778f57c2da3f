"""Grading tasks on an executor: local processes by default, a Dask cluster with --dask.

Both are ``concurrent.futures`` executors - a ProcessPoolExecutor, or Dask's
``Client(address).get_executor()`` - given the same task function, so local and cluster
runs are one code path. A task grades one submission exactly as a single run does: a
subprocess ``python -m grader SUBMISSION --json ...`` (the same sandbox, the same
results), and returns what it wrote as data; only the batch's own process writes OUT.

Local tasks read the submission folder where it is; cluster tasks carry it packed, so
workers need no shared file system, only the same project on their path, as the
scheduler does (it unpickles the tasks); each task returns the grader's digest where it
ran, so a worker with another version is noticed.

    with open_executor(jobs=2) as (executor, capacity, where):
        for task, outcome in run_tasks(executor, tasks, capacity): ...
"""
from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from staff.keys import PROJECT_ROOT, grader_digest

STDERR_TAIL = 4000
# Each grading run keeps its worker processes' limits (address space, time): give it its
# own core and memory rather than oversubscribe the machine.
RUN_MEMORY_MB = 1200        # the trusted process plus its one worker (the final run's cap is 860 MB)
NOT_INHERITED = ("BERAS_SELFCHECK",)


@dataclass(frozen=True)
class Task:
    """One submission to grade: plain data, sent to the worker."""
    id: str
    folder_name: str
    rubric_text: str
    edition: str
    timeout_s: float
    path: str | None = None          # local: the folder itself
    archive: bytes | None = None     # cluster: the folder packed (tar.gz)


def pack(folder) -> bytes:
    """The folder as tar.gz bytes (links kept as links, never followed)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        tar.add(str(folder), arcname=Path(folder).name, recursive=True,
                filter=lambda info: None if info.name.endswith(("/__pycache__", ".pyc")) else info)
    return buffer.getvalue()


@contextlib.contextmanager
def _materialized(task: Task):
    """The submission folder on this worker: the task's own path, or its archive unpacked."""
    if task.archive is None:
        yield Path(task.path)
        return
    with tempfile.TemporaryDirectory(prefix="beras-batch-sub-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(task.archive), mode="r:gz") as tar:
            tar.extractall(tmp, filter="tar")
        yield Path(tmp, task.folder_name)


def grade_task(task: Task) -> dict:
    """Grade one submission in a subprocess; what it wrote, its exit status and timings, as data."""
    started = time.time()
    with _materialized(task) as folder, tempfile.TemporaryDirectory(prefix="beras-batch-") as tmp:
        results, answers, rubric = Path(tmp, "results.json"), Path(tmp, "answers.json"), Path(tmp, "rubric.toml")
        rubric.write_text(task.rubric_text, encoding="utf-8")
        command = [sys.executable, "-m", "grader", str(folder), "--json", str(results), "--answers", str(answers),
                   "--rubric", str(rubric), "--edition", task.edition, "--quiet"]
        exit_status, stderr = _run(command, task.timeout_s)
        return {"exit": exit_status, "stderr": stderr, "seconds": round(time.time() - started, 3),
                "started": started, "host": socket.gethostname(), "grader": grader_digest(),
                "results": _read(results), "answers": _read(answers)}


def _run(command, timeout_s):
    """(exit status or None when it ran out of time, the end of its stderr)."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    with subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, start_new_session=True) as process:
        try:
            _, err = process.communicate(timeout=timeout_s)
            return process.returncode, err.decode("utf-8", "replace")[-STDERR_TAIL:]
        except subprocess.TimeoutExpired:
            _stop(process)
            _, err = process.communicate()
            return None, (err.decode("utf-8", "replace")[-STDERR_TAIL:] +
                          f"\n[batch] the grading run passed {timeout_s:g} s and was stopped")
        except BaseException:  # Ctrl-C, a cancelled task: the run is in a session of its own, stop it too
            _stop(process)
            raise


def _stop(process):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)   # the grader and anything it left in its group


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def default_jobs() -> int:
    """One grading run per core, fewer when memory would not hold them."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, _available_mb() // RUN_MEMORY_MB or 1))


def _available_mb() -> int:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return RUN_MEMORY_MB * 64


@contextlib.contextmanager
def open_executor(jobs: int, dask_address: str | None = None):
    """(executor, how many tasks it runs at once, a description) for local processes or a Dask scheduler."""
    if dask_address:
        from distributed import Client  # staff dependency (requirements-staff.txt)
        with Client(dask_address, timeout="30s") as client:
            threads = sum(client.nthreads().values()) or 1
            executor = client.get_executor(pure=False)
            try:
                yield executor, threads, f"Dask scheduler {dask_address}: {len(client.nthreads())} workers, {threads} threads"
            finally:
                executor.shutdown(wait=False)
        return
    # spawn: the batch's own threads (the progress bar) are never copied into a forked child
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as executor:
        yield executor, jobs, f"{jobs} local process{'es' if jobs > 1 else ''}"


def run_tasks(executor, tasks, capacity: int):
    """Yield (task, outcome) as tasks finish; at most 2 x capacity in flight, so packed submissions
    are made only as they are needed. An outcome is grade_task's dict, or {"crash": text}."""
    tasks = iter(tasks)
    in_flight = {}

    def submit_next():
        task = next(tasks, None)
        if task is not None:
            in_flight[executor.submit(grade_task, task)] = task
        return task is not None

    for _ in range(max(1, 2 * capacity)):
        if not submit_next():
            break
    while in_flight:
        done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
        for future in done:
            task = in_flight.pop(future)
            try:
                outcome = future.result()
            except Exception as error:  # the task itself failed (a lost worker, a bug): never the batch
                outcome = {"crash": f"{type(error).__name__}: {error}"}
            submit_next()
            yield task, outcome
