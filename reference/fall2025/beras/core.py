"""Tensors, Variables and the base classes every Beras layer, loss and model builds on.

Gradients are found by a ``GradientTape`` (see gradient_tape.py): while a tape
is active, ``Diffable.__call__`` records which layer produced each output, keyed
by ``id(output)``, and ``tape.gradient`` walks those records back from a target.
"""
from abc import ABC, abstractmethod
import inspect

import numpy as np


class Tensor(np.ndarray):
    """A NumPy array with a ``trainable`` flag (optimizers update trainable ones)."""

    def __new__(cls, input_array):
        if isinstance(input_array, Tensor):
            return input_array
        # BEGIN SOLUTION: view the input as an array of this class
        obj = np.asarray(input_array).view(cls)
        # END SOLUTION
        # STENCIL: obj = np.asarray(None).view(cls)  # TODO: which array becomes the Tensor?
        obj.trainable = True
        return obj

    def __array_finalize__(self, obj):
        if obj is None:
            return
        self.trainable = getattr(obj, "trainable", True)

    def assign(self, value):
        """Overwrite the values in place (the object, and so its id, stays the same)."""
        self[...] = value


class Variable(Tensor):
    """A Tensor that holds a layer's weights."""

    def assign(self, value):
        self[...] = value


class Callable(ABC):
    """Anything called like a function whose result is a Tensor."""

    def __call__(self, *args, **kwargs):
        return Tensor(self.forward(*args, **kwargs))

    @abstractmethod
    def forward(self, *args, **kwargs):
        pass


class Weighted(ABC):
    """Something that owns weights (Variables that an optimizer updates)."""

    @property
    @abstractmethod
    def weights(self):
        pass

    @property
    def trainable_variables(self):
        # BEGIN SOLUTION: the weights that are trainable
        return [w for w in self.weights if w.trainable]
        # END SOLUTION

    @property
    def non_trainable_variables(self):
        # BEGIN SOLUTION: the weights that are not trainable
        return [w for w in self.weights if not w.trainable]
        # END SOLUTION

    @property
    def trainable(self):
        # BEGIN SOLUTION: True when any weight is trainable
        return any(w.trainable for w in self.weights)
        # END SOLUTION

    @trainable.setter
    def trainable(self, value):
        # BEGIN SOLUTION: set trainable on every weight
        for w in self.weights:
            w.trainable = value
        # END SOLUTION


def _sum_over_batch(local, upstream):
    """sum_b local[b] * upstream[b] (NumPy broadcasting between the two)."""
    batch = upstream.shape[0]
    if local.ndim == 0 or local.shape[0] != batch:
        # Not batched the way the fast forms assume: do literally what is asked.
        return sum(local[b] * upstream[b] for b in range(batch))
    if local.ndim == 3 and upstream.ndim == 2 and local.shape[2] == 1:
        # local[b] is a column (n, 1): each product is an outer product,
        # and their sum over the batch is one matrix product.
        return local[:, :, 0].T @ upstream
    if local.ndim == 2 and upstream.ndim == 2 and local.shape[1] == 1:
        # local[b] is one number: a weighted sum of the upstream rows.
        return local[:, 0] @ upstream
    extra = local.ndim - upstream.ndim
    if extra > 0:
        upstream = upstream.reshape(batch, *([1] * extra), *upstream.shape[1:])
    elif extra < 0:
        local = local.reshape(batch, *([1] * -extra), *local.shape[1:])
    return (local * upstream).sum(axis=0)


def _chain_input(local, upstream):
    """local[b] @ upstream[b] per sample; local is batched (3-D) or shared (2-D)."""
    if upstream.ndim == 2 and local.ndim == 3 and local.shape[0] == upstream.shape[0]:
        return np.matmul(local, upstream[:, :, None])[:, :, 0]
    if upstream.ndim == 2 and local.ndim == 2:
        return upstream @ local.T
    if local.ndim == 3:
        return np.stack([local[b] @ upstream[b] for b in range(upstream.shape[0])])
    return np.stack([local @ upstream[b] for b in range(upstream.shape[0])])


_parameter_names_cache = {}


def _parameter_names(method):
    """The names of a bound method's parameters (cached: inspect is slow for a hot path)."""
    function = getattr(method, "__func__", method)
    if function not in _parameter_names_cache:
        _parameter_names_cache[function] = list(inspect.signature(method).parameters)
    return _parameter_names_cache[function]


class Diffable(Callable, Weighted):
    """A Callable whose gradients a GradientTape can compose."""

    gradient_tape = None    # the active GradientTape, installed by its __enter__

    @property
    def weights(self):
        return []

    def __call__(self, *args, **kwargs):
        names = _parameter_names(self.forward)
        named = dict(zip(names, args))
        named.update(kwargs)
        self.inputs = [Tensor(named[n]) for n in names if n in named]
        out = self.forward(*self.inputs)
        many = isinstance(out, (list, tuple))
        self.outputs = [Tensor(o) for o in (out if many else [out])]
        tape = Diffable.gradient_tape
        if tape is not None:
            for o in self.outputs:
                tape.previous_layers[id(o)] = self
                # An id names an object only while it lives: the tape keeps its outputs alive.
                tape.recorded_outputs.append(o)
        return self.outputs if many else self.outputs[0]

    @abstractmethod
    def get_input_gradients(self):
        """A list with one local gradient (Jacobian) per input."""

    @abstractmethod
    def get_weight_gradients(self):
        """A list with one local gradient per weight."""

    def compose_input_gradients(self, J=None):
        """Chain the upstream gradient J (a one-element list) through the inputs.

        Per sample b: local[b] @ J[b] (batched Jacobian) or local @ J[b] (shared),
        computed for the whole batch at once."""
        local = self.get_input_gradients()
        if J is None or J[0] is None:
            return local
        upstream = np.asarray(J[0])
        return [_chain_input(np.asarray(jac), upstream).reshape(np.shape(inp))
                for inp, jac in zip(self.inputs, local)]

    def compose_weight_gradients(self, J=None):
        """Chain the upstream gradient J into one gradient per weight: sum_b local[b] * J[b]."""
        local = self.get_weight_gradients()
        if J is None or J[0] is None:
            return local
        upstream = np.asarray(J[0])
        grads = []
        for weight, jac in zip(self.weights, local):
            g = _sum_over_batch(np.asarray(jac), upstream)
            grads.append(g.reshape(weight.shape) if np.size(g) == np.size(weight) else g)
        return grads
