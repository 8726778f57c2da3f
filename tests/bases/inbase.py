"""Run code inside a built base, as the base's own `beras` (it would clash with ours here).

The code runs in a subprocess (cwd = the base, with the grader's tensorflow/wandb
stand-ins on the path); inputs and results travel as .npz/.json files:
INPUTS[name] in the code, save(results, **arrays) to send results back.
"""
import json
import os
import subprocess
import sys
import textwrap
from collections import namedtuple
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SHIMS = ROOT / "grader" / "shims" / "site"

PRELUDE = '''\
import json, sys
from pathlib import Path
import numpy as np
DATA = Path(sys.argv[1])
INPUTS = np.load(DATA / "in.npz") if (DATA / "in.npz").exists() else {}
def save(results=None, **arrays):
    (DATA / "out.json").write_text(json.dumps(results or {}))
    np.savez(DATA / "out.npz", **{k: np.asarray(v) for k, v in arrays.items()})
'''

Output = namedtuple("Output", "results arrays")


def run_in_base(base, tmp_path, code, timeout=120, **inputs):
    """Run code (after PRELUDE) in the base; inputs arrive as INPUTS[...], save() sends results back."""
    data = Path(tmp_path) / "exchange"
    data.mkdir(exist_ok=True)
    if inputs:
        np.savez(data / "in.npz", **inputs)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(map(str, (base, SHIMS, ROOT))))
    proc = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code), str(data)], cwd=base,
                          env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"the base's code failed:\n{proc.stderr[-4000:]}"
    with np.load(data / "out.npz") as arrays:
        return Output(json.loads((data / "out.json").read_text()), dict(arrays))


