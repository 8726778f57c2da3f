"""spring2026: Linear, .parameters, loss.backward() filling .grad, Optimizer(parameters, lr).step()."""
import numpy as np

from grader.probes.adapters.base import BerasApi


class Spring2026Api(BerasApi):
    NAME = "spring2026"
    DENSE = "Linear"
    TRAINABLE_FLAG = "requires_grad"
    SEQUENTIAL = "Sequential"

    def parameters(self, owner):
        return list(owner.parameters)

    def sequential(self, layers):
        return self.beras.Sequential(*layers)

    def optimizer(self, class_name, params, lr, **kwargs):
        return self.cls(class_name)(params, lr, **kwargs)

    def step(self, optimizer, params, grads, frozen):
        for p, g, is_frozen in zip(params, grads, frozen):
            p.requires_grad = not is_frozen
            p.grad = None if g is None else np.array(g, copy=True)
        optimizer.step()

    def leaf(self, array):
        """An input whose backward(grad) records the gradient that reaches it (summed over uses)."""
        leaf = self.tensor(array, dtype=np.float64)
        leaf.captured = None

        def backward(grad=None):
            g = np.asarray(grad[0])
            leaf.captured = g if leaf.captured is None else leaf.captured + g

        leaf.backward = backward
        return leaf

    def backprop(self, run, params, inputs):
        for p in params.values():
            p.grad = None
        run().backward()
        grads = {name: None if p.grad is None else np.array(p.grad, dtype=np.float64) for name, p in params.items()}
        grads.update({name: getattr(leaf, "captured", None) for name, leaf in inputs.items()})
        return grads
