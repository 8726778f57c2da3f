from .core import *
from .layers import *
from .activations import *
from .losses import *
from .metrics import *
from .onehot import *
from .optimizers import *
from .model import *
