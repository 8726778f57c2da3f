"""The fall2025 course-faithful base (tests/bases/fall2025_course) is what it claims to be.

Its given code behaves like the course's fall-2025 code as docs/editions.md describes
it (Diffable.__call__ keeps inputs as passed and returns forward's result unwrapped,
the graph is linked only by id(output) in a defaultdict, nested tapes are refused,
Callable wraps in Tensor, per-sample compose loops), and its student-written parts
are correct: compose results equal our reference library's, gradients through its own
GradientTape equal central finite differences of an independent NumPy forward
(branches included), optimizer steps equal our reference's, evaluate averages per
batch without weights, the local tests of reference/fall2025 pass, and its
assignment.py trains on real MNIST to >= 95 % and writes predictions.npy.

The older-term variant (build_base(..., variant="older")) differs exactly where
docs/editions.md says spring 2025 / fall 2024 did, and is otherwise as correct.
"""
import json
import shutil

import numpy as np
import pytest

from grader.data import mnist
from grader.gradcheck import compare, numeric_gradient
from grader.submission import build_reference_submission
from tests.bases import build_base, course_stencil, older_terms, stencil_body, student_tasks
from tests.bases.inbase import numpy_forward, numpy_loss, run_in_base
from tests.reference_fall2025.conftest import load_fall2025
from tests.stencil.folders import outcomes, run

VARIANTS = (None, older_terms.VARIANT)


@pytest.fixture(scope="module", params=VARIANTS, ids=["fall2025", "older"])
def variant(request):
    return request.param


@pytest.fixture(scope="module")
def base(variant, tmp_path_factory):
    """The fall2025 course base, and (second run) its older-term variant."""
    return build_base(tmp_path_factory.mktemp("fall") / "submission", base="course", edition="fall2025",
                      variant=variant)


@pytest.fixture(scope="module")
def fall(tmp_path_factory):
    return build_base(tmp_path_factory.mktemp("fall") / "submission", base="course", edition="fall2025")


# ------------------------------------------------------------------ Diffable.__call__ and the tape

def test_call_keeps_inputs_returns_forward_result_and_records_each_output(fall, tmp_path):
    out = run_in_base(fall, tmp_path, '''
        from beras import Diffable, GradientTape, Tensor

        class NoGradients(Diffable):
            @property
            def weights(self):
                return []
            def get_input_gradients(self):
                return []
            def get_weight_gradients(self):
                return []

        class Add(NoGradients):
            def forward(self, x, y):
                self.returned = x + y
                return self.returned

        class Split(NoGradients):             # two outputs, as a list
            def forward(self, x):
                self.returned = [x * 1, x * 2]
                return self.returned

        class SumAll(NoGradients):            # an np.float64: fine here (nothing is set on it)
            def forward(self, x):
                return np.sum(np.asarray(x))

        x = np.arange(6.0).reshape(2, 3)
        a, b = Tensor(x), x.copy()
        results = {}
        for how, call in (("positional", lambda l: l(a, b)), ("keyword", lambda l: l(y=b, x=a))):
            layer = Add()
            with GradientTape() as tape:
                result = call(layer)
            results[how] = {
                "inputs are the passed objects": [layer.inputs[0] is a, layer.inputs[1] is b],
                "input types": [type(i).__name__ for i in layer.inputs],
                "returns forward's very result": result is layer.returned,
                "recorded": tape.previous_layers[id(result)] is layer,
            }
        split = Split()
        with GradientTape() as tape:
            outs = split(a)
            total = SumAll()(a)
        results["split"] = {"returned as is": outs is split.returned,
                            "each output recorded": [tape.previous_layers[id(o)] is split for o in outs]}
        results["np.float64"] = type(total).__name__
        results["unknown id"] = repr(tape.previous_layers[id(b)])
        results["tape type"] = type(tape.previous_layers).__module__ + "." + type(tape.previous_layers).__qualname__
        outside = Add()(a, b)                 # no tape: nothing recorded anywhere
        results["no tape"] = Diffable.gradient_tape is None and id(outside) not in tape.previous_layers
        save(results)
    ''')
    r = out.results
    for how in ("positional", "keyword"):
        assert r[how] == {"inputs are the passed objects": [True, True],
                          "input types": ["Tensor", "ndarray"],  # not converted
                          "returns forward's very result": True,
                          "recorded": True}, how
    assert r["split"] == {"returned as is": True, "each output recorded": [True, True]}
    assert r["np.float64"] == "float64"
    assert r["unknown id"] == "None"
    assert r["tape type"] == "collections.defaultdict"
    assert r["no tape"] is True


def test_nested_tapes_are_refused_and_exit_clears_the_tape(fall, tmp_path):
    out = run_in_base(fall, tmp_path, '''
        from beras import CategoricalAccuracy, Diffable, GradientTape, OneHotEncoder
        results = {}
        with GradientTape() as outer:
            results["installed"] = Diffable.gradient_tape is outer
            try:
                with GradientTape():
                    pass
                results["nested"] = None
            except RuntimeError:
                results["nested"] = "RuntimeError"
            results["outer still installed"] = Diffable.gradient_tape is outer
        results["after exit"] = repr(Diffable.gradient_tape)
        try:
            with GradientTape():
                raise KeyError("in the block")
        except KeyError:
            pass
        results["after an error"] = repr(Diffable.gradient_tape)
        # Callable wraps forward's result in a Tensor
        results["accuracy type"] = type(CategoricalAccuracy()(np.eye(3), np.eye(3))).__name__
        results["one-hot type"] = type(OneHotEncoder()(np.array([0, 2, 1]))).__name__
        save(results)
    ''')
    assert out.results == {"installed": True, "nested": "RuntimeError", "outer still installed": True,
                           "after exit": "None", "after an error": "None",
                           "accuracy type": "Tensor", "one-hot type": "Tensor"}


# ------------------------------------------------------------------ compose vs the reference

COMPOSE_IN_BASE = '''
    from beras import Dense, ReLU, Softmax, Variable, Tensor
    arrays, results = {}, {}
    for case, layer in (("dense", Dense(4, 3)), ("softmax", Softmax()), ("relu", ReLU())):
        if case == "dense":
            layer.w, layer.b = Variable(INPUTS["dense.w"]), Variable(INPUTS["dense.b"])
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
    reference = load_fall2025()
    if case == "dense":
        layer = reference.Dense(4, 3, dtype=np.float64)
        layer.w, layer.b = reference.Variable(data["w"].copy()), reference.Variable(data["b"].copy())
    else:
        layer = {"softmax": reference.Softmax, "relu": reference.ReLU}[case]()
    layer(reference.Tensor(data["x"].copy()))
    J = [data["J"]]
    return {"input": layer.compose_input_gradients(J), "weight": layer.compose_weight_gradients(J)}


@pytest.mark.parametrize("batch", [1, 5])
def test_compose_loops_match_the_reference(fall, tmp_path, batch):
    rng = np.random.default_rng(200 + batch)
    away = lambda shape: rng.uniform(0.1, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    cases = {
        "dense": dict(x=rng.normal(size=(batch, 4)), w=rng.normal(size=(4, 3)), b=rng.normal(size=(1, 3)),
                      J=rng.normal(size=(batch, 3))),
        "softmax": dict(x=rng.normal(size=(batch, 6)), J=rng.normal(size=(batch, 6))),
        "relu": dict(x=away((batch, 6)), J=rng.normal(size=(batch, 6))),
    }
    flat = {f"{case}.{name}": a for case, arrays in cases.items() for name, a in arrays.items()}
    out = run_in_base(fall, tmp_path, COMPOSE_IN_BASE, **flat)
    compared = 0
    for case, data in cases.items():
        for kind, expected in _reference_compose(case, data).items():
            got = [out.arrays[k] for k in sorted(out.arrays) if k.startswith(f"{case}.{kind}")]
            assert len(got) == len(expected), (case, kind)
            for i, (g, e) in enumerate(zip(got, expected)):
                label = f"{case}.{kind}{i}"
                assert out.results[label] == ["ndarray", "float64"], label  # plain arrays, local dtype
                np.testing.assert_allclose(g, np.asarray(e).reshape(g.shape), rtol=1e-12, atol=1e-14,
                                           err_msg=label)
                compared += 1
    assert compared == 3 + 1 + 1  # dense: x, w, b; softmax: x; relu: x


# ------------------------------------------------------------------ tape gradients vs finite differences

NETWORKS = {
    # name: (layers, loss, batch)
    "cce": ([("Dense", 4, 5), ("ReLU",), ("Dense", 5, 3), ("Softmax",)], "CategoricalCrossEntropy", 5),
    "mse": ([("Dense", 3, 4), ("Sigmoid",), ("Dense", 4, 2)], "MeanSquaredError", 5),
    "mse batch 1": ([("Dense", 3, 4), ("LeakyReLU",), ("Dense", 4, 2)], "MeanSquaredError", 1),
}

TAPE_IN_BASE = '''
    import beras
    from beras import GradientTape, Tensor, Variable
    spec = json.loads((DATA / "spec.json").read_text())
    np.random.seed(7)
    layers = [getattr(beras, name)(*args, initializer="normal") if name == "Dense" else getattr(beras, name)()
              for name, *args in spec["layers"]]
    for layer in layers:
        if isinstance(layer, beras.Dense):   # a nonzero bias, so that it matters
            layer.b = Variable(np.random.normal(size=np.shape(layer.b)))
    model = beras.SequentialModel(layers)
    loss_fn = getattr(beras, spec["loss"])()
    x, y = Tensor(INPUTS["x"]), Tensor(INPUTS["y"])
    unrelated = Variable(np.ones(3))
    sources = list(model.weights)[::-1] + [unrelated]      # any order, and one the loss does not reach
    with GradientTape() as tape:
        loss = loss_fn(model(x), y)
    grads = tape.gradient(loss, sources)
    arrays = {}
    for i, w in enumerate(model.weights):
        arrays[f"param{i}"] = w
        arrays[f"grad{i}"] = grads[len(model.weights) - 1 - i]
    save({"loss": float(loss), "n grads": len(grads), "unrelated": repr(grads[-1])}, **arrays)
'''


@pytest.mark.parametrize("network", sorted(NETWORKS))
def test_tape_gradients_match_finite_differences(base, tmp_path, network):
    layers, loss, batch = NETWORKS[network]
    rng = np.random.default_rng(4)
    n_in, n_out = layers[0][1], [l for l in layers if l[0] == "Dense"][-1][2]
    x = rng.normal(size=(batch, n_in))
    y = (np.eye(n_out)[rng.integers(0, n_out, batch)] if loss == "CategoricalCrossEntropy"
         else rng.normal(size=(batch, n_out)))
    (tmp_path / "exchange").mkdir()
    (tmp_path / "exchange" / "spec.json").write_text(json.dumps({"layers": layers, "loss": loss}))
    out = run_in_base(base, tmp_path, TAPE_IN_BASE, x=x, y=y)

    n_params = 2 * sum(1 for l in layers if l[0] == "Dense")
    assert out.results["n grads"] == n_params + 1                # one per source, in order
    assert out.results["unrelated"] == "None"                   # as the reference: None when not reached
    params = [out.arrays[f"param{i}"].copy() for i in range(n_params)]
    f = lambda: numpy_loss(loss, numpy_forward(layers, params, x), y)
    assert out.results["loss"] == pytest.approx(f(), rel=1e-12)
    for i, p in enumerate(params):
        got = out.arrays[f"grad{i}"].reshape(p.shape)
        report = compare(got, numeric_gradient(f, p), rtol=1e-6, atol=1e-8)
        assert report.ok, report.describe(f"{network} parameter {i}")


BRANCH_IN_BASE = '''
    from beras import Dense, Diffable, GradientTape, MeanSquaredError, ReLU, Tensor, Variable

    class Add(Diffable):                       # a two-input layer, written as a student would
        @property
        def weights(self):
            return []
        def forward(self, a, b):
            return a + b
        def get_input_gradients(self):
            n = self.inputs[0].shape[-1]
            return [np.eye(n), np.eye(n)]
        def get_weight_gradients(self):
            return []

    first, left, right = Dense(3, 4), Dense(4, 2), Dense(4, 2)
    for layer, name in ((first, "first"), (left, "left"), (right, "right")):
        layer.w, layer.b = Variable(INPUTS[name + ".w"]), Variable(INPUTS[name + ".b"])
    with GradientTape() as tape:
        h = ReLU()(first(Tensor(INPUTS["x"])))     # h feeds two layers: its gradient is the sum
        loss = MeanSquaredError()(Add()(left(h), right(h)), Tensor(INPUTS["y"]))
    weights = [first.w, first.b, left.w, left.b, right.w, right.b]
    grads = tape.gradient(loss, weights)
    save({"loss": float(loss)}, **{f"grad{i}": g for i, g in enumerate(grads)})
'''


def test_tape_sums_the_gradients_of_a_tensor_read_twice(base, tmp_path):
    rng = np.random.default_rng(9)
    shapes = {"first": (3, 4), "left": (4, 2), "right": (4, 2)}
    params = {}
    for name, (n_in, n_out) in shapes.items():
        params[name + ".w"], params[name + ".b"] = rng.normal(size=(n_in, n_out)), rng.normal(size=(1, n_out))
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    out = run_in_base(base, tmp_path, BRANCH_IN_BASE, x=x, y=y, **params)
    order = ["first.w", "first.b", "left.w", "left.b", "right.w", "right.b"]
    values = [params[k].copy() for k in order]

    def f():
        w1, b1, wl, bl, wr, br = values
        h = np.maximum(x @ w1 + b1, 0)
        return np.mean(np.mean((h @ wl + bl + h @ wr + br - y) ** 2, axis=1))

    assert out.results["loss"] == pytest.approx(f(), rel=1e-12)
    for i, (name, p) in enumerate(zip(order, values)):
        report = compare(out.arrays[f"grad{i}"].reshape(p.shape), numeric_gradient(f, p), rtol=1e-6, atol=1e-8)
        assert report.ok, report.describe(name)


# ------------------------------------------------------------------ optimizers vs the reference

OPTIMIZERS_IN_BASE = '''
    import beras
    from beras import Variable
    spec = json.loads((DATA / "spec.json").read_text())
    arrays = {}
    for name, kwargs in spec:
        optimizer = getattr(beras, name)(**kwargs)
        params = [Variable(INPUTS["w"].copy()), Variable(INPUTS["b"].copy())]
        for step in range(3):
            optimizer.apply_gradients(params, [INPUTS[f"gw{step}"], INPUTS[f"gb{step}"]])
        arrays[f"{name}{sorted(kwargs.items())}.w"], arrays[f"{name}{sorted(kwargs.items())}.b"] = params
    save({}, **arrays)
'''

OPTIMIZERS = [("BasicOptimizer", {"learning_rate": 0.1}), ("RMSProp", {"learning_rate": 0.01}),
              ("Adam", {"learning_rate": 0.01}), ("Adam", {"learning_rate": 0.01, "amsgrad": True})]


def test_optimizer_steps_match_the_reference(base, tmp_path):
    rng = np.random.default_rng(12)
    data = {"w": rng.normal(size=(3, 2)), "b": rng.normal(size=(1, 2))}
    for step in range(3):
        data[f"gw{step}"], data[f"gb{step}"] = rng.normal(size=(3, 2)), rng.normal(size=(1, 2))
    data["gw2"] = data["gw2"] * 0.01                    # a small late gradient: amsgrad keeps the larger v
    (tmp_path / "exchange").mkdir()
    (tmp_path / "exchange" / "spec.json").write_text(json.dumps(OPTIMIZERS))
    out = run_in_base(base, tmp_path, OPTIMIZERS_IN_BASE, **data)
    reference = load_fall2025()
    results = {}
    for name, kwargs in OPTIMIZERS:
        optimizer = getattr(reference, name)(**kwargs)
        params = [reference.Variable(data["w"].copy()), reference.Variable(data["b"].copy())]
        for step in range(3):
            optimizer.apply_gradients(params, [data[f"gw{step}"], data[f"gb{step}"]])
        key = f"{name}{sorted(kwargs.items())}"
        for label, p in zip("wb", params):
            np.testing.assert_allclose(out.arrays[f"{key}.{label}"], p, rtol=1e-12, err_msg=f"{key}.{label}")
        results[key] = np.asarray(params[0]).copy()
    assert not np.allclose(results["Adam[('learning_rate', 0.01)]"],
                           results["Adam[('amsgrad', True), ('learning_rate', 0.01)]"])  # amsgrad matters here


# ------------------------------------------------------------------ fit and evaluate

TRAINING_IN_BASE = '''
    from beras import BasicOptimizer, CategoricalAccuracy, CategoricalCrossEntropy, Dense, SequentialModel, Softmax, Tensor
    np.random.seed(11)
    model = SequentialModel([Dense(4, 3, initializer="normal"), Softmax()])
    model.compile(BasicOptimizer(0.5), CategoricalCrossEntropy(), CategoricalAccuracy())
    x, y = Tensor(INPUTS["x"]), Tensor(INPUTS["y"])
    before = [np.array(w) for w in model.weights]
    metrics, predictions = model.evaluate(x, y, batch_size=4)
    unchanged = all(np.array_equal(a, w) for a, w in zip(before, model.weights))
    history = model.fit(x, y, epochs=2, batch_size=4)
    moved = not all(np.array_equal(a, w) for a, w in zip(before, model.weights))
    save({"metrics": {k: float(v) for k, v in metrics.items()}, "evaluate left weights": unchanged,
          "fit moved weights": moved, "history": {k: len(v) for k, v in history.items()}},
         predictions=predictions, **{f"param{i}": p for i, p in enumerate(before)})
'''


def test_evaluate_averages_per_batch_without_weights_and_fit_trains(base, tmp_path):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(10, 4))
    y = np.eye(3)[rng.integers(0, 3, 10)]
    out = run_in_base(base, tmp_path, TRAINING_IN_BASE, x=x, y=y)
    w, b = out.arrays["param0"], out.arrays["param1"]
    probs = numpy_forward([("Dense",), ("Softmax",)], [w, b], x)
    np.testing.assert_allclose(out.arrays["predictions"], probs, rtol=1e-12)   # every row, in order
    batches = [slice(0, 4), slice(4, 8), slice(8, 10)]
    losses = [numpy_loss("CategoricalCrossEntropy", probs[s], y[s]) for s in batches]
    accs = [np.mean(probs[s].argmax(1) == y[s].argmax(1)) for s in batches]
    assert abs(np.average(losses, weights=[4, 4, 2]) - np.mean(losses)) > 1e-3  # the two averages differ
    assert out.results["metrics"]["loss"] == pytest.approx(np.mean(losses), rel=1e-12)
    assert out.results["metrics"]["acc"] == pytest.approx(np.mean(accs), rel=1e-12)
    assert out.results["evaluate left weights"] is True
    assert out.results["fit moved weights"] is True
    assert out.results["history"] == {"loss": 2, "acc": 2}


# ------------------------------------------------------------------ the older-term variant

DIFFERENCES_IN_BASE = '''
    import beras
    results = {"Variable is Tensor": beras.Variable is beras.Tensor,
               "Tensor.assign": hasattr(beras.Tensor, "assign"),
               "cce epsilon": hasattr(beras.CategoricalCrossEntropy(), "epsilon"),
               "weights type": type(beras.Dense(2, 3).weights).__name__,
               "losses imports tensorflow": "tf" in vars(beras.losses)}
    try:
        beras.Dense(2, 3, initializer="xavier uniform")
        results["xavier uniform"] = "accepted"
    except AssertionError:
        results["xavier uniform"] = "refused"
    save(results)
'''


def test_the_older_variant_differs_where_the_older_terms_did(tmp_path):
    found = {}
    for variant in VARIANTS:
        root = build_base(tmp_path / str(variant), base="course", edition="fall2025", variant=variant)
        (tmp_path / f"run-{variant}").mkdir()
        found[variant] = run_in_base(root, tmp_path / f"run-{variant}", DIFFERENCES_IN_BASE).results
    assert found[None] == {"Variable is Tensor": False, "Tensor.assign": True, "cce epsilon": True,
                           "weights type": "list", "losses imports tensorflow": False,
                           "xavier uniform": "accepted"}
    assert found["older"] == {"Variable is Tensor": True, "Tensor.assign": False, "cce epsilon": False,
                              "weights type": "tuple", "losses imports tensorflow": True,
                              "xavier uniform": "refused"}


def test_an_older_term_edit_that_no_longer_fits_is_refused(tmp_path):
    root = build_base(tmp_path / "fall", base="course", edition="fall2025")
    edits = {"beras/layers.py": [("return [self.w, self.b, self.extra]", "return self.w, self.b")]}
    with pytest.raises(older_terms.EditDoesNotFit, match="matches 0 times"):
        older_terms.apply_edits(root, edits)


# ------------------------------------------------------------------ the local tests of reference/fall2025

# The older terms' differences are exactly what these local tests (written for fall2025) check.
LOCAL_TESTS_OLDER_TERMS_FAIL = {"test_tensor_passthrough_and_views", "test_variable_is_a_tensor",
                                "test_initializers_shapes_and_zero_bias"}


def with_local_kit(base, folder, parts=("tests", "_local", "tensorflow", "test_runner.py")):
    """A copy of the base with parts of the fall2025 reference (its local tests, the local MNIST
    stand-ins that its preprocess.py imports instead of TensorFlow)."""
    shutil.copytree(base, folder)
    reference = build_reference_submission(folder.parent / "reference", "fall2025")
    for part in parts:
        if (reference / part).is_dir():
            shutil.copytree(reference / part, folder / part)
        else:
            shutil.copy(reference / part, folder / part)
    return folder


def test_the_local_tests_of_reference_fall2025_pass(base, variant, tmp_path):
    folder = with_local_kit(base, tmp_path / "hw")
    proc = run(folder, "test_runner.py", timeout=600)
    found = outcomes(proc.stdout)
    assert len(found) >= 40, proc.stdout[-3000:] + proc.stderr[-2000:]
    failed = {name for name, (status, _) in found.items() if status != "PASS"}
    assert failed == (LOCAL_TESTS_OLDER_TERMS_FAIL if variant else set()), proc.stdout[-3000:]


# ------------------------------------------------------------------ real MNIST, as a student runs it

def test_assignment_trains_to_95_percent_and_writes_predictions(fall, tmp_path):
    folder = with_local_kit(fall, tmp_path / "hw", parts=("tensorflow", "_local"))
    proc = run(folder, "-c", "import matplotlib; matplotlib.use('Agg'); import runpy; "
                             "runpy.run_path('assignment.py', run_name='__main__')", timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    predictions = np.load(folder / "predictions.npy")
    assert predictions.shape == (10000, 10)
    accuracy = float(np.mean(predictions.argmax(axis=1) == mnist.load("test_labels")))
    assert accuracy >= 0.95, accuracy          # 0.963 measured


# ------------------------------------------------------------------ build_base, course_stencil

def test_the_fall_base_parses_and_marks_every_student_task(fall):
    files = sorted(fall.rglob("*.py"))
    for path in files:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    tasks = {p.relative_to(fall).as_posix(): student_tasks(p.read_text(encoding="utf-8")) for p in files}
    assert tasks["beras/gradient_tape.py"] == ["GradientTape.gradient"]
    assert "Tensor.__new__ array" in tasks["beras/core.py"]
    assert {"Model.fit", "Model.evaluate", "SequentialModel.batch_step"} <= set(tasks["beras/model.py"])
    assert tasks["beras/optimizers.py"] == ["BasicOptimizer.apply_gradients", "RMSProp.apply_gradients",
                                            "Adam.apply_gradients"]
    assert tasks["assignment.py"] == ["get_model", "get_optimizer", "get_loss_fn", "get_acc_fn"]
    assert tasks["beras/onehot.py"] == ["OneHotEncoder.fit", "OneHotEncoder.forward", "OneHotEncoder.inverse"]
    for given_only in ("beras/__init__.py", "visualize.py", "utils/wandb_login.py"):
        assert tasks[given_only] == []


def test_the_fall_course_stencil_has_placeholders_and_only_the_tape_plumbing(tmp_path):
    stencil = course_stencil(tmp_path / "stencil", edition="fall2025")
    unparsable = set()
    for path in stencil.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        try:
            compile(text, str(path), "exec")
        except SyntaxError:
            unparsable.add(path.relative_to(stencil).as_posix())
        for task in student_tasks(text):
            assert stencil_body(task)[0] in text, (path, task)
    assert {"beras/core.py", "beras/layers.py", "assignment.py"} <= unparsable
    tape = (stencil / "beras" / "gradient_tape.py").read_text(encoding="utf-8")
    assert "# TODO: GradientTape.gradient" in tape and "queue" not in tape
    assert "raise RuntimeError" in tape                       # given: nesting refused


def test_build_base_lays_out_the_fall_bases(tmp_path):
    for base, variant in (("reference", None), ("course", None), ("course", "older")):
        root = build_base(tmp_path / f"{base}-{variant}", base=base, edition="fall2025", variant=variant)
        assert (root / "beras" / "gradient_tape.py").is_file() and (root / "assignment.py").is_file()
        assert not list(root.rglob("__pycache__"))
    with pytest.raises(ValueError):
        build_base(tmp_path / "x", base="reference", edition="fall2025", variant="older")
    with pytest.raises(ValueError):
        build_base(tmp_path / "y", base="course", edition="fall2025", variant="newer")
