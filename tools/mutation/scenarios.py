"""The independent witness: what a submission's code does on many random inputs, as a trace.

    python tools/mutation/scenarios.py SUBMISSION OUT.pickle EDITION GROUP [GROUP ...]

Run in a fresh subprocess with SUBMISSION first on sys.path (this file imports
nothing from the project: it must not be the grader's probes in disguise). Each
group drives one part of the library through its public API on seeded random
inputs - many shapes, float32 and float64, batch 1 and more, edge values (exact
zeros, large magnitudes, probabilities of 0 and 1) - and records every result
(values, shapes, which exception was raised). The campaign runs it on the original
and on a mutant and compares the traces: a mutant whose trace matches is
"equivalent". The inputs are drawn here, from this file's own seeds, not from the
grader's cases. The groups are written once for every edition; the few operations
spelt differently (Linear or Dense, loss.backward() or a GradientTape, ...) go through
EDITION's class in scenario_api.py.
"""
import contextlib
import io
import pickle
import sys
import warnings

import numpy as np

from scenario_api import APIS   # this folder's own module (the script's directory is on sys.path)

SEEDS = range(6)
DTYPES = (np.float32, np.float64)
RAISED = "__raised__"
SAMPLE = "__sample__"


class Trace:
    def __init__(self):
        self.records = []

    def add(self, label, fn):
        """Record fn()'s result (or the exception it raised) under label; return the result or None."""
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                value = fn()
        except Exception as error:  # noqa: BLE001 - the exception is the observation
            self.records.append((label, (RAISED, type(error).__name__)))
            return None
        self.records.append((label, plain(value)))
        return value


def plain(value, depth=0):
    """A comparable copy: arrays as float64/int arrays, containers recursively, objects by type name."""
    if depth > 6:
        return "<deep>"
    if isinstance(value, np.ndarray) or np.isscalar(value) and isinstance(value, np.generic):
        return np.array(value)   # a copy, in its own dtype (the comparison's tolerance follows it)
    if isinstance(value, Sample):
        return (SAMPLE, value.values)
    if isinstance(value, (bool, int, float, str, type(None))):
        return value
    if isinstance(value, dict):
        return {"__dict__": sorted((str(k), plain(v, depth + 1)) for k, v in value.items())}
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1) for v in value]
    return f"<{type(value).__name__}>"


def rng_for(*keys):
    return np.random.default_rng([hash_key(k) for k in keys])


def hash_key(key):
    return sum((i + 1) * ord(c) for i, c in enumerate(str(key))) % (2 ** 31)


def random_array(rng, shape, dtype, scale=1.0, zeros=0.0):
    a = rng.normal(0.0, scale, size=shape)
    if zeros:
        a[rng.random(shape) < zeros] = 0.0
    return a.astype(dtype)


def tensor(beras, array):
    return beras.Tensor(array)


# ------------------------------------------------------------------------------ groups

def group_tensor(api, t):
    beras = api.beras
    for seed in SEEDS:
        rng = rng_for("tensor", seed)
        for shape in [(), (3,), (2, 3), (2, 3, 4), (1, 1)]:
            for dtype in DTYPES + (np.int64,):
                a = random_array(rng, shape, np.float64, 3.0).astype(dtype)
                label = f"tensor {seed} {shape} {np.dtype(dtype).name}"
                x = t.add(label, lambda: beras.Tensor(a))
                if x is None:
                    continue
                t.add(label + " is ndarray", lambda: isinstance(x, np.ndarray))
                t.add(label + " is Tensor", lambda: isinstance(x, beras.Tensor))
                t.add(label + " shape", lambda: list(np.shape(x)))
                t.add(label + " kind", lambda: np.asarray(x).dtype.kind)
                t.add(label + " attrs", lambda: api.tensor_facts(x))
                t.add(label + " same", lambda: beras.Tensor(x) is x)
                if shape:
                    t.add(label + " slice", lambda: (type(x[:1]).__name__, np.asarray(x[:1])))
        t.add(f"tensor list {seed}", lambda: beras.Tensor([[1, 2], [3, 4.5]]))
        api.tensor_extras(t, seed)


def set_weights(api, layer, rng, dtype, bias_row=False):
    w = random_array(rng, np.shape(layer.w), dtype)
    b = random_array(rng, (1, np.shape(w)[1]) if bias_row else (np.shape(w)[1],), dtype)
    layer.w, layer.b = api.weight(w), api.weight(b)


def group_weighted(api, t):
    for seed in SEEDS:
        rng = rng_for("weighted", seed)
        sizes = [int(s) for s in rng.integers(1, 6, size=2)]
        layer = api.dense(*sizes)
        params = list(api.weights(layer))
        index = lambda items: [next(i for i, p in enumerate(params) if p is q) for q in items]  # noqa: E731
        label = f"weighted {seed}"
        # flags are compared as truth values: the handout asks for a flag, not for True itself
        t.add(label + " trainable", lambda: bool(layer.trainable))
        t.add(label + " trainable vars", lambda: index(layer.trainable_variables))
        t.add(label + " non-trainable vars", lambda: index(layer.non_trainable_variables))
        api.set_flag(params[seed % 2], False)
        t.add(label + " one frozen", lambda: [bool(layer.trainable), index(layer.trainable_variables),
                                              index(layer.non_trainable_variables)])
        t.add(label + " set False", lambda: setattr(layer, "trainable", False))
        t.add(label + " after False", lambda: [bool(layer.trainable), [bool(api.flag(p)) for p in params],
                                               index(layer.trainable_variables),
                                               index(layer.non_trainable_variables)])
        t.add(label + " set True", lambda: setattr(layer, "trainable", True))
        t.add(label + " after True", lambda: [bool(layer.trainable), [bool(api.flag(p)) for p in params],
                                              index(layer.trainable_variables)])


def group_linear(api, t):
    beras = api.beras
    for seed in SEEDS:
        for dtype in DTYPES:
            for bias_row in (False, True):
                rng = rng_for("linear", seed, np.dtype(dtype).name, bias_row)
                batch, n_in, n_out = (int(v) for v in rng.integers(1, 7, size=3))
                batch = 1 if seed == 0 else batch
                label = f"linear {seed} {np.dtype(dtype).name} row={bias_row} ({batch},{n_in})->{n_out}"
                layer = api.dense(n_in, n_out, dtype=dtype)
                set_weights(api, layer, rng, dtype, bias_row)
                x = beras.Tensor(random_array(rng, (batch, n_in), dtype, 2.0, zeros=0.1))
                t.add(label + " forward", lambda: layer(x))
                t.add(label + " input grads", lambda: layer.get_input_gradients())
                t.add(label + " weight grads", lambda: layer.get_weight_gradients())
                J = random_array(rng, (batch, n_out), dtype)
                t.add(label + " compose input", lambda: layer.compose_input_gradients([J]))
                t.add(label + " compose weight", lambda: layer.compose_weight_gradients([J]))
                api.layer_backward(t, label, layer, x, J)


def group_initializers(api, t):
    """Shapes and the bias exactly; the weights as a distribution (a random draw is compared as a sample:
    -N(0, s) is N(0, s), and the handout asks for a distribution, not for particular numbers)."""
    names = ("zero", "normal", "xavier", "kaiming", "xavier uniform", "kaiming uniform")
    for seed in SEEDS[:3]:
        for name in names:
            rng = rng_for("init", seed, name)
            n_in, n_out = (int(v) for v in rng.integers(1, 40, size=2))
            label = f"init {seed} {name} {n_in}x{n_out}"
            np.random.seed(seed)
            drawn = t.add(label + " draw shapes", lambda: [list(np.shape(v)) for v in
                                                            api.dense_class._initialize_weight(name, n_in, n_out)])
            np.random.seed(seed)
            t.add(label + " draw bias", lambda: api.dense_class._initialize_weight(name, n_in, n_out)[1])
            np.random.seed(seed)
            t.add(label + " layer shapes", lambda: [list(np.shape(p)) for p in
                                                    api.weights(api.dense(n_in, n_out, initializer=name.upper()))])
            np.random.seed(seed)
            t.add(label + " layer bias", lambda: api.weights(api.dense(n_in, n_out, initializer=name))[1])
            del drawn
        for name in names:
            for n_in, n_out in ((400, 300), (50, 700)):
                np.random.seed(seed)
                t.add(f"init {seed} {name} {n_in}x{n_out} distribution",
                      lambda: Sample(api.dense_class._initialize_weight(name, n_in, n_out)[0]))
                np.random.seed(seed + 100)
                t.add(f"init {seed} {name} {n_in}x{n_out} layer distribution",
                      lambda: Sample(api.weights(api.dense(n_in, n_out, initializer=name))[0]))


class Sample:
    """Draws compared as a distribution (two-sample Kolmogorov-Smirnov), not value by value."""

    def __init__(self, values):
        self.values = np.sort(np.asarray(values, dtype=np.float64).ravel())


def activation_inputs(rng, dtype):
    batch, n = (int(v) for v in rng.integers(1, 7, size=2))
    for scale in (1.0, 30.0, 1000.0):
        yield scale, random_array(rng, (batch, n), dtype, scale, zeros=0.2)


def group_activations(api, t):
    beras = api.beras
    makers = [("leaky0.3", lambda: beras.LeakyReLU()), ("leaky0.01", lambda: beras.LeakyReLU(alpha=0.01)),
              ("leaky0", lambda: beras.LeakyReLU(alpha=0)), ("leaky2", lambda: beras.LeakyReLU(alpha=2.0)),
              ("relu", lambda: beras.ReLU()), ("sigmoid", lambda: beras.Sigmoid()),
              ("softmax", lambda: beras.Softmax())]
    for seed in SEEDS:
        for dtype in DTYPES:
            rng = rng_for("act", seed, np.dtype(dtype).name)
            for scale, x in activation_inputs(rng, dtype):
                J = random_array(rng, x.shape, dtype)
                for name, make in makers:
                    label = f"act {name} {seed} {np.dtype(dtype).name} {x.shape} x{scale}"
                    layer = make()
                    xt = beras.Tensor(x)
                    t.add(label + " forward", lambda: layer(xt))
                    t.add(label + " input grads", lambda: layer.get_input_gradients())
                    t.add(label + " compose", lambda: layer.compose_input_gradients([J]))
                    t.add(label + " input untouched", lambda: np.asarray(xt))
                    if api.HAS_TAPE:
                        t.add(label + " tape", lambda: api.probe_gradients(lambda: layer(xt), J, [xt]))


def probabilities(rng, batch, n, dtype, exact=False):
    p = rng.random((batch, n)) ** 3
    p /= p.sum(axis=-1, keepdims=True)
    if exact:
        p[0] = 0.0
        p[0, 0] = 1.0
    return p.astype(dtype)


def group_losses(api, t):
    beras = api.beras
    makers = [("mse", lambda: beras.MeanSquaredError()), ("cce", lambda: beras.CategoricalCrossEntropy()),
              ("cce1e-3", lambda: beras.CategoricalCrossEntropy(epsilon=1e-3))]
    for seed in SEEDS:
        for dtype in DTYPES:
            rng = rng_for("loss", seed, np.dtype(dtype).name)
            batch, n = (int(v) for v in rng.integers(1, 7, size=2))
            batch = 1 if seed == 0 else batch
            for exact in (False, True):
                y_pred = probabilities(rng, batch, n, dtype, exact)
                labels = rng.integers(0, n, size=batch)
                one_hot = np.eye(n, dtype=dtype)[labels]
                soft = probabilities(rng, batch, n, dtype)
                raw = random_array(rng, (batch, n), dtype, 3.0)
                for target_name, y_true in (("onehot", one_hot), ("soft", soft), ("raw", raw)):
                    for name, make in makers:
                        label = f"loss {name} {seed} {np.dtype(dtype).name} ({batch},{n}) {target_name} exact={exact}"
                        loss = make()
                        p, y = beras.Tensor(y_pred), beras.Tensor(y_true)
                        t.add(label + " value", lambda: loss(p, y))
                        # dL/dy_pred only: the handout asks for it, and the labels are leaves nothing reads
                        # a gradient from (the grader accepts a loss returning [dL/dy_pred] alone)
                        t.add(label + " input grads", lambda: loss.get_input_gradients()[0])
                        t.add(label + " compose", lambda: loss.compose_input_gradients(None)[0])
                        if api.HAS_TAPE:   # through the tape, with respect to y_pred alone (as above)
                            t.add(label + " tape", lambda: api.join_gradients(lambda: loss(p, y), [p]))


def group_metrics(api, t):
    beras = api.beras
    for seed in SEEDS:
        rng = rng_for("metric", seed)
        for batch in (1, 2, 7):
            n = int(rng.integers(2, 6))
            probs = probabilities(rng, batch, n, np.float64)
            labels = np.eye(n)[rng.integers(0, n, size=batch)]
            label = f"acc {seed} ({batch},{n})"
            metric = beras.CategoricalAccuracy()
            t.add(label, lambda: metric(probs, labels))
            t.add(label + " self", lambda: metric(labels, labels))
            t.add(label + " ties", lambda: metric(np.full((batch, n), 1.0 / n), labels))
            t.add(label + " transposed", lambda: metric(probs.T.copy(), labels.T.copy()))


def group_onehot(api, t):
    beras = api.beras
    for seed in SEEDS:
        rng = rng_for("onehot", seed)
        data_sets = {"digits": rng.integers(0, 10, size=20), "sparse": rng.choice([-3, 2, 7, 40], size=12),
                     "floats": rng.choice([0.5, 1.5, -2.0], size=9), "strings": rng.choice(["cat", "dog", "ant"], 8),
                     "single": np.array([4])}
        for name, data in data_sets.items():
            label = f"onehot {seed} {name}"
            encoder = beras.OneHotEncoder()
            t.add(label + " fit", lambda: encoder.fit(data))
            encoded = t.add(label + " forward", lambda: encoder(data))
            t.add(label + " subset", lambda: encoder(data[:3]))
            if encoded is not None:
                t.add(label + " inverse", lambda: encoder.inverse(encoded))
                t.add(label + " inverse noisy", lambda: encoder.inverse(np.asarray(encoded) * 0.8 + 0.01))
            fresh = beras.OneHotEncoder()
            t.add(label + " forward without fit", lambda: fresh(data))
            t.add(label + " unseen", lambda: encoder(np.array([data[0], 999] if data.dtype.kind in "if"
                                                               else [data[0], "zebra"])))


OPTIMIZERS = [("basic", "BasicOptimizer", {"learning_rate": 0.1}),
              ("rms", "RMSProp", {"learning_rate": 0.01}),
              ("rms2", "RMSProp", {"learning_rate": 0.05, "beta": 0.5, "epsilon": 1e-2}),
              ("adam", "Adam", {"learning_rate": 0.01}),
              ("adam2", "Adam", {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.7, "epsilon": 1e-3})]


def group_optimizers(api, t):
    for seed in SEEDS:
        for dtype in DTYPES:
            for name, cls, kwargs in OPTIMIZERS + api.EXTRA_OPTIMIZERS:
                rng = rng_for("opt", seed, np.dtype(dtype).name, name)
                shapes = [(3, 2), (2,), (1, 4), (2, 2)]
                params = [api.weight(random_array(rng, s, dtype)) for s in shapes]
                api.set_flag(params[3], False)
                label = f"opt {name} {seed} {np.dtype(dtype).name}"
                optimizer = t.add(label + " make", lambda: api.optimizer(cls, params, kwargs))
                if optimizer is None:
                    continue
                for step in range(5):
                    grads = [None if (i == 1 and step == 2) else random_array(rng, np.shape(p), dtype, 2.0)
                             for i, p in enumerate(params)]
                    t.add(f"{label} step {step}", lambda: api.apply(optimizer, params, grads))
                    t.add(f"{label} values {step}", lambda: [np.asarray(p) for p in params])
                    same_objects = api.optimizer_facts(optimizer, params)
                    if same_objects:
                        t.add(f"{label} same objects {step}", same_objects)


def small_model(api, rng, dtype, activation="relu"):
    beras = api.beras
    hidden = beras.ReLU() if activation == "relu" else beras.Sigmoid() if activation == "sigmoid" \
        else beras.LeakyReLU(alpha=0.1)
    layers = [api.dense(4, 5, dtype=dtype), hidden, api.dense(5, 3, dtype=dtype), beras.Softmax()]
    for layer in layers[::2]:
        set_weights(api, layer, rng, dtype)
    return api.sequential(layers), layers


def data(rng, n, dtype):
    x = random_array(rng, (n, 4), dtype, 1.5)
    y = np.eye(3, dtype=dtype)[rng.integers(0, 3, size=n)]
    return x, y


def group_model(api, t):
    beras = api.beras
    for seed in SEEDS[:4]:
        for dtype in DTYPES:
            for (name, cls, kwargs), activation in zip(OPTIMIZERS, ["relu", "sigmoid", "leaky", "relu", "sigmoid"]):
                for loss_name in ("cce", "mse"):
                    rng = rng_for("model", seed, np.dtype(dtype).name, name, loss_name)
                    model, layers = small_model(api, rng, dtype, activation)
                    label = f"model {seed} {np.dtype(dtype).name} {name} {activation} {loss_name}"
                    params = t.add(label + " parameters", lambda: list(api.weights(model)))
                    params = params or []
                    t.add(label + " parameters identity",
                          lambda: [any(p is q for layer in layers[::2] for q in api.weights(layer)) for p in params])
                    loss = beras.CategoricalCrossEntropy() if loss_name == "cce" else beras.MeanSquaredError()
                    t.add(label + " compile", lambda: model.compile(api.optimizer(cls, api.weights(model), kwargs),
                                                                    loss, beras.CategoricalAccuracy()))
                    x, y = data(rng, 7, dtype)
                    t.add(label + " forward", lambda: model(beras.Tensor(x)))
                    values = lambda: [np.asarray(p) for layer in layers[::2] for p in api.weights(layer)]  # noqa: E731
                    t.add(label + " step train", lambda: model.batch_step(x, y, training=True))
                    t.add(label + " after train", values)
                    t.add(label + " step eval", lambda: model.batch_step(x, y, training=False))
                    t.add(label + " after eval", values)
                    np.random.seed(seed)
                    t.add(label + " fit", lambda: model.fit(x, y, epochs=2, batch_size=3))
                    t.add(label + " after fit", values)
                    np.random.seed(seed + 10)
                    t.add(label + " fit big batch", lambda: model.fit(x, y, epochs=1, batch_size=50))
                    t.add(label + " evaluate", lambda: model.evaluate(x, y, batch_size=3))
                    t.add(label + " evaluate one", lambda: model.evaluate(x[:1], y[:1], batch_size=4))
                    t.add(label + " after evaluate", values)


def group_graph(api, t):
    beras = api.beras
    for seed in SEEDS:
        for dtype in (np.float64, np.float32):
            for activation in ("relu", "sigmoid", "leaky"):
                rng = rng_for("graph", seed, activation, np.dtype(dtype).name)
                model, layers = small_model(api, rng, dtype, activation)
                x, y = data(rng, 1 if seed == 0 else 5, dtype)
                label = f"graph {seed} {np.dtype(dtype).name} {activation}"
                sources = [p for layer in layers[::2] for p in api.weights(layer)]
                for loss in (beras.CategoricalCrossEntropy(), beras.MeanSquaredError()):
                    api.backprop(t, f"{label} {type(loss).__name__}",
                                 lambda: loss(model(beras.Tensor(x)), beras.Tensor(y)), sources)
            # one layer feeding two branches: its gradients add up over both
            rng = rng_for("branches", seed, np.dtype(dtype).name)
            shared, left, right = api.dense(3, 4, dtype=dtype), api.dense(4, 2, dtype=dtype), \
                api.dense(4, 2, dtype=dtype)
            for layer in (shared, left, right):
                set_weights(api, layer, rng, dtype)
            x = beras.Tensor(random_array(rng, (3, 3), dtype))
            target = beras.Tensor(random_array(rng, (3, 2), dtype))
            label = f"branches {seed} {np.dtype(dtype).name}"

            def two_branches():
                h = shared(x)
                return api.two_losses_gradients(
                    lambda: beras.MeanSquaredError()(left(h), target),
                    lambda: beras.MeanSquaredError()(beras.Sigmoid()(right(h)), target),
                    [p for layer in (shared, left, right) for p in api.weights(layer)])
            t.add(label, two_branches)
            with api.no_recording():
                t.add(label + " no_grad forward", lambda: left(shared(x)))
            t.add(label + " leaf first", lambda: leaf_first_two_inputs(api, rng, dtype))
            if api.HAS_TAPE:
                t.add(label + " meet", lambda: branches_meet(api, rng, dtype, shared, left, right, x, target))


def join(beras):
    """A two-input layer of the scenarios' own: a + b."""
    class Join(beras.Diffable):
        weights = property(lambda self: [])   # fall2025: no default on the course's Diffable

        def forward(self, a, b):
            return np.asarray(a) + np.asarray(b)

        def get_input_gradients(self):
            n = np.shape(self.inputs[0])[-1]
            return [np.eye(n), np.eye(n)]

        def get_weight_gradients(self):
            return []

    return Join()


def leaf_first_two_inputs(api, rng, dtype):
    """A two-input layer whose first input is a leaf and whose second comes from a Linear."""
    beras = api.beras
    layer = api.dense(3, 3, dtype=dtype)
    set_weights(api, layer, rng, dtype)
    x = beras.Tensor(random_array(rng, (4, 3), dtype))
    target = beras.Tensor(random_array(rng, (4, 3), dtype))
    sources = [layer.w, layer.b] + ([x] if api.HAS_TAPE else [])
    return api.join_gradients(lambda: beras.MeanSquaredError()(join(beras)(x, layer(x)), target), sources)


def branches_meet(api, rng, dtype, shared, left, right, x, target):
    """One tensor read by two layers whose outputs meet again in a two-input layer, through the tape; a
    layer in front, so that a walk which miscounts the shared tensor's readers misses the front's weights."""
    beras = api.beras
    front = api.dense(3, 3, dtype=dtype)
    set_weights(api, front, rng, dtype)

    def run():
        h = shared(beras.Sigmoid()(front(x)))
        return beras.MeanSquaredError()(join(beras)(left(h), beras.Sigmoid()(right(h))), target)
    layers = (front, shared, left, right)
    return api.join_gradients(run, [p for layer in layers for p in api.weights(layer)] + [x])


def group_tape(api, t):
    """fall2025's GradientTape: one gradient per source in the order asked, sources it does not reach,
    intermediate tensors and inputs as sources, a tensor read twice, asking twice, nothing recorded
    outside the with block; a second tape refused while one records."""
    beras = api.beras
    t.add("tape nested", lambda: nested_tape(beras))
    t.add("tape uninstalled", lambda: uninstalled_tape(beras))
    for seed in SEEDS:
        for dtype in DTYPES:
            rng = rng_for("tape", seed, np.dtype(dtype).name)
            model, layers = small_model(api, rng, dtype, ("relu", "sigmoid", "leaky")[seed % 3])
            first, hidden, second, softmax = layers
            x, y = data(rng, 1 if seed == 0 else int(rng.integers(2, 7)), dtype)
            xt, yt = beras.Tensor(x), beras.Tensor(y)
            stray = api.weight(random_array(rng, (4, 5), dtype))
            label = f"tape {seed} {np.dtype(dtype).name}"
            with api.recording() as tape:
                h = t.add(label + " forward", lambda: first(xt))
                a = hidden(h) if h is not None else None
                loss = beras.CategoricalCrossEntropy()(softmax(second(a)), yt) if a is not None else None
            if loss is None:
                continue
            sources = [second.b, xt, first.w, h, second.w, stray, a, first.b]
            t.add(label + " grads", lambda: api.gradient(tape, loss, sources))
            t.add(label + " asked again, reversed", lambda: api.gradient(tape, loss, sources[::-1]))
            t.add(label + " no sources", lambda: api.gradient(tape, loss, []))
            J = random_array(rng, (len(x), 3), dtype)
            t.add(label + " probe", lambda: api.probe_gradients(lambda: second(hidden(first(xt))), J,
                                                                [first.w, first.b, second.w, second.b, xt]))
            t.add(label + " read twice", lambda: api.join_gradients(lambda: read_twice(beras, first, xt),
                                                                    [first.w, first.b, xt]))
            outside = beras.MeanSquaredError()(second(first(xt)), beras.Tensor(np.zeros((len(x), 3), dtype)))
            with api.recording() as empty:
                pass
            t.add(label + " outside the tape", lambda: api.gradient(empty, outside, [first.w, second.w, xt]))


def read_twice(beras, layer, x):
    """One layer reading the same tensor twice: its gradient is the sum over both reads."""
    h = layer(x)
    return beras.MeanSquaredError()(join(beras)(h, h), beras.Tensor(np.zeros(np.shape(h), np.asarray(h).dtype)))


def nested_tape(beras):
    with beras.GradientTape():
        try:
            with beras.GradientTape():
                pass
        except Exception:  # noqa: BLE001 - any refusal will do
            return "refused"
    return "allowed"


def uninstalled_tape(beras):
    with beras.GradientTape():
        pass
    return beras.Diffable.gradient_tape is None


def group_preprocess(api, t):
    import preprocess
    result = t.add("preprocess call", lambda: preprocess.load_and_preprocess_data())
    if result is None:
        return
    for name, value in zip(("train_x", "train_y", "test_x", "test_y"), result):
        array = np.asarray(value)
        weights = np.arange(1, array.size + 1, dtype=np.float64).reshape(array.shape) % 97
        t.add(f"preprocess {name} summary", lambda: [type(value).__name__, list(array.shape), array.dtype.kind,
                                                      float(array.astype(np.float64).sum()),
                                                      float((array.astype(np.float64) * weights).sum()),
                                                      float(array.min()), float(array.max())])
        t.add(f"preprocess {name} head", lambda: array[:3].astype(np.float64))


def group_assignment(api, t):
    import assignment
    np.random.seed(0)
    model = t.add("assignment model", lambda: assignment.get_model())
    if model is None:
        return
    t.add("assignment layers", lambda: [type(layer).__name__ for layer in model.layers])
    t.add("assignment parameter shapes", lambda: [list(np.shape(p)) for p in api.weights(model)])
    t.add("assignment parameters", lambda: [Sample(p) if np.size(p) > 5000 else np.asarray(p)
                                            for p in api.weights(model)])
    optimizer = t.add("assignment optimizer", lambda: api.assignment_optimizer(assignment, model))
    t.add("assignment optimizer facts", lambda: [type(optimizer).__name__,
                                                 sorted((k, v) for k, v in vars(optimizer).items()
                                                        if isinstance(v, (int, float, str)))])
    t.add("assignment loss", lambda: type(assignment.get_loss_fn()).__name__)
    t.add("assignment acc", lambda: type(assignment.get_acc_fn()).__name__)
    rng = rng_for("assignment")
    x = rng.random((16, 784)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, size=16)]
    model.compile(optimizer, assignment.get_loss_fn(), assignment.get_acc_fn())
    np.random.seed(1)
    # the numbers after training follow the random initial weights: only that it trains is compared
    t.add("assignment fit", lambda: sorted(model.fit(x, y, epochs=2, batch_size=8)))
    t.add("assignment after fit", lambda: [list(np.shape(p)) for p in api.weights(model)])


GROUPS = {"tensor": group_tensor, "weighted": group_weighted, "linear": group_linear,
          "initializers": group_initializers, "activations": group_activations, "losses": group_losses,
          "metrics": group_metrics, "onehot": group_onehot, "optimizers": group_optimizers,
          "model": group_model, "graph": group_graph, "tape": group_tape, "preprocess": group_preprocess,
          "assignment": group_assignment}


def main(argv):
    root, out, edition, groups = argv[0], argv[1], argv[2], argv[3:]
    sys.path.insert(0, root)
    warnings.simplefilter("ignore")
    np.seterr(all="ignore")
    trace = Trace()
    beras = trace.add("import beras", lambda: __import__("beras"))
    if beras is not None:
        for name in groups:
            np.random.seed(hash_key(name))
            try:
                GROUPS[name](APIS[edition](beras), trace)
            except Exception as error:  # noqa: BLE001 - a group that cannot go on is an observation too
                trace.records.append((f"{name} aborted", (RAISED, type(error).__name__)))
    with open(out, "wb") as f:
        pickle.dump(trace.records, f)


if __name__ == "__main__":
    main(sys.argv[1:])
