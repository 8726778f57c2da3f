"""Models: a stack of layers trained with fit() and scored with evaluate()."""
from abc import abstractmethod

import numpy as np

from .core import Diffable
from .gradient_tape import GradientTape


def print_stats(stat_dict, batch_num=None, num_batches=None, epoch=None, avg=False):
    """Print one progress line: where we are, then each metric."""
    where = []
    if epoch is not None:
        where.append(f"Epoch {epoch + 1}")
    if batch_num is not None:
        where.append(f"Batch {batch_num + 1}/{num_batches}")
    title = " ".join((["Average"] if avg else []) + [", ".join(where)] * bool(where))
    metrics = " ".join(f"{k}: {float(np.mean(v)):.4f}" for k, v in stat_dict.items())
    print(f"[{title}] {metrics}" if title else metrics, end="\n" if avg else "\r")


def update_metric_dict(super_dict, sub_dict):
    """Append each value of sub_dict to the list under the same key in super_dict."""
    for key, value in sub_dict.items():
        super_dict.setdefault(key, []).append(value)


def _batches(n, batch_size):
    return [(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


class Model(Diffable):
    def __init__(self, layers):
        self.layers = list(layers)

    def __call__(self, *args, **kwargs):
        # A model is a container: its layers record the graph, the model does not.
        return self.forward(*args, **kwargs)

    @property
    def weights(self):
        # TODO: every layer's weights, in layer order
        raise NotImplementedError("Model.weights in beras/model.py: every layer's weights, in layer order")

    def compile(self, optimizer, loss_fn, acc_fn):
        self.optimizer = optimizer
        self.compiled_loss = loss_fn
        self.compiled_acc = acc_fn

    def fit(self, x, y, epochs, batch_size):
        """Train on (x, y); return {metric: [one average per epoch]}."""
        # TODO: shuffle, run batch_step on every batch (the last partial one too), average per epoch
        raise NotImplementedError("Model.fit in beras/model.py: shuffle, run batch_step on every batch (the last partial one too), average per epoch")

    def evaluate(self, x, y, batch_size):
        """Score (x, y) without training; return (averaged metrics, predictions)."""
        # TODO: every batch with training=False; average the metrics; keep all predictions
        raise NotImplementedError("Model.evaluate in beras/model.py: every batch with training=False; average the metrics; keep all predictions")

    def get_input_gradients(self):
        return []

    def get_weight_gradients(self):
        return []

    @abstractmethod
    def batch_step(self, x, y, training=True):
        pass


class SequentialModel(Model):
    def forward(self, inputs):
        # TODO: pass the inputs through every layer in turn
        raise NotImplementedError("SequentialModel.forward in beras/model.py: pass the inputs through every layer in turn")

    def batch_step(self, x, y, training=True):
        """One batch: forward and loss on a GradientTape; when training, apply the gradients."""
        # TODO: returns {"loss", "acc"} when training, ({...}, predictions) otherwise
        raise NotImplementedError("SequentialModel.batch_step in beras/model.py: returns {\"loss\", \"acc\"} when training, ({...}, predictions) otherwise")
