"""fall2025: Dense, .weights, GradientTape + tape.gradient(target, sources), apply_gradients."""
import numpy as np

from grader.probes.adapters.base import BerasApi


class Fall2025Api(BerasApi):
    NAME = "fall2025"
    DENSE = "Dense"
    TRAINABLE_FLAG = "trainable"
    SEQUENTIAL = "SequentialModel"

    def parameters(self, owner):
        return list(owner.weights)   # older terms' Dense.weights is a tuple

    def sequential(self, layers):
        return self.beras.SequentialModel(list(layers))

    def optimizer(self, class_name, params, lr, **kwargs):
        return self.cls(class_name)(lr, **kwargs)

    def step(self, optimizer, params, grads, frozen):
        # The caller (a model) passes only what it trains, with one gradient each.
        trained = [(p, g) for p, g, is_frozen in zip(params, grads, frozen) if not is_frozen]
        optimizer.apply_gradients([p for p, _ in trained],
                                  [None if g is None else np.array(g, copy=True) for _, g in trained])

    def backprop(self, run, params, inputs):
        sources = {**params, **inputs}
        with self.beras.GradientTape() as tape:
            loss = run()
        grads = tape.gradient(loss, list(sources.values()))
        if len(grads) != len(sources):
            raise ValueError(f"tape.gradient returned {len(grads)} gradients for {len(sources)} sources")
        return {name: None if g is None else np.array(g, dtype=np.float64) for name, g in zip(sources, grads)}
