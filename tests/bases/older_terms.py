"""The spring-2025 / fall-2024 variant of the fall2025 course base (docs/editions.md, "Older submissions").

Those terms handed out the fall2025 API with small differences; a grader must not
charge a student for them. The variant is the fall2025 course base with these
edits, each an exact (old, new) text replacement that must match exactly once, so
a change to the base that an edit no longer fits fails loudly instead of silently
dropping a difference.
"""
from pathlib import Path

VARIANT = "older"

EDITS = {
    # Variable is a plain alias of Tensor, and Tensor has no assign().
    "beras/core.py": [
        ("""        self.trainable = getattr(obj, "trainable", True)

    def assign(self, value):
        self[:] = value


class Variable(Tensor):
    \"\"\"The weights of a layer: a Tensor an optimizer updates in place.\"\"\"

    def assign(self, value):
        self[:] = value
""", """        self.trainable = getattr(obj, "trainable", True)


Variable = Tensor
"""),
    ],
    # The stencil's unused TensorFlow import; CategoricalCrossEntropy without __init__/epsilon.
    "beras/losses.py": [
        ("import numpy as np\n", "import numpy as np\nimport tensorflow as tf\n"),
        ("""    def __init__(self, epsilon=1e-12):
        self.epsilon = epsilon

""", ""),
        ("""        y_pred = np.clip(y_pred, self.epsilon, 1 - self.epsilon)
        return np.mean(""", """        y_pred = np.clip(y_pred, 1e-12, 1 - 1e-12)
        return np.mean("""),
        ("""        y_pred = np.clip(y_pred, self.epsilon, 1 - self.epsilon)
        return [""", """        y_pred = np.clip(y_pred, 1e-12, 1 - 1e-12)
        return ["""),
    ],
    # No uniform initializers; weights as a tuple.
    "beras/layers.py": [
        ("""        return [self.w, self.b]""", """        return self.w, self.b"""),
        ("""("zero", "normal", "xavier", "kaiming", "xavier uniform", "kaiming uniform")""",
         """("zero", "normal", "xavier", "kaiming")"""),
        ("""        elif initializer == "xavier uniform":
            limit = np.sqrt(6 / (input_size + output_size))
            w = np.random.uniform(-limit, limit, shape)
        elif initializer == "kaiming uniform":
            limit = np.sqrt(6 / input_size)
            w = np.random.uniform(-limit, limit, shape)
""", ""),
    ],
    # Without Tensor.assign, students update the weights in place with -=.
    "beras/optimizers.py": [
        ("param.assign(param - self.learning_rate * grad)", "param -= self.learning_rate * grad"),
        ("param.assign(param - self.learning_rate / (np.sqrt(self.v[i]) + self.epsilon) * grad)",
         "param -= self.learning_rate / (np.sqrt(self.v[i]) + self.epsilon) * grad"),
        ("param.assign(param - self.learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon))",
         "param -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)"),
    ],
}


class EditDoesNotFit(ValueError):
    """An older-term edit no longer matches the fall2025 course base exactly once."""


def apply_edits(root, edits=EDITS):
    """Rewrite the fall2025 course base laid out at root into the older-term variant; return root."""
    root = Path(root)
    for rel, replacements in edits.items():
        path = root / rel
        text = path.read_text(encoding="utf-8")
        for old, new in replacements:
            count = text.count(old)
            if count != 1:
                raise EditDoesNotFit(f"{rel}: the older-term edit {old.strip().splitlines()[0]!r} "
                                     f"matches {count} times, not once")
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    return root
