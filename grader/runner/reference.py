"""The reference's answers to every check's probe: a value, computed once and cached on disk.

The answers depend only on the checks' inputs and the reference's code, so they
are keyed by a hash of both and kept as plain data (the worker codec, no pickle)
under the cache folder: the first grading run on a machine computes them in a
reference worker, later runs read them (Gradescope: setup.sh fills the cache when
the image is built). A reference that fails a probe is a grader fault: never
score against answers that are not there.
"""
import hashlib
import os
import tempfile
from pathlib import Path

from grader.checks.compare import error_text
from grader.runner.session import Session, failure_text
from grader.sandbox.codec import CodecError, decode, encode
from grader.submission import PROJECT_ROOT, build_reference_submission

CACHE_ENV = "BERAS_REFERENCE_CACHE"
REFERENCE_SLOWDOWN = 3          # the reference's probes may take 3 x a check's own allowance
MAX_CACHE_BYTES = 64 * 1024 * 1024


class ReferenceFailed(RuntimeError):
    """The reference did not answer a probe: the grader cannot grade (a grader fault)."""


def cache_dir():
    return Path(os.environ.get(CACHE_ENV) or PROJECT_ROOT / ".cache" / "reference")


def _source_digest(edition):
    digest = hashlib.sha256()
    for folder in (PROJECT_ROOT / "beras", PROJECT_ROOT / "reference" / edition, PROJECT_ROOT / "grader" / "probes"):
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(edition, checks):
    digest = hashlib.sha256(_source_digest(edition).encode())
    for check in checks:
        digest.update(check.key.encode() + check.probe.encode() + encode(check.args))
    return digest.hexdigest()[:32]


def reference_answers(edition, checks, log=lambda msg: None):
    """({check key: answer}, {check key: seconds}) for the checks scored against the reference."""
    wanted = [c for c in checks if c.uses_reference]
    path = cache_dir() / f"{edition}-{cache_key(edition, wanted)}.answers"
    cached = _read(path)
    if cached is not None:
        return cached["answers"], cached["seconds"]
    log("running the reference's probes")
    answers, seconds = _compute(edition, wanted, log)
    _write(path, {"answers": answers, "seconds": seconds})
    return answers, seconds


def _compute(edition, checks, log):
    with tempfile.TemporaryDirectory(prefix="beras-reference-") as tmp:
        root = build_reference_submission(Path(tmp) / "reference", edition)
        with Session(root, log) as session:
            answers = {}
            for check in checks:
                result = session.call(check.key, check.probe, check.args, check.timeout * REFERENCE_SLOWDOWN)
                answers[check.key] = _answer_or_fault(check, result)
            return answers, dict(session.seconds)


def _answer_or_fault(check, result):
    if not result.ok:
        raise ReferenceFailed(f"the reference failed probe {check.probe}: {failure_text(result)}")
    failed = [label for label, case in (result.value or {}).items() if "error" in case]
    if failed:
        raise ReferenceFailed(f"the reference failed probe {check.probe} in {failed[0]}: "
                              f"{error_text(result.value[failed[0]]['error'])}")
    return result.value


def _read(path):
    try:
        if path.stat().st_size > MAX_CACHE_BYTES:
            return None
        value = decode(path.read_bytes(), max_bytes=MAX_CACHE_BYTES)
    except (OSError, CodecError, ValueError):
        return None
    return value if isinstance(value, dict) and {"answers", "seconds"} <= set(value) else None


def _write(path, value):
    """Atomically; a cache that cannot be written only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = encode(value, max_bytes=MAX_CACHE_BYTES)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, prefix=".tmp-") as f:
            f.write(data)
        os.replace(f.name, path)
    except (OSError, CodecError):
        pass
