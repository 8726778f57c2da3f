"""Core classes of Beras, written to behave like the course's fall-2025 given code.

This file is a test fixture: a submission built on the course's stencil. The
given parts are deliberately loose in the ways the course's are (inputs kept
as passed, outputs returned unwrapped, the graph linked only by id(output),
per-sample Python loops in the compose methods); the parts a student fills in
sit between BEGIN STUDENT / END STUDENT.
"""
from abc import ABC, abstractmethod

import numpy as np


class Tensor(np.ndarray):
    """An ndarray with a `trainable` flag."""

    def __new__(cls, input_array):
        if isinstance(input_array, Tensor):
            return input_array
        # BEGIN STUDENT: Tensor.__new__ array
        obj = np.asarray(input_array).view(cls)
        # END STUDENT
        obj.trainable = True
        return obj

    def __array_finalize__(self, obj):
        if obj is None:
            return
        self.trainable = getattr(obj, "trainable", True)

    def assign(self, value):
        self[:] = value


class Variable(Tensor):
    """The weights of a layer: a Tensor an optimizer updates in place."""

    def assign(self, value):
        self[:] = value


class Callable(ABC):
    """A function-like object whose call returns a Tensor."""

    def __call__(self, *args, **kwargs):
        return Tensor(self.forward(*args, **kwargs))

    @abstractmethod
    def forward(self, *args, **kwargs):
        pass


class Weighted(ABC):
    """Something that owns weights."""

    @property
    @abstractmethod
    def weights(self):
        pass

    @property
    def trainable_variables(self):
        # BEGIN STUDENT: Weighted.trainable_variables
        return [w for w in self.weights if w.trainable]
        # END STUDENT

    @property
    def non_trainable_variables(self):
        # BEGIN STUDENT: Weighted.non_trainable_variables
        return [w for w in self.weights if not w.trainable]
        # END STUDENT

    @property
    def trainable(self):
        # BEGIN STUDENT: Weighted.trainable getter
        return any(w.trainable for w in self.weights)
        # END STUDENT

    @trainable.setter
    def trainable(self, value):
        # BEGIN STUDENT: Weighted.trainable setter
        for w in self.weights:
            w.trainable = value
        # END STUDENT


class Diffable(Callable, Weighted):
    """A Callable that a GradientTape can differentiate through."""

    gradient_tape = None    # the active tape (set by GradientTape.__enter__)

    def __call__(self, *args, **kwargs):
        # forward's own parameter names (after self) name the positional arguments.
        arg_names = self.forward.__code__.co_varnames[1:]
        kwargs.update(zip(arg_names, args))
        # Inputs are kept exactly as passed (no conversion), in forward's order.
        self.inputs = [kwargs[name] for name in arg_names if name in kwargs]
        out = self.forward(**kwargs)
        self.outputs = list(out) if isinstance(out, (list, tuple)) else [out]
        # The identity of each returned object is the graph's only link to this layer.
        if Diffable.gradient_tape is not None:
            for output in self.outputs:
                Diffable.gradient_tape.previous_layers[id(output)] = self
        return out

    @abstractmethod
    def get_input_gradients(self):
        """One local gradient (Jacobian) per input, in a list."""

    @abstractmethod
    def get_weight_gradients(self):
        """One local gradient per weight, in a list."""

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
        """Chain J into each weight: sum over the batch of local[b] * J[b]."""
        weight_grads = self.get_weight_gradients()
        if J is None or J[0] is None:
            return weight_grads
        j = J[0]
        batch_size = j.shape[0]
        grads = []
        for weight, local in zip(self.weights, weight_grads):
            per_sample = np.zeros((batch_size, *weight.shape), dtype=local.dtype)
            for b in range(batch_size):
                g_b = local[b]
                try:
                    per_sample[b] = g_b * j[b]
                except ValueError as error:
                    raise ValueError("Error occured trying to perform `g_b * j[b]`") from error
            grads.append(np.sum(per_sample, axis=0))
        return grads
