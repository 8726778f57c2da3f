"""Models: a stack of layers trained with fit() and scored with evaluate()."""
from abc import abstractmethod

import numpy as np

from .core import Diffable


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
    def __init__(self, *layers, **kwargs):
        super().__init__(**kwargs)
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = layers[0]
        self.layers = list(layers)

    def __call__(self, *args, **kwargs):
        # A model is a container: its layers record the graph, the model does not.
        return self.forward(*args, **kwargs)

    @property
    def parameters(self):
        # BEGIN SOLUTION: every layer's parameters, in layer order
        return [p for layer in self.layers for p in layer.parameters]
        # END SOLUTION

    def compile(self, optimizer, loss_fn, acc_fn):
        self.optimizer = optimizer
        self.compiled_loss = loss_fn
        self.compiled_acc = acc_fn

    def fit(self, x, y, epochs, batch_size, wandb_run=None):
        """Train on (x, y); return {metric: [one average per epoch]}."""
        # BEGIN SOLUTION: shuffle, run batch_step on every batch (the last partial one too), average per epoch
        history = {}
        n = len(x)
        spans = _batches(n, batch_size)
        progress_every = max(1, len(spans) // 50)  # ~50 progress lines an epoch: one per batch costs ~4 % of it
        for epoch in range(epochs):
            order = np.random.permutation(n)
            epoch_stats = {}
            for i, (start, stop) in enumerate(spans):
                rows = order[start:stop]
                stats = self.batch_step(x[rows], y[rows], training=True)
                update_metric_dict(epoch_stats, stats)
                if i % progress_every == 0 or i == len(spans) - 1:
                    print_stats(stats, batch_num=i, num_batches=len(spans), epoch=epoch)
            sizes = [stop - start for start, stop in spans]
            averages = {k: float(np.average(v, weights=sizes)) for k, v in epoch_stats.items()}
            print_stats(averages, epoch=epoch, avg=True)
            if wandb_run is not None:
                wandb_run.log({f"train/{k}": v for k, v in averages.items()})
            update_metric_dict(history, averages)
        return history
        # END SOLUTION

    def evaluate(self, x, y, batch_size, wandb_run=None):
        """Score (x, y) without training; return (averaged metrics, predictions)."""
        # BEGIN SOLUTION: every batch with training=False; average the metrics; keep all predictions
        stats, predictions, sizes = {}, [], []
        for start, stop in _batches(len(x), batch_size):
            batch_stats, batch_preds = self.batch_step(x[start:stop], y[start:stop], training=False)
            update_metric_dict(stats, batch_stats)
            predictions.append(np.asarray(batch_preds))
            sizes.append(stop - start)
        averages = {k: float(np.average(v, weights=sizes)) for k, v in stats.items()}
        print_stats(averages, avg=True)
        if wandb_run is not None:
            wandb_run.log({f"test/{k}": v for k, v in averages.items()})
        return averages, np.concatenate(predictions)
        # END SOLUTION

    def backward(self, grad=None):
        """The layers do the backward work; the model itself has none."""

    def get_input_gradients(self):
        return []

    def get_weight_gradients(self):
        return []

    @abstractmethod
    def batch_step(self, x, y, training=True):
        pass


class Sequential(Model):
    def forward(self, inputs):
        # BEGIN SOLUTION: pass the inputs through every layer in turn
        x = inputs
        for layer in self.layers:
            x = layer(x)
        return x
        # END SOLUTION

    def batch_step(self, x, y, training=True):
        """One batch: forward, loss, accuracy; when training, backward and a step."""
        # BEGIN SOLUTION: returns {"loss", "acc"} when training, ({...}, predictions) otherwise
        self.optimizer.zero_grad()
        predictions = self.forward(x)
        loss = self.compiled_loss(predictions, y)
        acc = self.compiled_acc(predictions, y)
        stats = {"loss": float(loss), "acc": float(acc)}
        if not training:
            return stats, predictions
        loss.backward()
        self.optimizer.step()
        return stats
        # END SOLUTION
