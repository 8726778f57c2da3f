"""A Session: the worker that runs probes for one subject (the reference or a student)."""
import time

from grader.checks.compare import error_text
from grader.data import mnist
from grader.sandbox.supervisor import Worker
from grader.shims import SHIMS_DIR

WORKER_MEMORY_MB = 640
STDOUT_SHOWN = 1500


class Session:
    """The workers and what they answered, for one subject (reference or student)."""

    def __init__(self, root, log=lambda msg: None, env=None):
        # MNIST is staged into the worker's own area: training files, test images, and a decoy
        # in place of the test labels (the preprocess probe loads them; the real ones never go in),
        # with their prepared arrays (memory-mapped, no decoding) where they can be linked.
        self.worker = Worker(root, memory_mb=WORKER_MEMORY_MB, shims=SHIMS_DIR, env=dict(env or {}),
                             data_files=mnist.files_for_worker(decoy_test_labels=True),
                             data_links=mnist.prepared_for_worker(), data_dir_env=mnist.ENV_VAR)
        self.log = log
        self.seconds = {}

    def call(self, key, probe, args, timeout):
        started = time.monotonic()
        result = self.worker.call(probe, args, timeout=timeout)
        self.seconds[key] = round(time.monotonic() - started, 3)
        return result

    @property
    def protections(self):
        return self.worker.protections

    def close(self):
        self.worker.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def failure_text(result):
    """Why a probe produced no value: the worker's own account, and what the code printed."""
    if result.status == "error" and result.error:
        text = error_text(result.error)
    else:
        text = result.detail or f"the probe ended with status {result.status}"
    if result.status == "timeout":
        text += "\n    hint: look for an infinite loop, or a Python loop over every sample or entry."
    if result.status == "memory":
        text += "\n    hint: an array much bigger than needed (e.g. a (batch, in, out) tensor) exhausts memory."
    printed = (result.stdout or "").strip()
    if len(printed) > STDOUT_SHOWN:
        printed = "[... earlier output cut ...]\n" + printed[-STDOUT_SHOWN:]
    if printed:
        text += f"\nYour code printed (the end is where it stopped):\n{printed}"
    return text


def ran_out_of_memory(result):
    """The worker ran out of memory, as a status or as a MemoryError in any case (structured, not text)."""
    if result.status == "memory":
        return True
    cases = result.value if result.ok and isinstance(result.value, dict) else {}
    return any(isinstance(case, dict) and isinstance(case.get("error"), dict)
               and case["error"].get("type") == "MemoryError" for case in cases.values())
