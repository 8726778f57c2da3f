"""Core classes of Beras, written to behave like the course's spring-2026 given code.

This file is a test fixture: a submission built on the course's stencil. The
given parts are deliberately loose in the ways the course's are (inputs kept
as passed, outputs returned unwrapped, per-sample Python loops in the compose
methods); the parts a student fills in sit between BEGIN STUDENT / END STUDENT.
"""
from abc import ABC, abstractmethod

import numpy as np


class Tensor(np.ndarray):
    """An ndarray that carries requires_grad, grad, and a backward hook."""

    requires_grad = True
    debug_print = False

    class no_grad:
        """`with Tensor.no_grad():` turns the class-wide requires_grad off inside the block."""

        def __enter__(self):
            Tensor.requires_grad = False
            return self

        def __exit__(self, *exc):
            Tensor.requires_grad = True
            return False

    def __new__(cls, input_array, name=None):
        if isinstance(input_array, Tensor):
            return input_array
        # BEGIN STUDENT: Tensor.__new__ array
        obj = np.asarray(a=input_array).view(cls)
        # END STUDENT
        obj.requires_grad = True
        obj.grad = None
        obj.backward = lambda grad: None
        obj.to = lambda device: None
        obj.name = name
        return obj

    def __array_finalize__(self, obj):
        # The per-instance lambdas do not close over the tensor: one that did would put
        # every Tensor in a reference cycle, freed only by the cyclic GC (many GB a epoch).
        if obj is None:
            return
        # A plain ndarray source has no requires_grad: the copy gets None (falsy).
        self.requires_grad = getattr(obj, "requires_grad", None)
        self.backward = lambda grad: None
        self.to = lambda device: None

    def get_name(self):
        return self.name

    def assign(self, value):
        self[:] = value


class Named:
    def __init__(self, name=None):
        self.name = name

    def __str__(self):
        return self.name if self.name is not None else type(self).__name__


class Callable(Named, ABC):
    """A function-like object whose call returns a Tensor."""

    def __init__(self, *args, **kwargs):
        super().__init__(name=kwargs.get("name"))

    def __call__(self, *args, **kwargs):
        return Tensor(self.forward(*args, **kwargs))

    @abstractmethod
    def forward(self, *args, **kwargs):
        pass


class Weighted(ABC):
    """Something that owns parameters."""

    @property
    @abstractmethod
    def parameters(self):
        pass

    @property
    def trainable_variables(self):
        # BEGIN STUDENT: Weighted.trainable_variables
        return [p for p in self.parameters if p.requires_grad]
        # END STUDENT

    @property
    def non_trainable_variables(self):
        # BEGIN STUDENT: Weighted.non_trainable_variables
        return [p for p in self.parameters if not p.requires_grad]
        # END STUDENT

    @property
    def trainable(self):
        # BEGIN STUDENT: Weighted.trainable getter
        return any(p.requires_grad for p in self.parameters)
        # END STUDENT

    @trainable.setter
    def trainable(self, value):
        # BEGIN STUDENT: Weighted.trainable setter
        for p in self.parameters:
            p.requires_grad = value
        # END STUDENT


class Diffable(Callable, Weighted, ABC):
    """A Callable that records its inputs and outputs so gradients can flow back."""

    def to(self, device):
        return self

    @property
    def parameters(self):
        return []

    def __call__(self, *args, **kwargs):
        # forward's own parameter names (after self) name the positional arguments.
        arg_names = self.forward.__code__.co_varnames[1:]
        kwargs.update(zip(arg_names, args))
        # Inputs are kept exactly as passed (no conversion), in forward's order.
        self.inputs = [kwargs[name] for name in arg_names if name in kwargs]
        out = self.forward(**kwargs)
        self.outputs = out if isinstance(out, list) else [out]
        # Whatever forward returned must accept attributes: a NumPy scalar or a
        # plain ndarray raises AttributeError right here.
        for output in self.outputs:
            output.backward = self.backward
        if Tensor.debug_print:
            print(f"{self}: {[np.shape(i) for i in self.inputs]} -> {[np.shape(o) for o in self.outputs]}")
        return out

    @abstractmethod
    def get_input_gradients(self):
        """One local gradient (Jacobian) per input, in a list."""

    @abstractmethod
    def get_weight_gradients(self):
        """One local gradient per parameter, in a list."""

    def compose_input_gradients(self, J=None):
        """Chain the upstream gradient J (a one-element list) through each input's Jacobian."""
        input_grads = self.get_input_gradients()
        if J is None or J[0] is None:
            return input_grads
        j = J[0]
        batch_size = j.shape[0]
        grads = []
        for inp, local in zip(self.inputs, input_grads):
            grad = np.zeros(np.shape(inp), dtype=local.dtype)
            for b in range(batch_size):
                g_b = local[b] if local.ndim == 3 else local
                try:
                    grad[b] = g_b @ j[b]
                except ValueError as error:
                    raise ValueError("Error occured trying to perform `g_b @ j[b]`") from error
            grads.append(grad)
        return grads

    def compose_weight_gradients(self, J=None):
        """Chain J into each parameter: sum over the batch of local[b] * J[b]."""
        weight_grads = self.get_weight_gradients()
        if J is None or J[0] is None:
            return weight_grads
        j = J[0]
        batch_size = j.shape[0]
        grads = []
        for param, local in zip(self.parameters, weight_grads):
            per_sample = np.zeros((batch_size, *param.shape), dtype=local.dtype)
            for b in range(batch_size):
                g_b = local[b]
                try:
                    per_sample[b] = g_b * j[b]
                except ValueError as error:
                    raise ValueError("Error occured trying to perform `g_b * j[b]`") from error
            grads.append(np.sum(per_sample, axis=0))
        return grads

    def backward(self, grad=None):
        # BEGIN STUDENT: Diffable.backward
        weight_grads = self.compose_weight_gradients(grad)
        for param, g in zip(self.parameters, weight_grads):
            if param.requires_grad:
                param.grad = g
        input_grads = self.compose_input_gradients(grad)
        for inp, g in zip(self.inputs, input_grads):
            inp.backward([g])
        # END STUDENT
