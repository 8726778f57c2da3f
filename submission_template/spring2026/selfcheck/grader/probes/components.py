"""Behaviour probes: one function per component, each returning named cases.

Inputs come from the trusted process (grader/checks/behaviour.py), so both
subjects see exactly the same numbers whatever the submission does to
np.random.
"""
import numpy as np

from grader.probes.cases import Cases, fresh_import


def _beras():
    return fresh_import("beras")


def _tensor(array):
    return _beras().Tensor(np.array(array, copy=True))


def _linear(w, b):
    beras = _beras()
    layer = beras.Linear(w.shape[0], w.shape[1])
    layer.w, layer.b = _tensor(w), _tensor(b)
    return layer


def _first(gradients):
    """The first input's gradient, from a list or a (1, ...) stacked array."""
    return np.asarray(gradients[0])


def tensor(x, y):
    Tensor = _beras().Tensor
    cases = Cases()

    def construct():
        t = Tensor(x)
        return {"is_ndarray": isinstance(t, np.ndarray), "values": np.asarray(t),
                "requires_grad": bool(t.requires_grad), "grad_is_none": t.grad is None,
                "backward_is_callable": callable(t.backward), "name": t.name}

    def assign():
        t = Tensor(x.copy())
        before = id(t)
        t.assign(y)
        return {"same_object": id(t) == before, "values": np.asarray(t)}

    def derived():
        t = Tensor(x)
        t.requires_grad = False
        part = t[1:]
        return {"is_tensor": isinstance(part, Tensor), "requires_grad": bool(part.requires_grad)}

    def passthrough():
        t = Tensor(x)
        return {"same_object": Tensor(t) is t, "values": np.asarray(t)}

    cases.run("Tensor(array) values and attributes", construct)
    cases.run("Tensor(list) values", lambda: np.asarray(Tensor(x.tolist())))
    cases.run("Tensor(tensor) returns the same object", passthrough)
    cases.run("Tensor(x, name=...).get_name()",
              lambda: (lambda t: {"name": t.get_name(), "values": np.asarray(t)})(Tensor(x, name="w1")))
    cases.run("assign(value) updates in place", assign)
    cases.run("slices keep Tensor attributes", derived)
    return cases.results


def weighted(w, b):
    cases = Cases()

    def flags(layer):
        return {"trainable": bool(layer.trainable),
                "trainable_variables": len(layer.trainable_variables),
                "non_trainable_variables": len(layer.non_trainable_variables),
                "requires_grad": [bool(p.requires_grad) for p in layer.parameters]}

    def after(change):
        layer = _linear(w, b)
        change(layer)
        return flags(layer)

    cases.run("a new Linear", after, lambda layer: None)
    cases.run("trainable = False", after, lambda layer: setattr(layer, "trainable", False))
    cases.run("trainable = False, then True", after,
              lambda layer: (setattr(layer, "trainable", False), setattr(layer, "trainable", True)))
    cases.run("only the bias frozen", after, lambda layer: setattr(layer.parameters[1], "requires_grad", False))
    return cases.results


def linear(configs, construct_case):
    cases = Cases()
    beras = _beras()

    def construct(n_in, n_out):
        layer = beras.Linear(n_in, n_out)
        w, b = layer.parameters
        return {"w_shape": list(np.shape(w)), "b_size": int(np.size(b)),
                "b_all_zero": bool(np.all(np.asarray(b) == 0)), "parameter_count": len(layer.parameters)}

    cases.run(construct_case, construct, 7, 3)
    for c in configs:
        def forward_then(step):
            layer = _linear(c["w"], c["b"])
            out = layer(_tensor(c["x"]))
            return out if step is None else step(layer)

        keys = c["cases"]  # {method: case key}, chosen by the grader
        cases.run(keys["forward"], forward_then, None)
        cases.run(keys["compose_input_gradients"], forward_then,
                  lambda layer: _first(layer.compose_input_gradients([c["J"]])))
        cases.run(keys["compose_weight_gradients"], forward_then,
                  lambda layer: list(layer.compose_weight_gradients([c["J"]])))
    return cases.results


def activations(cases_spec):
    """Each case: {"label", "class", "kwargs", "x", "J"}."""
    cases = Cases()
    beras = _beras()
    for c in cases_spec:
        def forward_and_gradient():
            layer = getattr(beras, c["class"])(**c["kwargs"])
            out = np.asarray(layer(_tensor(c["x"])))
            return {"forward": out, "input_gradient": _first(layer.compose_input_gradients([c["J"]]))}

        cases.run(c["label"], forward_and_gradient)
    return cases.results


def losses(configs):
    cases = Cases()
    beras = _beras()
    for c in configs:
        def forward_and_gradient():
            loss_fn = getattr(beras, c["class"])()
            value = loss_fn(_tensor(c["y_pred"]), _tensor(c["y_true"]))
            return {"forward": np.asarray(value, dtype=float).reshape(()).item(),
                    "gradient_y_pred": _first(loss_fn.get_input_gradients())}

        cases.run(c["label"], forward_and_gradient)
    return cases.results


def metrics(configs):
    cases = Cases()
    beras = _beras()
    for c in configs:
        cases.run(c["label"], lambda: float(beras.CategoricalAccuracy()(c["probs"], c["labels"])))
    return cases.results


def onehot(label_sets):
    cases = Cases()
    beras = _beras()
    for c in label_sets:
        def round_trip():
            encoder = beras.OneHotEncoder()
            encoder.fit(c["fit"])
            encoded = np.asarray(encoder(c["data"]))
            return {"encoded": encoded, "decoded": np.asarray(encoder.inverse(encoded))}

        cases.run(c["label"], round_trip)
    return cases.results


def optimizers(configs):
    """Each config: class, kwargs, lr, initial params, per-step grads (None = no grad), frozen flags."""
    cases = Cases()
    beras = _beras()
    for c in configs:
        def trajectory():
            params = [_tensor(p) for p in c["params"]]
            for p, frozen in zip(params, c["frozen"]):
                p.requires_grad = not frozen
            held = list(params)  # what the layers would hold: updates must reach these objects
            optimizer = getattr(beras, c["class"])(params, c["lr"], **c["kwargs"])
            for i, grads in enumerate(c["steps"]):
                for p, g in zip(held, grads):
                    p.grad = None if g is None else np.array(g, copy=True)
                optimizer.step()
                # Copies: each step's values as they are now, not views that later steps change.
                yield str(i), [np.array(p, dtype=np.float64, copy=True) for p in held]

        cases.run_facts(c["cases"], trajectory)
    return cases.results


def _mlp(weights):
    beras = _beras()
    (w1, b1), (w2, b2) = weights
    return beras.Sequential(_linear(w1, b1), beras.ReLU(), _linear(w2, b2), beras.Softmax())


def model(weights, x, y, lr, cases_spec):
    """Sequential and Model, one fact per case: independent mistakes cost independent cases."""
    cases = Cases()
    beras = _beras()

    def compiled():
        m = _mlp(weights)
        m.compile(beras.BasicOptimizer(m.parameters, lr), beras.CategoricalCrossEntropy(),
                  beras.CategoricalAccuracy())
        return m

    def snapshot(m):
        return [np.array(p, dtype=np.float64, copy=True) for p in m.parameters]

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
        stats = stats_of(m.batch_step(_tensor(x), _tensor(y), training=False))
        return {"weights_unchanged": not changed(before, m), "loss": float(stats["loss"]),
                "accuracy": float(stats["acc"])}

    def training_step():
        m = compiled()
        stats = stats_of(m.batch_step(_tensor(x), _tensor(y), training=True))
        return {"loss": float(stats["loss"]), "accuracy": float(stats["acc"]),
                "parameters": snapshot(m)}

    def two_training_steps():
        # Gradients from the first step must not leak into the second (zero_grad).
        m = compiled()
        for rows in (slice(0, 10), slice(10, 20)):
            m.batch_step(_tensor(x[rows]), _tensor(y[rows]), training=True)
        return snapshot(m)

    def fit():
        m = compiled()
        seen = []
        recording_batch_steps(m, seen)
        np.random.seed(0)
        history = m.fit(_tensor(x), _tensor(y), epochs=2, batch_size=7)
        # Any dict (a defaultdict too) of metric lists with loss and acc will do.
        return {"batch_sizes": [size for size, _, _ in seen],
                "history": isinstance(history, dict) and {"loss", "acc"} <= set(history)}

    def evaluate():
        m = compiled()
        before = snapshot(m)
        batches = []
        recording_batch_steps(m, batches)
        result = m.evaluate(_tensor(x), _tensor(y), batch_size=7)
        stats, predictions = (result if isinstance(result, tuple) and len(result) == 2 else (result, None))
        return {"averages": {"loss": float(stats["loss"]), "accuracy": float(stats["acc"]),
                                               "batches": batches},
                "predictions": None if predictions is None else np.asarray(predictions),
                "weights_unchanged": not changed(before, m)}

    keys = cases_spec  # {part: case key, or {fact: case key}}, chosen by the grader
    cases.run(keys["parameters"], lambda: snapshot(_mlp(weights)))
    cases.run(keys["forward"], lambda: np.asarray(_mlp(weights)(_tensor(x))))
    cases.run_facts(keys["evaluation_step"], evaluation_step)
    cases.run_facts(keys["training_step"], training_step)
    cases.run(keys["two_training_steps"], two_training_steps)
    cases.run_facts(keys["fit"], fit)
    cases.run_facts(keys["evaluate"], evaluate)
    return cases.results


def preprocess(rows):
    """A summary of load_and_preprocess_data(): the arrays are too big to send whole."""
    cases = Cases()

    def summary():
        train_x, train_y, test_x, test_y = fresh_import("preprocess").load_and_preprocess_data()
        Tensor = _beras().Tensor

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


def initializers(cases_spec, n_in, n_out, seed):
    """Statistics of each initializer's draw, through _initialize_weight or the constructor."""
    cases = Cases()
    beras = _beras()

    def stats(w, b):
        w = np.asarray(w, dtype=np.float64)
        return {"shape": list(w.shape), "mean": float(w.mean()), "std": float(w.std()),
                "min": float(w.min()), "max": float(w.max()),
                "b_size": int(np.size(b)), "b_all_zero": bool(np.all(np.asarray(b) == 0))}

    for c in cases_spec:
        def draw():
            np.random.seed(seed)
            if c["via"] == "draw":
                return stats(*beras.Linear._initialize_weight(c["name"], n_in, n_out))
            return stats(*beras.Linear(n_in, n_out, initializer=c["name"]).parameters)

        cases.run(c["label"], draw)
    return cases.results
