"""Tensor and Weighted probes: the one place the editions' tensors differ in meaning
(spring2026: requires_grad, .grad, .backward; fall2025: a ``trainable`` flag, Variable),
so each edition has its own probe here."""
import numpy as np

from grader.probes import adapters
from grader.probes.cases import Cases


def spring2026_tensor(x, y):
    Tensor = adapters.load("spring2026").Tensor
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


def fall2025_tensor(x, y):
    """Only what every term's given code agrees on: older terms have no assign, and their
    Variable may be a plain alias of Tensor."""
    api = adapters.load("fall2025")
    Tensor = api.Tensor
    cases = Cases()

    def construct():
        t = Tensor(x)
        return {"is_ndarray": isinstance(t, np.ndarray), "values": np.asarray(t), "trainable": bool(t.trainable)}

    def passthrough():
        t = Tensor(x)
        return {"same_object": Tensor(t) is t, "values": np.asarray(t)}

    def variable():
        v = api.cls("Variable")(y)
        return {"is_tensor": isinstance(v, Tensor), "values": np.asarray(v), "trainable": bool(v.trainable)}

    def derived():
        t = Tensor(x)
        t.trainable = False
        part = t[1:]
        return {"is_tensor": isinstance(part, Tensor), "trainable": bool(part.trainable)}

    cases.run("Tensor(array) values and trainable", construct)
    cases.run("Tensor(list) values", lambda: np.asarray(Tensor(x.tolist())))
    cases.run("Tensor(tensor) returns the same object", passthrough)
    cases.run("Variable(array) is a trainable Tensor", variable)
    cases.run("slices keep Tensor attributes", derived)
    return cases.results


def weighted(api, w, b):
    """trainable, trainable_variables and non_trainable_variables of a dense layer as its
    weights are frozen and thawed, in the edition's own terms."""
    api = adapters.load(api)
    frozen_flag = api.TRAINABLE_FLAG
    cases = Cases()

    def flags(layer):
        # The weights' flags under their own key: fall2025's per-weight flag is also called
        # "trainable", and one dict key for both let the layer's own answer go unchecked.
        return {"trainable": bool(layer.trainable),
                "trainable_variables": len(layer.trainable_variables),
                "non_trainable_variables": len(layer.non_trainable_variables),
                f"each weight's {frozen_flag}": [bool(getattr(p, frozen_flag)) for p in api.parameters(layer)]}

    def after(change):
        layer = api.dense(w, b)
        change(layer)
        return flags(layer)

    cases.run(f"a new {api.DENSE}", after, lambda layer: None)
    cases.run("trainable = False", after, lambda layer: setattr(layer, "trainable", False))
    cases.run("trainable = False, then True", after,
              lambda layer: (setattr(layer, "trainable", False), setattr(layer, "trainable", True)))
    cases.run("only the bias frozen", after,
              lambda layer: setattr(api.parameters(layer)[1], frozen_flag, False))
    cases.run("only the weights frozen", after,
              lambda layer: setattr(api.parameters(layer)[0], frozen_flag, False))
    return cases.results
