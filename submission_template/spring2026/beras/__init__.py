"""Beras: a tiny deep-learning library on NumPy (spring2026, PyTorch-flavoured API)."""
from .core import *
from .layers import *
from .activations import *
from .losses import *
from .metrics import *
from .onehot import *
from .optimizers import *
from .model import *
