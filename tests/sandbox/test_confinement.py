"""What student code in a worker can reach: real workers, real attacks, real MNIST (no mocks).

Each attack runs as student code and reports what it got; the test compares
that with what lies outside (the real test labels' checksum, the grader's
files, a TCP server of the test's own), never with what the sandbox says of
itself. Where the kernel cannot give a protection, the test checks that
``worker.protections`` says so instead.
"""
import gzip
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from grader.data import mnist
from grader.sandbox import confine
from grader.sandbox.supervisor import PROJECT_ROOT, Worker

P = "tests.sandbox.probes_for_tests:"
LABELS = mnist.FILES["test_labels"][0]
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (CI runs as root)")
pytestmark = pytest.mark.timeout(180)

ATTACKS = '''
import gzip, hashlib, os, socket, sys, time


def _content_hash(data):
    try:
        data = gzip.decompress(data)
    except Exception:
        pass
    return hashlib.sha256(data).hexdigest()


def search_disk(seconds=30):
    """Walk the whole file system for MNIST test-label files and hash every one that opens.

    From "/", from every folder above the working directory and from the MNIST folder the
    grader names: a folder that cannot be listed does not hide what lies below it.
    """
    found = {}
    deadline = time.monotonic() + seconds
    starts, here = ["/", "/tmp", "/work", "/autograder", "/root", "/home"], os.getcwd()
    while here not in ("/", ""):
        starts.append(here)
        here = os.path.dirname(here)
    starts.append(os.environ.get("BERAS_MNIST_DIR") or "/")
    for start in starts:
        for folder, subfolders, files in os.walk(start, onerror=lambda error: None):
            if folder in ("/proc", "/sys") or time.monotonic() > deadline:
                subfolders[:] = []
                continue
            for name in files:
                if name.startswith("t10k-labels"):
                    found[os.path.join(folder, name)] = read_hash(os.path.join(folder, name))
    return found


def read_hash(path):
    try:
        with open(path, "rb") as handle:
            return _content_hash(handle.read())
    except OSError as error:
        return "denied: " + type(error).__name__


def read_paths(paths):
    return {path: read_hash(path) for path in paths}


def list_folders(paths):
    out = {}
    for path in paths:
        try:
            out[path] = sorted(os.listdir(path))[:5]
        except OSError as error:
            out[path] = "denied: " + type(error).__name__
    return out


def tcp_connect(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3):
            return "connected"
    except OSError as error:
        return "failed: " + type(error).__name__


def udp_send(port, payload):
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(payload.encode(), ("127.0.0.1", port))
        return "sent"
    except OSError as error:
        return "failed: " + type(error).__name__


def write_files(paths, big_mb):
    out = {}
    for path in paths:
        try:
            with open(path, "w") as handle:
                handle.write("left behind")
            out[path] = "written"
        except OSError as error:
            out[path] = "failed: " + type(error).__name__
    try:
        with open("big.bin", "wb") as handle:
            for _ in range(big_mb):
                handle.write(b"x" * (1024 * 1024))
        out["big"] = "written"
    except OSError as error:
        out["big"] = "failed: errno %d" % error.errno
    return out


def run_programs(paths):
    """Start programs: one the submission wrote itself, and system ones."""
    import subprocess
    with open("shipped.sh", "w") as handle:
        handle.write("#!/bin/sh\\necho ran\\n")
    os.chmod("shipped.sh", 0o755)
    out = {}
    for path in [os.path.abspath("shipped.sh")] + list(paths):
        try:
            done = subprocess.run([path], capture_output=True, timeout=10)
            out[path] = "ran: %d" % done.returncode
        except OSError as error:
            out[path] = "failed: " + type(error).__name__
    return out


def hoppers(count=3):
    """Processes that leave the session and keep changing pid (fork, parent exits, repeat)."""
    for _ in range(count):
        if os.fork() == 0:
            os.setsid()
            while True:
                try:
                    if os.fork() != 0:
                        os._exit(0)
                except OSError:
                    time.sleep(0.001)
    return "hopping"


def fork_bomb():
    started = 0
    for _ in range(500):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            os.setsid()
            while True:
                try:
                    os.fork()
                except OSError:
                    time.sleep(0.001)
        started += 1
    return started
'''


def make_submission(folder, extra_files=None):
    root = Path(folder) / "submission"
    (root / "beras").mkdir(parents=True)
    (root / "beras" / "__init__.py").write_text("x = 1\n")
    (root / "attacks.py").write_text(ATTACKS)
    for name, text in (extra_files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


def attack(worker, function, *args, timeout=60.0):
    result = worker.call(P + "call", {"module": "attacks", "function": function, "args": list(args)},
                         timeout=timeout)
    assert result.ok, (result.status, result.detail, result.stderr[-2000:])
    return result.value


def real_labels_hash():
    with gzip.open(mnist.mnist_dir() / LABELS, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def decoy_hash():
    return hashlib.sha256(gzip.decompress(mnist.decoy_test_labels_gz())).hexdigest()


def landlock_or_namespaces():
    return confine.bwrap_status()[0] is not None or _landlock_abi() > 0


def _landlock_abi():
    from grader.sandbox import landlock
    return landlock.abi_version()


CONFIGURATIONS = {
    "every layer": {},
    "Landlock and uid, no namespaces": {"namespaces": False},
    "Landlock alone (no uid drop, no namespaces)": {"namespaces": False, "drop_privileges": False},
}


@pytest.fixture
def open_worker():
    workers = []

    def _open(root, **kwargs):
        kwargs.setdefault("probe_prefixes", ("tests.sandbox.",))
        worker = Worker(root, **kwargs)
        workers.append(worker)
        assert worker.start().ok
        return worker
    yield _open
    for worker in workers:
        worker.close()


@pytest.fixture
def world_readable_labels():
    """A copy of MNIST's real test labels that anyone on the machine may read (a TA's machine)."""
    folder = Path(tempfile.mkdtemp(prefix="beras-leak-"))
    shutil.copyfile(mnist.mnist_dir() / LABELS, folder / LABELS)
    (folder / LABELS).chmod(0o644)
    folder.chmod(0o755)
    yield folder / LABELS
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("setup", list(CONFIGURATIONS), ids=list(CONFIGURATIONS))
def test_a_disk_search_finds_no_real_test_labels(tmp_path, open_worker, world_readable_labels, setup):
    if setup != "every layer" and _landlock_abi() == 0:
        pytest.skip("this kernel has no Landlock: without namespaces nothing narrows the file system")
    worker = open_worker(make_submission(tmp_path), data_files=mnist.files_for_worker(decoy_test_labels=True),
                         data_dir_env=mnist.ENV_VAR, **CONFIGURATIONS[setup])
    found = attack(worker, "search_disk")
    known = attack(worker, "read_paths", [str(world_readable_labels), str(mnist.mnist_dir() / LABELS),
                                          str(PROJECT_ROOT.parent / "shared" / "data" / "mnist" / LABELS)])
    real = real_labels_hash()
    assert real not in found.values() and real not in known.values(), (found, known)
    # The search did reach what the worker may read: its own decoy.
    assert found.get(str(worker.data_dir / LABELS)) == decoy_hash(), found
    assert worker.protections.filesystem == "allow-list", worker.protections


@pytest.mark.parametrize("setup", list(CONFIGURATIONS), ids=list(CONFIGURATIONS))
def test_the_grader_and_the_reference_are_out_of_reach(tmp_path, open_worker, setup):
    if setup != "every layer" and _landlock_abi() == 0:
        pytest.skip("this kernel has no Landlock: without namespaces nothing narrows the file system")
    worker = open_worker(make_submission(tmp_path), **CONFIGURATIONS[setup])
    me = os.getpid()
    files = [PROJECT_ROOT / "grader" / "grade.py", PROJECT_ROOT / "beras" / "core.py",
             PROJECT_ROOT / "reference" / "spring2026" / "assignment.py", worker.pristine / "attacks.py",
             Path(f"/proc/{me}/cmdline"), Path(f"/proc/{me}/environ"), Path(f"/proc/{me}/status"),
             Path(f"/proc/{me}/maps"), Path("/etc/passwd"), Path.home() / ".bashrc"]
    got = attack(worker, "read_paths", [str(f) for f in files if f.exists()])
    assert all(how.startswith("denied") for how in got.values()), got
    listed = attack(worker, "list_folders", [str(PROJECT_ROOT), str(PROJECT_ROOT / "reference"), "/proc", "/",
                                             str(worker.area)])
    # A folder is either not listable or (in a mount namespace) shows none of what is really there.
    secrets = {"grader", "reference", "beras", "pristine", "assignment.py"}
    for folder in (str(PROJECT_ROOT), str(PROJECT_ROOT / "reference"), str(worker.area)):
        assert str(listed[folder]).startswith("denied") or not secrets & set(listed[folder]), listed
    assert str(me) not in (listed["/proc"] if isinstance(listed["/proc"], list) else []), listed
    # Its own staged grader copy works, and holds only the worker's modules.
    staged = worker.project
    assert (staged / "tests" / "sandbox").is_dir() and (staged / "grader" / "sandbox").is_dir()
    assert not (staged / "grader" / "checks").exists() and not (staged / "grader" / "grade.py").exists()
    assert not (staged / "tests" / "grader").exists() and not (staged / "beras").exists()


def test_no_program_can_be_started(tmp_path, open_worker):
    if _landlock_abi() == 0:
        pytest.skip("this kernel has no Landlock")
    worker = open_worker(make_submission(tmp_path))
    programs = [p for p in ("/bin/sh", "/usr/bin/env", shutil.which("python3") or "/usr/bin/python3")
                if os.path.exists(p)]
    got = attack(worker, "run_programs", programs)
    assert len(got) == 1 + len(programs)
    assert all(how.startswith("failed") for how in got.values()), got


def _marked(marker):
    """Live (not zombie) processes whose environment carries the marker."""
    found = []
    for pid in confine.uids_with_processes():
        try:
            with open(f"/proc/{pid}/environ", "rb") as handle:
                if marker.encode() in handle.read():
                    found.append(pid)
        except OSError:
            pass
    return found


@pytest.mark.parametrize("namespaces", [True, False], ids=["namespaces", "no namespaces"])
def test_no_process_survives_hoppers_and_a_fork_bomb(tmp_path, open_worker, namespaces):
    marker = f"BERAS_TEST_MARK_{uuid.uuid4().hex}"
    if os.geteuid() != 0 and not (namespaces and confine.bwrap_status()[0]):
        pytest.skip("without root or a pid namespace, a process that leaves its group cannot be found")
    worker = open_worker(make_submission(tmp_path), namespaces=namespaces, env={marker: "1"})
    assert attack(worker, "hoppers") == "hopping"
    assert attack(worker, "fork_bomb") > 0
    time.sleep(0.5)
    assert _marked(marker), "the attack did not start (the test would prove nothing)"
    worker.close()
    assert _marked(marker) == []
    if worker.drop_mode == "uid":
        assert confine.processes_of(worker.uid) == []


def test_processes_end_between_calls_when_a_call_times_out(tmp_path, open_worker):
    marker = f"BERAS_TEST_MARK_{uuid.uuid4().hex}"
    root = make_submission(tmp_path, {"spin.py": """
        import attacks
        def spin():
            attacks.hoppers(2)
            while True:
                pass
    """})
    worker = open_worker(root, env={marker: "1"})
    if os.geteuid() != 0 and "pid" not in worker.protections.namespaces:
        pytest.skip("without root or a pid namespace, a process that leaves its group cannot be found")
    r = worker.call(P + "call", {"module": "spin", "function": "spin"}, timeout=2)
    assert r.status == "timeout"
    assert _marked(marker) == []
    assert worker.call(P + "echo", {"value": 1}).value == 1


def test_no_tcp_connection_and_the_report_says_what_holds(tmp_path, open_worker):
    worker = open_worker(make_submission(tmp_path))
    with socket.socket() as server, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        server.bind(("127.0.0.1", 0))
        server.listen(5)
        server.settimeout(0.5)
        udp.bind(("127.0.0.1", 0))
        udp.settimeout(0.5)
        tried = attack(worker, "tcp_connect", server.getsockname()[1])
        attack(worker, "udp_send", udp.getsockname()[1], "hello from the sandbox")
        try:
            server.accept()[0].close()
            accepted = True
        except socket.timeout:
            accepted = False
        try:
            udp_arrived = udp.recv(100) == b"hello from the sandbox"
        except socket.timeout:
            udp_arrived = False
    protections = worker.protections
    if protections.network == "open":
        assert tried == "connected" or accepted, "the report says open, yet TCP failed: report wrong"
        pytest.skip(f"this kernel lets the worker use the network, and the report says so: {protections.missing}")
    assert tried.startswith("failed") and not accepted, tried
    if protections.network == "none":
        assert not udp_arrived
    else:
        assert protections.network == "no-tcp" and any("UDP" in m for m in protections.missing)


def test_no_files_left_in_shared_temp_folders_and_file_size_capped(tmp_path, open_worker):
    name = f"beras-left-{uuid.uuid4().hex}"
    paths = [f"/tmp/{name}", f"/var/tmp/{name}", f"/dev/shm/{name}"]
    worker = open_worker(make_submission(tmp_path), file_mb=8)
    got = attack(worker, "write_files", paths, 9)
    assert got["big"] == "failed: errno 27", got      # EFBIG: RLIMIT_FSIZE
    worker.close()
    assert [p for p in paths if os.path.lexists(p)] == [], got


@ROOT_ONLY
def test_two_grading_runs_never_share_a_sandbox_uid():
    # Another process holds half of the sandbox uids (as a concurrent grading run would):
    # this one must get only the others, else its clean-up would kill the other run's workers.
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, json
        sys.path.insert(0, sys.argv[1])
        from grader.sandbox import confine
        held = [confine.reserve_sandbox_uid()[0] for _ in range(1000)]
        print(json.dumps(held), flush=True)
        sys.stdin.read()
    """), str(PROJECT_ROOT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    mine = []
    try:
        held = set(json.loads(holder.stdout.readline()))
        assert len(held) == 1000
        mine += [confine.reserve_sandbox_uid() for _ in range(300)]
        assert not held & {uid for uid, _ in mine}
        assert len({uid for uid, _ in mine}) == 300
    finally:
        holder.communicate("", timeout=30)
        for _, fd in mine:
            os.close(fd)


@ROOT_ONLY
def test_leftover_files_of_a_sandbox_uid_are_removed(tmp_path):
    # Where neither Landlock nor a mount namespace stopped the writes, the clean-up does.
    uid = confine.unused_sandbox_uid()
    path = Path(f"/tmp/beras-left-{uuid.uuid4().hex}")
    path.mkdir()
    (path / "inner").write_text("x")
    os.chown(path, uid, uid)
    os.chown(path / "inner", uid, uid)
    mine = Path(f"/tmp/beras-keep-{uuid.uuid4().hex}")
    mine.write_text("not the sandbox's")
    try:
        removed = confine.remove_files_of_uid(uid)
        assert str(path) in removed and not path.exists() and mine.exists()
    finally:
        mine.unlink()
        shutil.rmtree(path, ignore_errors=True)


def test_symlinks_in_a_submission_are_never_followed_when_staging(tmp_path, open_worker):
    root = make_submission(tmp_path, {"beras/real.py": "VALUE = 7\n"})
    reference = PROJECT_ROOT / "reference" / "spring2026" / "assignment.py"
    (root / "model_def.py").symlink_to(reference)              # the renamed-assignment leak
    (root / "beras" / "passwd.txt").symlink_to("/etc/passwd")
    (root / "beras" / "up.py").symlink_to("../attacks.py")      # leaves through ".."
    (root / "beras" / "inner.py").symlink_to("real.py")         # stays inside: kept as a link
    worker = open_worker(root)
    staged = worker.pristine
    assert not (staged / "model_def.py").exists() and not (staged / "beras" / "passwd.txt").exists()
    assert not os.path.lexists(staged / "beras" / "up.py")
    assert os.readlink(staged / "beras" / "inner.py") == "real.py"
    assert all("BEGIN SOLUTION" not in p.read_text(errors="replace")
               for p in staged.rglob("*") if p.is_file() and not p.is_symlink())
    r = worker.call(P + "call", {"module": "beras.inner", "function": "__getattribute__", "args": ["VALUE"]})
    assert r.value == 7, r


def test_guard_survives_removal_and_sees_names_built_at_run_time(tmp_path, open_worker):
    root = make_submission(tmp_path, {"tamper.py": """
        import sys

        def remove_and_import():
            sys.meta_path[:] = [f for f in sys.meta_path if "StandIn" not in type(f).__name__]
            import torch
            return type(torch).__name__

        def built_name():
            name = "sk" + "learn"
            module = __builtins__["__import__"](name) if isinstance(__builtins__, dict) else __builtins__.__import__(name)
            return type(module).__name__
    """})
    worker = open_worker(root)
    r = worker.call(P + "call", {"module": "tamper", "function": "remove_and_import"})
    assert r.value == "StandInModule", r
    r2 = worker.call(P + "call", {"module": "tamper", "function": "built_name"})
    assert r2.value == "StandInModule", r2
    records = [(a["kind"], a["module"], a["file"], a["line"]) for a in worker.banned_imports]
    assert ("import", "torch", "tamper.py", 6) in records and ("import", "sklearn", "tamper.py", 11) in records
    assert any(kind == "guard-removed" for kind, *_ in records), records


def test_the_preprocess_probe_sees_the_decoy_labels_and_both_sides_agree(tmp_path):
    # The student's load_and_preprocess_data returns test labels: inside a worker they are the decoy.
    from grader.submission import build_reference_submission
    from grader.shims import SHIMS_DIR
    reference = build_reference_submission(tmp_path / "ref")
    worker = Worker(reference, shims=SHIMS_DIR, data_files=mnist.files_for_worker(decoy_test_labels=True),
                    data_dir_env=mnist.ENV_VAR)
    try:
        r = worker.call("grader.probes.components:preprocess", {"api": "spring2026", "rows": [0]}, timeout=120)
    finally:
        worker.close()
    assert r.ok, r.detail
    first = r.value["load_and_preprocess_data()"]["value"]["test_y"]["first"]
    assert list(first) == list(mnist.decoy_test_labels()[:20])
    assert list(first) != list(mnist.load("test_labels")[:20])
    # The stencil's `from tensorflow.keras import datasets` is served by the shim: not a banned import.
    assert worker.banned_imports == []


# ------------------------------------------------------------------ a TA grading as a normal user

NON_ROOT_SCRIPT = '''
import json, os, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from grader.sandbox.supervisor import Worker
from grader.sandbox import confine

home = Path(tempfile.mkdtemp(prefix="beras-ta-home-"))
secret = home / "grades.csv"
secret.write_text("alice,A\\n")
secret.chmod(0o600)
root = Path(tempfile.mkdtemp(prefix="beras-ta-sub-")) / "submission"
(root / "beras").mkdir(parents=True)
(root / "beras" / "__init__.py").write_text("x = 1\\n")
(root / "attacks.py").write_text(sys.stdin.read())
marker = "BERAS_TEST_MARK_" + str(os.getpid())
namespaces = sys.argv[3] == "namespaces"
w = Worker(root, probe_prefixes=("tests.sandbox.",), env={marker: "1"}, namespaces=namespaces)
def attack(function, *args):
    r = w.call("tests.sandbox.probes_for_tests:call", {"module": "attacks", "function": function, "args": list(args)},
               timeout=60)
    return r.value if r.ok else {"status": r.status, "detail": r.detail, "stderr": r.stderr[-1500:]}
out = {"uid": os.getuid(), "drop_mode": w.drop_mode}
out["read"] = attack("read_paths", [str(secret), str(Path(sys.argv[1]) / "grader" / "grade.py"),
                                    "/proc/%d/environ" % os.getpid()])
out["tcp"] = attack("tcp_connect", int(sys.argv[2]))
out["hoppers"] = attack("hoppers") if namespaces else "not tried"
time.sleep(0.3)
def marked():
    found = []
    for pid in confine.uids_with_processes():
        try:
            if marker.encode() in open("/proc/%d/environ" % pid, "rb").read():
                found.append(pid)
        except OSError:
            pass
    return found
out["alive_before_close"] = len(marked())
w.close()
out["alive_after_close"] = len(marked())
out["protections"] = w.protections.to_dict()
print("RESULT " + json.dumps(out))
'''


@ROOT_ONLY
@pytest.mark.parametrize("namespaces", ["namespaces", "Landlock only"])
def test_a_normal_user_grading_keeps_their_files_private(tmp_path, namespaces):
    """The non-root path: the grader runs as an unprivileged user (a TA on their own machine).

    The project may sit in a folder that user cannot enter (CI clones into a 0700 folder), so
    the test shows it to them at another path, in a mount namespace of its own, then drops
    to the user with setpriv; everything after that is the ordinary non-root code path.
    """
    if namespaces == "Landlock only" and _landlock_abi() == 0:
        pytest.skip("this kernel has no Landlock")
    uid = confine.unused_sandbox_uid()   # an unused uid, so that whatever it leaves can be killed after
    unshare, setpriv = shutil.which("unshare"), shutil.which("setpriv")
    if not (unshare and setpriv):
        pytest.skip("needs util-linux's unshare and setpriv")
    view = Path(tempfile.mkdtemp(prefix="beras-nonroot-view-"))
    view.chmod(0o755)
    (view / "project").mkdir()
    python = Path(sys.executable)
    inside = python.is_relative_to(PROJECT_ROOT) if hasattr(python, "is_relative_to") else False
    python_in_view = view / "project" / python.relative_to(PROJECT_ROOT) if inside else python
    probe = subprocess.run([setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                            sys.base_prefix + "/bin/python3", "-c", "pass"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("the base interpreter is not usable by an unprivileged user here")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(5)
        server.settimeout(0.2)
        command = (f"mount --bind {PROJECT_ROOT} {view / 'project'} && "
                   f"exec {setpriv} --reuid={uid} --regid={uid} --clear-groups "
                   f"{python_in_view} -c \"$SCRIPT\" {view / 'project'} {server.getsockname()[1]} {namespaces}")
        env = {"PATH": "/usr/bin:/bin", "SCRIPT": NON_ROOT_SCRIPT, "HOME": "/nonexistent"}
        try:
            done = subprocess.run([unshare, "--mount", "--propagation", "private", "sh", "-c", command],
                                  input=ATTACKS, capture_output=True, text=True, env=env, timeout=150)
            try:
                server.accept()[0].close()
                accepted = True
            except socket.timeout:
                accepted = False
        finally:
            shutil.rmtree(view, ignore_errors=True)
            confine.kill_uid(uid)
            confine.remove_files_of_uid(uid)   # the "TA"'s temp folders
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, (done.returncode, done.stdout[-2000:], done.stderr[-3000:])
    out = json.loads(lines[-1][len("RESULT "):])
    protections = out["protections"]
    assert out["uid"] == uid and out["drop_mode"] == "none"
    assert protections["filesystem"] == "allow-list", protections
    assert all(str(how).startswith("denied") for how in out["read"].values()), out["read"]
    assert not accepted and str(out["tcp"]).startswith("failed"), out
    if namespaces == "namespaces":
        assert "pid" in protections["namespaces"], protections
        assert out["hoppers"] == "hopping" and out["alive_before_close"] > 0, out
        assert out["alive_after_close"] == 0, out
    else:
        # No pid namespace and no uid of its own: the report must say what is missing.
        assert protections["survivors"] == ["process-group"], protections
        assert any("outlive" in m for m in protections["missing"]), protections
