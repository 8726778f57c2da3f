"""GradientTape's own contract (fall2025): what tape.gradient returns, not only its numbers.

One gradient per source, in the order asked; a source the target does not reach gets
what the reference gives (None; zeros are accepted by the check); a tape entered while
another records is refused; leaving a tape uninstalls it.
"""
import numpy as np

from grader.probes import adapters
from grader.probes.cases import Cases


def _shape(g):
    return None if g is None else list(np.shape(g))


def invariants(api, w, b, x, unrelated):
    api = adapters.load(api)
    GradientTape, Diffable = api.cls("GradientTape"), api.cls("Diffable")
    cases = Cases()

    def setup():
        layer = api.dense(w, b)
        head = api.cls("MeanSquaredError")()
        xs = api.tensor(x, dtype=np.float64)
        target = api.tensor(np.zeros((len(x), np.shape(w)[1])), dtype=np.float64)
        return layer, head, xs, target

    def gradients_of(order):
        layer, head, xs, target = setup()
        w_, b_ = api.parameters(layer)
        named = {"w": w_, "b": b_, "x": xs}
        with GradientTape() as tape:
            loss = head(layer(xs), target)
        grads = tape.gradient(loss, [named[n] for n in order])
        return {"count": len(grads), "shapes": [_shape(g) for g in grads],
                "values": [None if g is None else np.asarray(g, dtype=np.float64) for g in grads]}

    def unconnected():
        layer, head, xs, target = setup()
        stray = api.tensor(unrelated, dtype=np.float64)
        with GradientTape() as tape:
            loss = head(layer(xs), target)
        grads = tape.gradient(loss, [stray, api.parameters(layer)[0]])
        g = grads[0]
        return {"count": len(grads), "none_or_zeros": g is None or not np.any(np.asarray(g, dtype=np.float64))}

    def nested():
        with GradientTape():
            try:
                with GradientTape():
                    pass
            except Exception:
                return {"refused": True}
        return {"refused": False}

    def uninstalled():
        with GradientTape():
            pass
        return {"no_tape_after_exit": getattr(Diffable, "gradient_tape", None) is None}

    cases.run("tape.gradient(loss, [w, b]): one gradient per source, in order", gradients_of, ["w", "b"])
    cases.run("tape.gradient(loss, [b, x, w]): one gradient per source, in order", gradients_of, ["b", "x", "w"])
    cases.run("a source the loss does not depend on", unconnected)
    cases.run("a tape entered while another records is refused", nested)
    cases.run("leaving the with block uninstalls the tape", uninstalled)
    return cases.results
