"""Behaviour probes: one function per component, each returning named cases, written once
against the edition's API adapter (``api``: the edition's name, grader/probes/adapters/).

Inputs come from the trusted process (grader/checks/behaviour.py), so both
subjects see exactly the same numbers whatever the submission does to
np.random.
"""
import numpy as np

from grader.probes import adapters
from grader.probes.cases import Cases, fresh_import


def _first(gradients):
    """The first input's gradient, from a list or a (1, ...) stacked array."""
    return np.asarray(gradients[0])


def linear(api, configs, construct_case):
    cases = Cases()
    api = adapters.load(api)

    def construct(n_in, n_out):
        layer = api.new_dense(n_in, n_out)
        w, b = api.parameters(layer)
        return {"w_shape": list(np.shape(w)), "b_size": int(np.size(b)),
                "b_all_zero": bool(np.all(np.asarray(b) == 0)), "parameter_count": len(api.parameters(layer))}

    cases.run(construct_case, construct, 7, 3)
    for c in configs:
        def forward_then(step):
            layer = api.dense(c["w"], c["b"])
            out = layer(api.tensor(c["x"]))
            return out if step is None else step(layer)

        keys = c["cases"]  # {method: case key}, chosen by the grader
        cases.run(keys["forward"], forward_then, None)
        cases.run(keys["compose_input_gradients"], forward_then,
                  lambda layer: _first(layer.compose_input_gradients([c["J"]])))
        cases.run(keys["compose_weight_gradients"], forward_then,
                  lambda layer: list(layer.compose_weight_gradients([c["J"]])))
    return cases.results


def activations(api, cases_spec):
    """Each case: {"label", "class", "kwargs", "x", "J"}."""
    cases = Cases()
    api = adapters.load(api)
    for c in cases_spec:
        def forward_and_gradient():
            layer = api.cls(c["class"])(**c["kwargs"])
            out = np.asarray(layer(api.tensor(c["x"])))
            return {"forward": out, "input_gradient": _first(layer.compose_input_gradients([c["J"]]))}

        cases.run(c["label"], forward_and_gradient)
    return cases.results


def losses(api, configs):
    cases = Cases()
    api = adapters.load(api)
    for c in configs:
        def forward_and_gradient():
            loss_fn = api.cls(c["class"])()
            value = loss_fn(api.tensor(c["y_pred"]), api.tensor(c["y_true"]))
            return {"forward": np.asarray(value, dtype=float).reshape(()).item(),
                    "gradient_y_pred": _first(loss_fn.get_input_gradients())}

        cases.run(c["label"], forward_and_gradient)
    return cases.results


def metrics(api, configs):
    cases = Cases()
    api = adapters.load(api)
    for c in configs:
        cases.run(c["label"], lambda: float(api.cls("CategoricalAccuracy")()(c["probs"], c["labels"])))
    return cases.results


def onehot(api, label_sets):
    cases = Cases()
    api = adapters.load(api)
    for c in label_sets:
        def round_trip():
            encoder = api.cls("OneHotEncoder")()
            encoder.fit(c["fit"])
            encoded = np.asarray(encoder(c["data"]))
            return {"encoded": encoded, "decoded": np.asarray(encoder.inverse(encoded))}

        cases.run(c["label"], round_trip)
    return cases.results


def optimizers(api, configs):
    """Each config: class, kwargs, lr, initial params, per-step grads (None = no grad), frozen flags."""
    cases = Cases()
    api = adapters.load(api)
    for c in configs:
        def trajectory():
            params = [api.tensor(p) for p in c["params"]]
            held = list(params)  # what the layers would hold: updates must reach these objects
            optimizer = api.optimizer(c["class"], params, c["lr"], **c["kwargs"])
            for i, grads in enumerate(c["steps"]):
                api.step(optimizer, held, grads, c["frozen"])
                # Copies: each step's values as they are now, not views that later steps change.
                yield str(i), [np.array(p, dtype=np.float64, copy=True) for p in held]

        cases.run_facts(c["cases"], trajectory)
    return cases.results


def _mlp(api, weights):
    (w1, b1), (w2, b2) = weights
    return api.sequential([api.dense(w1, b1), api.cls("ReLU")(), api.dense(w2, b2), api.cls("Softmax")()])


def model(api, weights, x, y, lr, cases_spec):
    """Sequential and Model, one fact per case: independent mistakes cost independent cases."""
    cases = Cases()
    api = adapters.load(api)

    def compiled():
        return api.compile(_mlp(api, weights), lr)

    def snapshot(m):
        return [np.array(p, dtype=np.float64, copy=True) for p in api.parameters(m)]

    def changed(before, m):
        return any(not np.array_equal(a, b) for a, b in zip(before, snapshot(m)))

    def stats_of(result):
        # batch_step returns the metrics, or (metrics, predictions) when not training
        return result[0] if isinstance(result, tuple) else result

    def recording_batch_steps(m, record):
        original = m.batch_step

        def batch_step(bx, by, *args, **kwargs):
            result = original(bx, by, *args, **kwargs)
            try:
                stats = stats_of(result)
                record.append([len(bx), float(stats["loss"]), float(stats["acc"])])
            except Exception:
                record.append([len(bx), None, None])
            return result

        m.batch_step = batch_step

    def evaluation_step():
        m = compiled()
        before = snapshot(m)
        stats = stats_of(m.batch_step(api.tensor(x), api.tensor(y), training=False))
        return {"weights_unchanged": not changed(before, m), "loss": float(stats["loss"]),
                "accuracy": float(stats["acc"])}

    def training_step():
        m = compiled()
        stats = stats_of(m.batch_step(api.tensor(x), api.tensor(y), training=True))
        return {"loss": float(stats["loss"]), "accuracy": float(stats["acc"]),
                "parameters": snapshot(m)}

    def two_training_steps():
        # Gradients from the first step must not leak into the second (zero_grad).
        m = compiled()
        for rows in (slice(0, 10), slice(10, 20)):
            m.batch_step(api.tensor(x[rows]), api.tensor(y[rows]), training=True)
        return snapshot(m)

    def fit():
        m = compiled()
        seen = []
        recording_batch_steps(m, seen)
        np.random.seed(0)
        history = m.fit(api.tensor(x), api.tensor(y), epochs=2, batch_size=7)
        # Any dict (a defaultdict too) of metric lists with loss and acc will do.
        return {"batch_sizes": [size for size, _, _ in seen],
                "history": isinstance(history, dict) and {"loss", "acc"} <= set(history),
                # what batch_step returned, and what fit reported per epoch: the grader checks
                # that the latter averages the former
                "epoch_averages": {"batches": seen, "epochs": 2, "history": _history_values(history)}}

    def evaluate():
        m = compiled()
        before = snapshot(m)
        batches = []
        recording_batch_steps(m, batches)
        result = m.evaluate(api.tensor(x), api.tensor(y), batch_size=7)
        stats, predictions = (result if isinstance(result, tuple) and len(result) == 2 else (result, None))
        return {"averages": {"loss": float(stats["loss"]), "accuracy": float(stats["acc"]),
                                               "batches": batches},
                "predictions": None if predictions is None else np.asarray(predictions),
                "weights_unchanged": not changed(before, m)}

    keys = cases_spec  # {part: case key, or {fact: case key}}, chosen by the grader
    cases.run(keys["parameters"], lambda: snapshot(_mlp(api, weights)))
    cases.run(keys["forward"], lambda: np.asarray(_mlp(api, weights)(api.tensor(x))))
    cases.run_facts(keys["evaluation_step"], evaluation_step)
    cases.run_facts(keys["training_step"], training_step)
    cases.run(keys["two_training_steps"], two_training_steps)
    cases.run_facts(keys["fit"], fit)
    cases.run_facts(keys["evaluate"], evaluate)
    return cases.results


def _history_values(history):
    """fit's {"loss": [...], "acc": [...]} as floats, or None when it has no such lists."""
    try:
        return {k: [float(v) for v in history[k]] for k in ("loss", "acc")}
    except Exception:
        return None


def preprocess(api, rows):
    """A summary of load_and_preprocess_data(): the arrays are too big to send whole."""
    cases = Cases()

    def summary():
        train_x, train_y, test_x, test_y = fresh_import("preprocess").load_and_preprocess_data()
        Tensor = adapters.load(api).Tensor

        def describe(a, is_label):
            array = np.asarray(a)
            out = {"is_tensor": isinstance(a, Tensor), "shape": list(array.shape),
                   "dtype_kind": array.dtype.kind}
            if is_label:
                out["first"] = array.reshape(len(array), -1)[:20]
            else:
                flat = array.reshape(len(array), -1)
                out.update(min=float(flat.min()), max=float(flat.max()),
                           rows=flat[[r % len(flat) for r in rows]].astype(np.float64))
            return out

        return {"train_x": describe(train_x, False), "train_y": describe(train_y, True),
                "test_x": describe(test_x, False), "test_y": describe(test_y, True)}

    cases.run("load_and_preprocess_data()", summary)
    return cases.results


def initializers(api, cases_spec, n_in, n_out, seed):
    """Statistics of each initializer's draw, through _initialize_weight or the constructor."""
    cases = Cases()
    api = adapters.load(api)

    def stats(w, b):
        w = np.asarray(w, dtype=np.float64)
        return {"shape": list(w.shape), "mean": float(w.mean()), "std": float(w.std()),
                "min": float(w.min()), "max": float(w.max()),
                "b_size": int(np.size(b)), "b_all_zero": bool(np.all(np.asarray(b) == 0))}

    for c in cases_spec:
        def draw():
            np.random.seed(seed)
            if c["via"] == "draw":
                return stats(*api.initialize_weight(c["name"], n_in, n_out))
            return stats(*api.parameters(api.new_dense(n_in, n_out, initializer=c["name"])))

        cases.run(c["label"], draw)
    return cases.results
