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
        # TODO: walk back from the target breadth-first, composing gradients; one per source
        raise NotImplementedError("GradientTape.gradient in beras/gradient_tape.py: walk back from the target breadth-first, composing gradients; one per source")
