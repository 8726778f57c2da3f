"""GradientTape (course-stencil shape: the given recording, the student's gradient walk)."""
from collections import defaultdict

from beras.core import Diffable


class GradientTape:

    def __init__(self):
        # id(output) -> the layer that produced it; None for anything not recorded.
        self.previous_layers = defaultdict(lambda: None)

    def __enter__(self):
        if Diffable.gradient_tape is not None:
            raise RuntimeError("Cannot nest gradient tapes")
        Diffable.gradient_tape = self
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        Diffable.gradient_tape = None

    def gradient(self, target, sources):
        # BEGIN STUDENT: GradientTape.gradient
        # Breadth-first from the target. Gradients are linear, so every contribution
        # that reaches a tensor is sent on by itself and the contributions add up:
        # a tensor read by two layers gets both.
        grads = defaultdict(lambda: 0)
        reached = set()
        queue = [(target, None)]
        while queue:
            tensor, upstream = queue.pop(0)
            layer = self.previous_layers[id(tensor)]
            if layer is None:
                continue
            J = None if upstream is None else [upstream]
            for weight, g in zip(layer.weights, layer.compose_weight_gradients(J)):
                grads[id(weight)] = grads[id(weight)] + g
                reached.add(id(weight))
            for inp, g in zip(layer.inputs, layer.compose_input_gradients(J)):
                grads[id(inp)] = grads[id(inp)] + g
                reached.add(id(inp))
                queue.append((inp, g))
        return [grads[id(source)] if id(source) in reached else None for source in sources]
        # END STUDENT
