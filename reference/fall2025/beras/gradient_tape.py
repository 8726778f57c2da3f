"""GradientTape: record the layers called inside a `with` block, then compose their gradients."""
from collections import defaultdict, deque

from .core import Diffable


class GradientTape:
    """with GradientTape() as tape: ...; grads = tape.gradient(loss, sources)"""

    def __init__(self):
        # id(output tensor) -> the Diffable that produced it (None for anything else)
        self.previous_layers = defaultdict(lambda: None)
        self.recorded_outputs = []

    def __enter__(self):
        if Diffable.gradient_tape is not None:
            raise RuntimeError("A GradientTape is already recording: tapes cannot be nested")
        Diffable.gradient_tape = self
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        Diffable.gradient_tape = None

    def gradient(self, target, sources):
        """[d target / d source for each source, in order]; None for a source the target does not reach."""
        # BEGIN SOLUTION: walk back from the target breadth-first, composing gradients; one per source
        # First pass: how many recorded layer calls read each tensor, so that a tensor
        # read by several layers is passed on only once its gradient is complete.
        readers = defaultdict(int)
        seen, queue = {id(target)}, deque([target])
        while queue:
            layer = self.previous_layers[id(queue.popleft())]
            for inp in (layer.inputs if layer is not None else []):
                readers[id(inp)] += 1
                if id(inp) not in seen:
                    seen.add(id(inp))
                    queue.append(inp)

        grads = {}  # id(tensor) -> d target / d tensor, summed over the layers that read it
        queue = deque([target])
        while queue:
            tensor = queue.popleft()
            layer = self.previous_layers[id(tensor)]
            if layer is None:
                continue
            # The target's layer starts the chain with its own local gradients (J = None).
            upstream = None if tensor is target else [grads[id(tensor)]]
            weight_grads = layer.compose_weight_gradients(upstream)
            input_grads = layer.compose_input_gradients(upstream)
            for t, g in list(zip(layer.weights, weight_grads)) + list(zip(layer.inputs, input_grads)):
                grads[id(t)] = g if id(t) not in grads else grads[id(t)] + g
            for inp in layer.inputs:
                readers[id(inp)] -= 1
                if readers[id(inp)] == 0:
                    queue.append(inp)
        return [grads.get(id(source)) for source in sources]
        # END SOLUTION
