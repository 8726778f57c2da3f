"""How the witness's scenarios (scenarios.py) reach each edition's public API.

The scenario groups are written once; the few operations whose spelling differs
between editions go through one of these classes:

- spring2026 (PyTorch-flavoured): Linear, ``.parameters``, ``requires_grad``,
  ``loss.backward()`` filling ``.grad``, ``Optimizer(parameters).step()``, Sequential.
- fall2025 (Keras-flavoured): Dense, ``.weights`` (Variables), ``trainable``,
  ``with GradientTape() as tape`` + ``tape.gradient(target, sources)``,
  ``Optimizer().apply_gradients(weights, grads)``, SequentialModel.

Like scenarios.py, this file imports nothing from the project: the witness must
not be the grader's probes (grader/probes/adapters) in disguise.
"""
import contextlib

import numpy as np

UNREACHED = "__unreached__"   # tape.gradient's None, or zeros: the handout accepts either


class SpringApi:
    NAME = "spring2026"
    HAS_TAPE = False
    EXTRA_OPTIMIZERS = []   # (name, class, keywords) beyond the shared OPTIMIZERS

    def __init__(self, beras):
        self.beras = beras

    # ------------------------------------------------------------ tensors and layers
    def tensor_facts(self, x):
        return [x.requires_grad, x.grad is None]

    def tensor_extras(self, t, seed):
        beras = self.beras
        t.add(f"tensor named {seed}", lambda: beras.Tensor(np.ones(2), name="n").name)

    @property
    def dense_class(self):
        return self.beras.Linear

    def dense(self, n_in, n_out, **kwargs):
        return self.beras.Linear(n_in, n_out, **kwargs)

    def weights(self, owner):
        return owner.parameters

    def weight(self, array):
        return self.beras.Tensor(array)

    def set_flag(self, weight, value):
        weight.requires_grad = value

    def flag(self, weight):
        return weight.requires_grad

    def sequential(self, layers):
        return self.beras.Sequential(layers)

    # ------------------------------------------------------------ gradients
    def layer_backward(self, t, label, layer, x, J):
        """The layer's own backward with upstream J (its forward already ran on x)."""
        t.add(label + " backward", lambda: layer.backward([J]))
        t.add(label + " grads", lambda: [layer.w.grad, layer.b.grad])

    def backprop(self, t, label, run, sources):
        """Entries for run()'s loss and its gradients with respect to sources."""
        for p in sources:
            p.grad = None
        value = t.add(label + " loss", run)
        if value is None:
            return
        t.add(label + " backward", lambda: value.backward())
        t.add(label + " grads", lambda: [p.grad for p in sources])

    def two_losses_gradients(self, first, second, sources):
        """The gradients of first + second (two losses sharing part of the graph) with respect to sources."""
        a, b = first(), second()
        a.backward()
        b.backward()
        return [p.grad for p in sources]

    def join_gradients(self, run, sources):
        """Gradients of run()'s loss for a graph with a hand-made two-input layer."""
        run().backward()
        return [p.grad for p in sources]

    def no_recording(self):
        return self.beras.Tensor.no_grad()

    # ------------------------------------------------------------ optimizers and models
    def optimizer(self, cls, params, kwargs):
        return getattr(self.beras, cls)(params, **kwargs)

    def apply(self, optimizer, params, grads):
        for p, g in zip(params, grads):
            p.grad = g
        return optimizer.step()

    def optimizer_facts(self, optimizer, params):
        return lambda: [q is p for q, p in zip(optimizer.parameters, params)]

    def assignment_optimizer(self, assignment, model):
        return assignment.get_optimizer(model)


class FallApi(SpringApi):
    NAME = "fall2025"
    HAS_TAPE = True
    # the course's given Adam.__init__ takes amsgrad: what the code does with it is observed too
    EXTRA_OPTIMIZERS = [("amsgrad", "Adam", {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.7, "amsgrad": True})]

    def tensor_facts(self, x):
        return [bool(x.trainable)]

    def tensor_extras(self, t, seed):
        beras = self.beras
        rng = np.random.default_rng(seed)
        a = rng.normal(size=(2, 3))
        v = t.add(f"variable {seed}", lambda: beras.Variable(a))
        if v is not None:
            t.add(f"variable {seed} facts", lambda: [isinstance(v, beras.Tensor), isinstance(v, np.ndarray),
                                                      bool(v.trainable)])

    @property
    def dense_class(self):
        return self.beras.Dense

    def dense(self, n_in, n_out, dtype=None, **kwargs):
        # dtype is the spring Linear's keyword; the scenarios set the weights (in their dtype) themselves
        return self.beras.Dense(n_in, n_out, **kwargs)

    def weights(self, owner):
        return owner.weights

    def weight(self, array):
        return self.beras.Variable(array)

    def set_flag(self, weight, value):
        weight.trainable = value

    def flag(self, weight):
        return weight.trainable

    def sequential(self, layers):
        return self.beras.SequentialModel(layers)

    @contextlib.contextmanager
    def recording(self):
        with self.beras.GradientTape() as tape:
            yield tape

    def gradient(self, tape, target, sources):
        return [plain_gradient(g) for g in tape.gradient(target, sources)]

    def probe_gradients(self, run, J, sources):
        """d sum(run() * J) / d sources through the student's tape (the Probe target starts the chain with J)."""
        with self.recording() as tape:
            target = probe(self.beras, J)(run())
        return self.gradient(tape, target, sources)

    def layer_backward(self, t, label, layer, x, J):
        t.add(label + " tape", lambda: self.probe_gradients(lambda: layer(x), J, [layer.w, layer.b, x]))

    def backprop(self, t, label, run, sources):
        with self.recording() as tape:
            value = t.add(label + " loss", run)
        if value is None:
            return
        t.add(label + " grads", lambda: self.gradient(tape, value, sources))

    def two_losses_gradients(self, first, second, sources):
        with self.recording() as tape:
            a, b = first(), second()
        return [self.gradient(tape, a, sources), self.gradient(tape, b, sources)]

    def join_gradients(self, run, sources):
        with self.recording() as tape:
            value = run()
        return self.gradient(tape, value, sources)

    def no_recording(self):
        return contextlib.nullcontext()   # outside a tape nothing records

    def optimizer(self, cls, params, kwargs):
        return getattr(self.beras, cls)(**kwargs)

    def apply(self, optimizer, params, grads):
        # the caller (a model) hands over only what it trains, with one gradient each
        chosen = [(p, g) for p, g in zip(params, grads) if p.trainable]
        return optimizer.apply_gradients([p for p, _ in chosen], [g for _, g in chosen])

    def optimizer_facts(self, optimizer, params):
        return None

    def assignment_optimizer(self, assignment, model):
        return assignment.get_optimizer()


def plain_gradient(g):
    """A gradient as recorded: None and all-zeros are one observation (the handout accepts either for a
    source the target does not reach)."""
    if g is None or (np.size(g) and not np.any(np.asarray(g, dtype=np.float64))):
        return UNREACHED
    return g


def probe(beras, J):
    """A Diffable computing sum(y * J): as a tape's target it starts the chain with the upstream J."""
    class Probe(beras.Diffable):
        weights = property(lambda self: [])   # no default on the course's fall-2025 Diffable

        def forward(self, y):
            return np.sum(np.asarray(y) * J)

        def get_input_gradients(self):
            return [np.asarray(J)]

        def get_weight_gradients(self):
            return []

    return Probe()


APIS = {"spring2026": SpringApi, "fall2025": FallApi}
