"""Tensors and the base classes every Beras layer, loss and model builds on.

Backpropagation is wired by ``Diffable.__call__``: each output tensor gets
``backward`` bound to the layer that produced it, so ``loss.backward()``
walks the graph one layer at a time (see ``Diffable.backward``).
"""
from abc import ABC, abstractmethod
from contextlib import contextmanager
import inspect

import numpy as np


def _leaf_backward(grad=None):
    """The backward of a tensor no Diffable produced: there is nothing upstream."""


class Tensor(np.ndarray):
    """A NumPy array that remembers how to send a gradient back to its maker."""

    requires_grad = True    # class-wide switch flipped by Tensor.no_grad()
    debug_print = False     # print every Diffable call (name and shapes)

    def __new__(cls, input_array, name=None):
        if isinstance(input_array, Tensor):
            return input_array
        # TODO: view the input as an array of this class
        obj = np.asarray(a=None).view(cls)  # TODO: which array becomes the Tensor?
        obj.requires_grad = True
        obj.grad = None
        obj.backward = _leaf_backward
        obj.name = name
        return obj

    def __array_finalize__(self, obj):
        if obj is None:
            return
        self.requires_grad = getattr(obj, "requires_grad", True)
        self.grad = getattr(obj, "grad", None)
        self.backward = getattr(obj, "backward", _leaf_backward)
        self.name = getattr(obj, "name", None)

    def to(self, device):
        """Devices do not exist in Beras; kept so PyTorch-style code runs."""
        return self

    def get_name(self):
        return self.name

    def assign(self, value):
        self[...] = value

    @staticmethod
    @contextmanager
    def no_grad():
        """Within this block, Diffable calls do not record a graph."""
        previous = Tensor.requires_grad
        Tensor.requires_grad = False
        try:
            yield
        finally:
            Tensor.requires_grad = previous


class Named:
    def __init__(self, name=None):
        self.name = name

    def __str__(self):
        return self.name if self.name is not None else type(self).__name__


class Callable(Named, ABC):
    """Anything called like a function whose result is a Tensor."""

    def __init__(self, *args, **kwargs):
        super().__init__(name=kwargs.get("name"))

    def __call__(self, *args, **kwargs):
        return Tensor(self.forward(*args, **kwargs))

    @abstractmethod
    def forward(self, *args, **kwargs):
        pass


class Weighted(ABC):
    """Something that owns parameters (Tensors that an optimizer updates)."""

    @property
    @abstractmethod
    def parameters(self):
        pass

    @property
    def trainable_variables(self):
        # TODO: the parameters that require a gradient
        raise NotImplementedError("Weighted.trainable_variables in beras/core.py: the parameters that require a gradient")

    @property
    def non_trainable_variables(self):
        # TODO: the parameters that do not require a gradient
        raise NotImplementedError("Weighted.non_trainable_variables in beras/core.py: the parameters that do not require a gradient")

    @property
    def trainable(self):
        # TODO: True when any parameter requires a gradient
        raise NotImplementedError("Weighted.trainable in beras/core.py: True when any parameter requires a gradient")

    @trainable.setter
    def trainable(self, value):
        # TODO: set requires_grad on every parameter
        raise NotImplementedError("Weighted.trainable (setter) in beras/core.py: set requires_grad on every parameter")


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


class Diffable(Callable, Weighted, ABC):
    """A Callable that can send gradients back to its inputs and parameters."""

    def to(self, device):
        return self

    @property
    def parameters(self):
        return []

    def __call__(self, *args, **kwargs):
        names = _parameter_names(self.forward)
        named = dict(zip(names, args))
        named.update(kwargs)
        self.inputs = [Tensor(named[n]) for n in names if n in named]
        out = self.forward(*self.inputs)
        outputs = list(out) if isinstance(out, (list, tuple)) else [out]
        self.outputs = [Tensor(o) for o in outputs]
        for o in self.outputs:
            o.name = f"{self}_output"
            if Tensor.requires_grad:
                o.backward = self.backward
        if Tensor.debug_print:
            shapes = [getattr(x, "shape", None) for x in self.inputs]
            print(f"{self}: inputs {shapes} -> outputs {[o.shape for o in self.outputs]}")
        return self.outputs if isinstance(out, (list, tuple)) else self.outputs[0]

    @abstractmethod
    def get_input_gradients(self):
        """A list with one local gradient (Jacobian) per input."""

    @abstractmethod
    def get_weight_gradients(self):
        """A list with one local gradient per parameter."""

    def compose_input_gradients(self, J=None):
        """Chain the upstream gradient J (a one-element list) through the inputs."""
        local = self.get_input_gradients()
        if J is None or J[0] is None:
            return local
        upstream = np.asarray(J[0])
        return [_chain_input(np.asarray(jac), upstream).reshape(np.shape(inp))
                for inp, jac in zip(self.inputs, local)]

    def compose_weight_gradients(self, J=None):
        """Chain the upstream gradient J into one gradient per parameter."""
        local = self.get_weight_gradients()
        if J is None or J[0] is None:
            return local
        upstream = np.asarray(J[0])
        grads = []
        for param, jac in zip(self.parameters, local):
            g = _sum_over_batch(np.asarray(jac), upstream)
            grads.append(g.reshape(param.shape) if np.size(g) == np.size(param) else g)
        return grads

    def backward(self, grad=None):
        """Store gradients in the parameters, then pass them on to the inputs."""
        # TODO: store weight gradients in .grad, call inp.backward([g]) on each input
        raise NotImplementedError("Diffable.backward in beras/core.py: store weight gradients in .grad, call inp.backward([g]) on each input")
