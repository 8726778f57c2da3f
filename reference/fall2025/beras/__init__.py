"""Beras: a tiny deep-learning library on NumPy (fall2025, Keras-flavoured API)."""
from .core import *
from .gradient_tape import *
from .layers import *
from .activations import *
from .losses import *
from .metrics import *
from .onehot import *
from .optimizers import *
from .model import *
