"""How an edition's API table is written: entries say what the grader calls. `args` are the
positional parameters a call passes (after self), `keywords` the keyword arguments it may
pass; a student's signature is compatible when such calls bind (grader/probes/api.py)."""


def method(name, *args, keywords=()):
    return {"name": name, "kind": "method", "args": list(args), "keywords": list(keywords)}


def prop(name):
    return {"name": name, "kind": "property"}


def attribute(name):
    return {"name": name, "kind": "attribute"}


def cls(module, name, init_args=(), init_keywords=(), members=()):
    return {"module": module, "name": name, "kind": "class", "args": list(init_args),
            "keywords": list(init_keywords), "members": list(members)}


def function(module, name, *args, keywords=()):
    return {"module": module, "name": name, "kind": "function", "args": list(args),
            "keywords": list(keywords), "members": []}


def diffable_members(*forward_args, weights="parameters", backward=True):
    """What every Diffable offers; forward's parameters differ by class, the weights' name and
    whether it has backward() by edition."""
    return [method("forward", *forward_args), method("get_input_gradients"), method("get_weight_gradients"),
            method("compose_input_gradients", "J"), method("compose_weight_gradients", "J")] + \
        ([method("backward")] if backward else []) + [prop(weights)]


def shared_components(diffable):
    """The activations, losses, metric and one-hot encoder: the same API in every edition
    (``diffable(*forward_args)`` gives the edition's Diffable members)."""
    return [
        cls("beras.activations", "LeakyReLU", [], ["alpha"], diffable("x")),
        cls("beras.activations", "ReLU", members=diffable("x")),
        cls("beras.activations", "Sigmoid", members=diffable("x")),
        cls("beras.activations", "Softmax", members=diffable("x")),
        cls("beras.losses", "MeanSquaredError", members=diffable("y_pred", "y_true")),
        cls("beras.losses", "CategoricalCrossEntropy", members=diffable("y_pred", "y_true")),
        cls("beras.metrics", "CategoricalAccuracy", members=[method("forward", "probs", "labels")]),
        cls("beras.onehot", "OneHotEncoder",
            members=[method("fit", "data"), method("forward", "data"), method("inverse", "data")]),
    ]


def model_functions():
    return [function("beras.model", "print_stats", "stat_dict"),
            function("beras.model", "update_metric_dict", "super_dict", "sub_dict"),
            function("preprocess", "load_and_preprocess_data")]
