"""The libraries the homework bans, by import name (used by the static scan and the worker's guard)."""

BANNED = frozenset({"tensorflow", "keras", "torch", "torchvision", "torchaudio", "sklearn", "scikit_learn"})
BANNED_DESCRIPTION = "tensorflow, keras, torch, scikit-learn"


def is_banned(module: str) -> bool:
    return module.split(".", 1)[0] in BANNED
