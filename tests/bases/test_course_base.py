"""The course-faithful base (tests/bases/spring2026_course) is what it claims to be.

Its given code behaves like the course's (no wrapping in Diffable.__call__,
per-sample compose loops), and its student-written parts are correct: the
compose results equal the reference library's, the gradients equal central
finite differences of an independent NumPy forward, evaluate averages per
batch without weights, and one epoch on real MNIST learns.

The base imports as `beras`, like the reference does, so its code runs in a
subprocess (cwd = the built base, with the grader's tensorflow/wandb
stand-ins on the path); inputs and results travel as .npz/.json files.
"""
import json

import numpy as np
import pytest

from grader.data import mnist
from grader.gradcheck import compare, numeric_gradient
from tests.bases import BASES, COURSE_BASE, build_base, course_stencil, stencil_body, student_tasks
from tests.bases.inbase import numpy_forward, numpy_loss, run_in_base


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_base(tmp_path_factory.mktemp("course") / "submission", base="course")


# ------------------------------------------------------------------ Diffable.__call__

def test_call_keeps_inputs_and_returns_forward_result_unwrapped(base, tmp_path):
    out = run_in_base(base, tmp_path, '''
        from beras.core import Diffable, Tensor

        class NoGradients(Diffable):
            def get_input_gradients(self):
                return []
            def get_weight_gradients(self):
                return []

        class SumAll(NoGradients):            # np.sum of a plain array: an np.float64
            def forward(self, x):
                return np.sum(np.asarray(x))

        class Doubled(NoGradients):           # a plain ndarray
            def forward(self, x):
                return np.asarray(x) * 2

        class Add(NoGradients):               # a Tensor: fine
            def forward(self, x, y):
                self.returned = x + y
                return self.returned

        def error_of(layer, *args):
            try:
                layer(*args)
            except Exception as e:
                return type(e).__name__
            return None

        x = np.arange(6.0).reshape(2, 3)
        a, b = Tensor(x), x.copy()
        results = {"np.float64": error_of(SumAll(), a), "ndarray": error_of(Doubled(), a)}
        for how, call in (("positional", lambda l: l(a, b)), ("keyword", lambda l: l(y=b, x=a))):
            layer = Add()
            result = call(layer)
            results[how] = {
                "inputs are the passed objects": [layer.inputs[0] is a, layer.inputs[1] is b],
                "input types": [type(i).__name__ for i in layer.inputs],
                "returns forward's very result": result is layer.returned,
                "outputs": [o is result for o in layer.outputs],
                "output backward is the layer's": result.backward == layer.backward,
            }
        save(results)
    ''')
    r = out.results
    assert r["np.float64"] == "AttributeError"
    assert r["ndarray"] == "AttributeError"
    for how in ("positional", "keyword"):
        assert r[how] == {"inputs are the passed objects": [True, True],
                          "input types": ["Tensor", "ndarray"],  # not converted
                          "returns forward's very result": True,
                          "outputs": [True],
                          "output backward is the layer's": True}, how


# ------------------------------------------------------------------ compose vs the reference

def _compose_cases(batch):
    rng = np.random.default_rng(100 + batch)
    away = lambda shape: rng.uniform(0.1, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return {
        "linear": dict(x=rng.normal(size=(batch, 4)), w=rng.normal(size=(4, 3)),
                       b=rng.normal(size=(1, 3)), J=rng.normal(size=(batch, 3))),
        "softmax": dict(x=rng.normal(size=(batch, 6)), J=rng.normal(size=(batch, 6))),
        "relu": dict(x=away((batch, 6)), J=rng.normal(size=(batch, 6))),
    }


COMPOSE_IN_BASE = '''
    from beras import Linear, ReLU, Softmax, Tensor
    arrays, results = {}, {}
    for case, layer in (("linear", Linear(4, 3)), ("softmax", Softmax()), ("relu", ReLU())):
        if case == "linear":
            layer.w, layer.b = Tensor(INPUTS["linear.w"]), Tensor(INPUTS["linear.b"])
        layer(Tensor(INPUTS[case + ".x"]))
        J = [INPUTS[case + ".J"]]
        produced = {"input": layer.compose_input_gradients(J), "weight": layer.compose_weight_gradients(J)}
        for kind, grads in produced.items():
            for i, g in enumerate(grads):
                arrays[f"{case}.{kind}{i}"] = g
                results[f"{case}.{kind}{i}"] = [type(g).__name__, str(g.dtype)]
    save(results, **arrays)
'''


def _reference_compose(case, data):
    import beras as reference
    if case == "linear":
        layer = reference.Linear(4, 3, dtype=np.float64)
        layer.w, layer.b = reference.Tensor(data["w"].copy()), reference.Tensor(data["b"].copy())
    else:
        layer = {"softmax": reference.Softmax, "relu": reference.ReLU}[case]()
    layer(reference.Tensor(data["x"].copy()))
    J = [data["J"]]
    return {"input": layer.compose_input_gradients(J), "weight": layer.compose_weight_gradients(J)}


@pytest.mark.parametrize("batch", [1, 5])
def test_compose_loops_match_the_reference(base, tmp_path, batch):
    cases = _compose_cases(batch)
    flat = {f"{case}.{name}": a for case, arrays in cases.items() for name, a in arrays.items()}
    out = run_in_base(base, tmp_path, COMPOSE_IN_BASE, **flat)
    compared = 0
    for case, data in cases.items():
        for kind, expected in _reference_compose(case, data).items():
            got = [out.arrays[k] for k in sorted(out.arrays) if k.startswith(f"{case}.{kind}")]
            assert len(got) == len(expected), (case, kind)
            for i, (g, e) in enumerate(zip(got, expected)):
                label = f"{case}.{kind}{i}"
                assert out.results[label] == ["ndarray", "float64"], label  # plain arrays, local dtype
                assert g.shape == np.shape(e), (label, g.shape, np.shape(e))
                np.testing.assert_allclose(g, np.asarray(e), rtol=1e-12, atol=1e-14, err_msg=label)
                compared += 1
    assert compared == 3 + 1 + 1  # linear: x, w, b; softmax: x; relu: x


def test_compose_shape_mismatch_and_missing_upstream(base, tmp_path):
    out = run_in_base(base, tmp_path, '''
        from beras import Linear, Tensor

        class Transposed(Linear):          # a student's Jacobian of the wrong shape
            def get_input_gradients(self):
                return [self.w.T]
            def get_weight_gradients(self):
                return [np.ones((2, 5, 5)), np.ones((2, 3))]

        def message(f):
            try:
                f()
            except ValueError as e:
                return str(e)
            return None

        layer = Transposed(4, 3)
        layer(Tensor(np.ones((2, 4))))
        J = [np.ones((2, 3))]
        plain = Linear(4, 3)
        plain(Tensor(np.ones((2, 4))))
        save({"input": message(lambda: layer.compose_input_gradients(J)),
              "weight": message(lambda: layer.compose_weight_gradients(J)),
              "J None": [type(g).__name__ for g in plain.compose_input_gradients(None)],
              "J[0] None is w": plain.compose_input_gradients([None])[0] is plain.w})
    ''')
    assert out.results["input"] == "Error occured trying to perform `g_b @ j[b]`"
    assert out.results["weight"] == "Error occured trying to perform `g_b * j[b]`"
    assert out.results["J None"] == ["Tensor"]          # the local gradient [w], unchanged
    assert out.results["J[0] None is w"] is True


# ------------------------------------------------------------------ gradients vs finite differences

NETWORKS = {
    # name: (layers, loss, batch)
    "cce": ([("Linear", 4, 5), ("ReLU",), ("Linear", 5, 3), ("Softmax",)], "CategoricalCrossEntropy", 5),
    "mse": ([("Linear", 3, 4), ("Sigmoid",), ("Linear", 4, 2)], "MeanSquaredError", 5),
    "mse batch 1": ([("Linear", 3, 4), ("LeakyReLU",), ("Linear", 4, 2)], "MeanSquaredError", 1),
}

BACKWARD_IN_BASE = '''
    import beras
    from beras import Tensor
    spec = json.loads((DATA / "spec.json").read_text())
    np.random.seed(7)
    layers = [getattr(beras, name)(*args, initializer="normal") if name == "Linear" else getattr(beras, name)()
              for name, *args in spec["layers"]]
    for layer in layers:
        for p in layer.parameters:
            if p.shape[0] == 1:  # the bias: nonzero, so that it matters
                p.assign(np.random.normal(size=p.shape))
    model = beras.Sequential(layers)
    loss_fn = getattr(beras, spec["loss"])()
    x, y = Tensor(INPUTS["x"]), Tensor(INPUTS["y"])
    loss = loss_fn(model(x), y)
    loss.backward()
    arrays = {}
    for i, p in enumerate(model.parameters):
        arrays[f"param{i}"], arrays[f"grad{i}"] = p, p.grad
    save({"loss": float(loss), "dtypes": [str(p.dtype) for p in model.parameters]}, **arrays)
'''


@pytest.mark.parametrize("network", sorted(NETWORKS))
def test_backward_matches_finite_differences(base, tmp_path, network):
    layers, loss, batch = NETWORKS[network]
    rng = np.random.default_rng(3)
    n_in, n_out = layers[0][1], [l for l in layers if l[0] == "Linear"][-1][2]
    x = rng.normal(size=(batch, n_in))
    y = (np.eye(n_out)[rng.integers(0, n_out, batch)] if loss == "CategoricalCrossEntropy"
         else rng.normal(size=(batch, n_out)))
    (tmp_path / "exchange").mkdir()
    (tmp_path / "exchange" / "spec.json").write_text(json.dumps({"layers": layers, "loss": loss}))
    out = run_in_base(base, tmp_path, BACKWARD_IN_BASE, x=x, y=y)

    n_params = 2 * sum(1 for l in layers if l[0] == "Linear")
    params = [out.arrays[f"param{i}"].copy() for i in range(n_params)]
    assert out.results["dtypes"] == ["float64"] * n_params  # np.random weights, as students write them
    f = lambda: numpy_loss(loss, numpy_forward(layers, params, x), y)
    assert out.results["loss"] == pytest.approx(f(), rel=1e-12)
    for i, p in enumerate(params):
        report = compare(out.arrays[f"grad{i}"], numeric_gradient(f, p), rtol=1e-6, atol=1e-8)
        assert report.ok, report.describe(f"{network} parameter {i}")


# ------------------------------------------------------------------ fit and evaluate

TRAINING_IN_BASE = '''
    import collections
    from beras import BasicOptimizer, CategoricalAccuracy, CategoricalCrossEntropy, Linear, Sequential, Softmax, Tensor
    np.random.seed(11)
    model = Sequential(Linear(4, 3, initializer="normal"), Softmax())
    model.compile(BasicOptimizer(model.parameters, 0.5), CategoricalCrossEntropy(), CategoricalAccuracy())
    x, y = Tensor(INPUTS["x"]), Tensor(INPUTS["y"])

    before = [np.array(p) for p in model.parameters]
    metrics, predictions = model.evaluate(x, y, batch_size=4)
    unchanged = all(np.array_equal(a, p) for a, p in zip(before, model.parameters))

    seen = []                                 # what fit hands to batch_step, and what it gets back
    step = type(model).batch_step
    def recording(self, xb, yb, training=True):
        stats = step(self, xb, yb, training)
        seen.append({"rows": np.asarray(xb)[:, 0].tolist(), "training": training,
                     "loss": float(stats["loss"]), "acc": float(stats["acc"])})
        return stats
    type(model).batch_step = recording
    history = model.fit(x, y, epochs=2, batch_size=4)
    save({"metrics": {k: float(v) for k, v in metrics.items()}, "evaluate left weights": unchanged,
          "history type": type(history).__module__ + "." + type(history).__qualname__,
          "history": {k: [float(v) for v in vs] for k, vs in history.items()}, "seen": seen},
         predictions=predictions, **{f"param{i}": p for i, p in enumerate(before)})
'''


@pytest.fixture(scope="module")
def training(base, tmp_path_factory):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(10, 4))
    x[:, 0] = np.arange(10)             # column 0 names the row, to see fit's batches
    y = np.eye(3)[rng.integers(0, 3, 10)]
    out = run_in_base(base, tmp_path_factory.mktemp("training"), TRAINING_IN_BASE, x=x, y=y)
    return x, y, out


def test_evaluate_averages_per_batch_without_weights(training):
    x, y, out = training
    w, b = out.arrays["param0"], out.arrays["param1"]
    probs = numpy_forward([("Linear",), ("Softmax",)], [w, b], x)
    np.testing.assert_allclose(out.arrays["predictions"], probs, rtol=1e-12)   # every row, in order
    batches = [slice(0, 4), slice(4, 8), slice(8, 10)]
    losses = [numpy_loss("CategoricalCrossEntropy", probs[s], y[s]) for s in batches]
    accs = [np.mean(probs[s].argmax(1) == y[s].argmax(1)) for s in batches]
    weighted = np.average(losses, weights=[4, 4, 2])
    assert abs(weighted - np.mean(losses)) > 1e-3      # the data tells the two averages apart
    assert out.results["metrics"]["loss"] == pytest.approx(np.mean(losses), rel=1e-12)
    assert out.results["metrics"]["acc"] == pytest.approx(np.mean(accs), rel=1e-12)
    assert out.results["evaluate left weights"] is True


def test_fit_returns_a_defaultdict_of_unweighted_epoch_means(training):
    _, _, out = training
    assert out.results["history type"] == "collections.defaultdict"
    seen = out.results["seen"]
    assert [len(s["rows"]) for s in seen] == [4, 4, 2] * 2          # the last partial batch too
    assert all(s["training"] for s in seen)
    for epoch in range(2):
        steps = seen[3 * epoch: 3 * epoch + 3]
        rows = [r for s in steps for r in s["rows"]]
        assert sorted(rows) == list(range(10))                       # every row once per epoch
        for key in ("loss", "acc"):
            assert out.results["history"][key][epoch] == pytest.approx(np.mean([s[key] for s in steps]))
    orders = [[r for s in seen[3 * e: 3 * e + 3] for r in s["rows"]] for e in range(2)]
    assert orders[0] != list(range(10)) and orders[0] != orders[1]  # shuffled, anew each epoch


# ------------------------------------------------------------------ real MNIST

MNIST_IN_BASE = '''
    import contextlib, io
    from grader.data import mnist
    import assignment
    from beras import Tensor
    images, labels = mnist.load_split("train")
    x, y = Tensor(mnist.as_inputs(images, np.float32)), Tensor(mnist.one_hot(labels))
    del images, labels
    np.random.seed(0)
    model = assignment.get_model()
    model.compile(assignment.get_optimizer(model), assignment.get_loss_fn(), assignment.get_acc_fn())
    with contextlib.redirect_stdout(io.StringIO()):
        model.fit(x, y, epochs=1, batch_size=64)
    test = mnist.as_inputs(mnist.load("test_images"), np.float32)
    predicted = np.concatenate([np.argmax(np.asarray(model(Tensor(test[i:i + 1000]))), axis=1)
                                for i in range(0, len(test), 1000)])
    save(predicted=predicted)
'''


def test_one_epoch_on_mnist_learns(base, tmp_path):
    out = run_in_base(base, tmp_path, MNIST_IN_BASE, timeout=540)
    truth = mnist.load("test_labels")
    accuracy = float(np.mean(out.arrays["predicted"] == truth))
    assert accuracy > 0.90, accuracy


# ------------------------------------------------------------------ the helpers: build_base, course_stencil

def test_the_course_base_parses_and_marks_every_student_task():
    files = sorted(COURSE_BASE.rglob("*.py"))
    for path in files:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    tasks = {p.relative_to(COURSE_BASE).as_posix(): student_tasks(p.read_text(encoding="utf-8")) for p in files}
    assert "Tensor.__new__ array" in tasks["beras/core.py"]
    assert "Diffable.backward" in tasks["beras/core.py"]
    assert {"Model.fit", "Model.evaluate", "Sequential.batch_step"} <= set(tasks["beras/model.py"])
    assert tasks["assignment.py"] == ["get_model", "get_optimizer", "get_loss_fn", "get_acc_fn"]
    for given_only in ("beras/__init__.py", "visualize.py", "utils/wandb_login.py"):
        assert tasks[given_only] == []


def test_course_stencil_has_placeholders_that_do_not_parse(tmp_path):
    stencil = course_stencil(tmp_path / "stencil")
    core = (stencil / "beras" / "core.py").read_text(encoding="utf-8")
    assert "obj = np.asarray(a=???).view(cls)" in core
    with pytest.raises(SyntaxError):
        compile(core, "core.py", "exec")
    unparsable = set()
    for path in stencil.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        try:
            compile(text, str(path), "exec")
        except SyntaxError:
            unparsable.add(path.relative_to(stencil).as_posix())
        # every student block holds the stencil's body, nothing of the solution
        for task in student_tasks(text):
            body = "\n".join(stencil_body(task))
            assert body.splitlines()[0] in text, (path, task)
    assert {"beras/core.py", "beras/layers.py", "assignment.py"} <= unparsable
    optimizers = (stencil / "beras" / "optimizers.py").read_text(encoding="utf-8")
    assert "p -= self.learning_rate" not in optimizers and "# TODO: Adam.step" in optimizers


def test_build_base_lays_out_either_base(tmp_path):
    assert BASES == ("reference", "course")
    for name in BASES:
        root = build_base(tmp_path / name, base=name)
        assert (root / "beras" / "core.py").is_file() and (root / "assignment.py").is_file()
        assert not list(root.rglob("__pycache__"))
    assert (tmp_path / "course" / "visualize.py").is_file()
    with pytest.raises(ValueError):
        build_base(tmp_path / "other", base="course", edition="fall2024")
    with pytest.raises(ValueError):  # no older-term variant of spring2026
        build_base(tmp_path / "older", base="course", variant="older")
    with pytest.raises(ValueError):
        build_base(tmp_path / "unknown", base="nonsense")
