"""Build, train and evaluate a Beras model on MNIST.

    python assignment.py [--epochs N] [--batch-size B] [--save-predictions FILE]

preprocess.py downloads MNIST with TensorFlow's datasets helper, the one
TensorFlow use allowed in this homework.
"""
import argparse

import numpy as np

from beras.activations import ReLU, Softmax
from beras.layers import Linear
from beras.losses import CategoricalCrossEntropy
from beras.metrics import CategoricalAccuracy
from beras.model import Sequential
from beras.onehot import OneHotEncoder
from beras.optimizers import Adam
from preprocess import load_and_preprocess_data


def get_model():
    # BEGIN SOLUTION: a Sequential model that reaches >= 95% test accuracy within 10 epochs
    return Sequential(
        Linear(784, 256, initializer="kaiming"),
        ReLU(),
        Linear(256, 10, initializer="xavier"),
        Softmax(),
    )
    # END SOLUTION


def get_optimizer(model):
    # BEGIN SOLUTION: an optimizer over the model's parameters
    return Adam(model.parameters, learning_rate=1e-3)
    # END SOLUTION


def get_loss_fn():
    # BEGIN SOLUTION: the loss to train with
    return CategoricalCrossEntropy()
    # END SOLUTION


def get_acc_fn():
    # BEGIN SOLUTION: the accuracy metric
    return CategoricalAccuracy()
    # END SOLUTION


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--save-predictions", metavar="FILE", help="save test-set predictions (.npy)")
    args = parser.parse_args(argv)

    np.random.seed(0)
    train_x, train_y, test_x, test_y = load_and_preprocess_data()
    encoder = OneHotEncoder()
    encoder.fit(np.arange(10))
    train_y_ohe, test_y_ohe = encoder(train_y), encoder(test_y)

    model = get_model()
    model.compile(optimizer=get_optimizer(model), loss_fn=get_loss_fn(), acc_fn=get_acc_fn())
    model.fit(train_x, train_y_ohe, epochs=args.epochs, batch_size=args.batch_size)
    metrics, predictions = model.evaluate(test_x, test_y_ohe, batch_size=args.batch_size)
    print(f"Test accuracy: {metrics['acc']:.4f}")
    if args.save_predictions:
        np.save(args.save_predictions, np.asarray(predictions))
        print(f"Saved predictions to {args.save_predictions}")


if __name__ == "__main__":
    main()
