"""What every edition's adapter offers; the parts both API families share live here."""
import numpy as np

from grader.probes.cases import fresh_import


class BerasApi:
    NAME = ""
    DENSE = ""         # the dense layer's class name
    SEQUENTIAL = ""    # the sequential model's class name
    TRAINABLE_FLAG = ""   # the per-Tensor flag saying an optimizer may update it

    def __init__(self):
        self.beras = fresh_import("beras")
        self.Tensor = self.beras.Tensor

    def cls(self, name):
        return getattr(self.beras, name)

    def tensor(self, array, dtype=None):
        """A Tensor of the subject's own class holding a copy of ``array``."""
        return self.Tensor(np.array(array, dtype=dtype, copy=True))

    def dense(self, w, b):
        """A dense layer whose weights are exactly ``w`` and ``b`` (as Tensors)."""
        layer = self.new_dense(*np.shape(w))
        layer.w, layer.b = self.tensor(w), self.tensor(b)
        return layer

    def new_dense(self, n_in, n_out, **kwargs):
        return self.cls(self.DENSE)(n_in, n_out, **kwargs)

    def initialize_weight(self, name, n_in, n_out):
        return self.cls(self.DENSE)._initialize_weight(name, n_in, n_out)

    def layer(self, spec):
        """A layer from a grader spec: {"class", "kwargs"}, or for the dense class {"class", "w", "b"}."""
        if spec["class"] == self.DENSE:
            return self.dense(np.asarray(spec["w"], dtype=np.float64), np.asarray(spec["b"], dtype=np.float64))
        return self.cls(spec["class"])(**spec.get("kwargs", {}))

    # ---- edition-specific
    def parameters(self, owner):
        """The list of weight Tensors a layer or model owns, in order."""
        raise NotImplementedError

    def sequential(self, layers):
        raise NotImplementedError

    def optimizer(self, class_name, params, lr, **kwargs):
        raise NotImplementedError

    def step(self, optimizer, params, grads, frozen):
        """One update: ``grads[i]`` for ``params[i]`` (None: no gradient this step); frozen
        parameters are not to be trained."""
        raise NotImplementedError

    def compile(self, model, lr):
        """model.compile with plain gradient descent at ``lr``, cross-entropy and accuracy."""
        model.compile(self.optimizer("BasicOptimizer", self.parameters(model), lr),
                      self.cls("CategoricalCrossEntropy")(), self.cls("CategoricalAccuracy")())
        return model

    def leaf(self, array):
        """An input Tensor whose gradient backprop reports."""
        return self.tensor(array, dtype=np.float64)

    def backprop(self, run, params, inputs):
        """Run ``run()`` (which returns a scalar loss built from the subject's layers) and
        return {name: gradient or None} for every Tensor in ``params`` and ``inputs``
        ({name: Tensor} each), through the edition's own backpropagation."""
        raise NotImplementedError
