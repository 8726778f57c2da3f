"""Models (course-stencil shape: given scaffolding, student bodies)."""
from abc import abstractmethod
from collections import defaultdict

import numpy as np

from beras.core import Diffable
from beras.gradient_tape import GradientTape


def print_stats(stat_dict, batch_num=None, num_batches=None, epoch=None, avg=False):
    """Print one progress line: where training is, then every metric."""
    title_str = " - "
    if epoch is not None:
        title_str += f"Epoch {epoch + 1:2}: "
    if batch_num is not None:
        title_str += f"Batch {batch_num + 1:3}"
        if num_batches is not None:
            title_str += f"/{num_batches}"
    if avg:
        title_str += "Average Stats"
    print(f"\r{title_str} : ", end="")
    op = lambda x: f"{x:.4f}" if isinstance(x, float) else str(x)
    print({k: op(float(np.mean(v))) for k, v in stat_dict.items()}, end="")
    print("   ", end="" if not avg else "\n")


def update_metric_dict(super_dict, sub_dict):
    """Append the mean of each list in sub_dict to super_dict (a defaultdict(list))."""
    for k, v in sub_dict.items():
        super_dict[k] += [np.mean(v)]


class Model(Diffable):

    def __init__(self, layers):
        self.layers = layers

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    @property
    def weights(self):
        # BEGIN STUDENT: Model.weights
        weights = []
        for layer in self.layers:
            weights += layer.weights
        return weights
        # END STUDENT

    def compile(self, optimizer, loss_fn, acc_fn):
        self.optimizer = optimizer
        self.compiled_loss = loss_fn
        self.compiled_acc = acc_fn

    def fit(self, x, y, epochs, batch_size):
        # BEGIN STUDENT: Model.fit
        history = defaultdict(list)
        num_batches = int(np.ceil(len(x) / batch_size))
        for epoch in range(epochs):
            epoch_metrics = defaultdict(list)
            order = np.random.permutation(len(x))
            x_shuffled, y_shuffled = x[order], y[order]
            for b in range(num_batches):
                start, end = b * batch_size, (b + 1) * batch_size
                batch_metrics = self.batch_step(x_shuffled[start:end], y_shuffled[start:end], training=True)
                for k, v in batch_metrics.items():
                    epoch_metrics[k].append(v)
                print_stats(batch_metrics, b, num_batches, epoch)
            update_metric_dict(history, epoch_metrics)
            print_stats(epoch_metrics, epoch=epoch, avg=True)
        return history
        # END STUDENT

    def evaluate(self, x, y, batch_size):
        # BEGIN STUDENT: Model.evaluate
        batch_metrics = defaultdict(list)
        predictions = []
        num_batches = int(np.ceil(len(x) / batch_size))
        for b in range(num_batches):
            start, end = b * batch_size, (b + 1) * batch_size
            metrics, preds = self.batch_step(x[start:end], y[start:end], training=False)
            for k, v in metrics.items():
                batch_metrics[k].append(v)
            predictions.append(preds)
        averages = defaultdict(list)
        update_metric_dict(averages, batch_metrics)
        test_metrics = {k: v[0] for k, v in averages.items()}
        print_stats(test_metrics, avg=True)
        return test_metrics, np.concatenate(predictions, axis=0)
        # END STUDENT

    def get_input_gradients(self):
        return []

    def get_weight_gradients(self):
        return []

    @abstractmethod
    def batch_step(self, x, y, training=True):
        pass


class SequentialModel(Model):

    def forward(self, inputs):
        # BEGIN STUDENT: SequentialModel.forward
        x = inputs
        for layer in self.layers:
            x = layer(x)
        return x
        # END STUDENT

    def batch_step(self, x, y, training=True):
        # BEGIN STUDENT: SequentialModel.batch_step
        with GradientTape() as tape:
            predictions = self.forward(x)
            loss = self.compiled_loss(predictions, y)
        acc = self.compiled_acc(predictions, y)
        if training:
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(self.trainable_variables, grads)
            return {"loss": loss, "acc": acc}
        return {"loss": loss, "acc": acc}, predictions
        # END STUDENT
