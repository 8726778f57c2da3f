"""Submissions for the final-training tests and benchmark, built by the one builder
(tests/grader/submissions.py make_submission): the reference, and the reference written in
the course stencil's style (its code as overrides). Each returns the folder's path; FINAL.txt
is added unless told otherwise. private_mnist lays out MNIST as Gradescope has it.
"""
import shutil
import textwrap
from pathlib import Path

from grader.data import mnist
from tests.grader.submissions import apply_patch, make_submission

LOOP_COMPOSE = '''

# --- the course stencil's compose: a Python loop over the samples of the batch
def _stencil_compose_input_gradients(self, J=None):
    input_grads = self.get_input_gradients()
    if J is None or J[0] is None:
        return input_grads
    upstream = np.asarray(J[0])
    out = []
    for inp, local in zip(self.inputs, input_grads):
        local = np.asarray(local)
        g = np.zeros(np.shape(inp), dtype=local.dtype)
        for b in range(upstream.shape[0]):
            g[b] = (local[b] if local.ndim == 3 else local) @ upstream[b]
        out.append(g)
    return out


def _stencil_compose_weight_gradients(self, J=None):
    weight_grads = self.get_weight_gradients()
    if J is None or J[0] is None:
        return weight_grads
    upstream = np.asarray(J[0])
    out = []
    for param, local in zip(self.parameters, weight_grads):
        local = np.asarray(local)
        g = np.zeros(np.shape(param), dtype=local.dtype)
        for b in range(upstream.shape[0]):
            g += np.reshape(local[b] * upstream[b], np.shape(param))
        out.append(g)
    return out


Diffable.compose_input_gradients = _stencil_compose_input_gradients
Diffable.compose_weight_gradients = _stencil_compose_weight_gradients
'''

TILED_LINEAR = '''

# --- the stencil's Linear weight gradient: x tiled across the output axis, (batch, in, out)
def _tiled_weight_gradients(self):
    x = np.asarray(self.inputs[0])
    n_out = np.shape(self.w)[1]
    return [np.repeat(x[:, :, None], n_out, axis=2), np.ones((x.shape[0], n_out), dtype=x.dtype)]


Linear.get_weight_gradients = _tiled_weight_gradients


# --- and float64 weights, as np.random.normal and np.zeros give them in a stencil-based Linear
_float32_init = Linear.__init__


def _float64_init(self, input_size, output_size, initializer="normal", **kwargs):
    _float32_init(self, input_size, output_size, initializer, dtype=np.float64, **kwargs)


Linear.__init__ = _float64_init
'''


def reference(dest, marker="FINAL.txt"):
    """The reference submission (tests/grader/submissions.py builds it), with the marker file."""
    dest = Path(dest)
    return make_submission(dest.parent, name=dest.name, extra_files={marker: ""} if marker else None)


def loop_compose(dest, marker="FINAL.txt"):
    """The reference written like a course-stencil submission: per-sample compose loops,
    a tiled (batch, in, out) Linear weight gradient, float64 weights."""
    dest = Path(dest)
    return make_submission(dest.parent, name=dest.name, extra_files={marker: ""} if marker else None,
                           overrides={"beras/core.py": LOOP_COMPOSE, "beras/layers.py": TILED_LINEAR})


def patch_assignment(dest, replacements=(), append=""):
    """Change a built submission's assignment.py: each old text must occur exactly once."""
    for old, new in replacements:
        apply_patch(dest, "assignment.py", old, new)
    with open(Path(dest) / "assignment.py", "a", encoding="utf-8") as f:
        f.write(textwrap.dedent(append))
    return dest


def patch_model(dest, append):
    with open(Path(dest) / "beras" / "model.py", "a", encoding="utf-8") as f:
        f.write(textwrap.dedent(append))
    return dest


def private_mnist(dest):
    """A copy of MNIST laid out as on Gradescope: the test labels readable by root only."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for file, _, _ in mnist.FILES.values():
        shutil.copyfile(mnist.mnist_dir() / file, dest / file)
        (dest / file).chmod(0o644)
    (dest / mnist.FILES["test_labels"][0]).chmod(0o600)
    dest.chmod(0o755)
    return dest
