"""Build, train and evaluate a Beras model on MNIST; save its test-set predictions.

    python assignment.py [--epochs N] [--batch-size B] [--predictions FILE] [--no-visualize]

Submit the predictions.npy it writes (your model's outputs on the test set)
with your code. preprocess.py loads MNIST with TensorFlow's datasets helper,
the one TensorFlow use allowed in this homework.
"""
import argparse

import numpy as np

from beras.activations import ReLU, Softmax
from beras.layers import Dense
from beras.losses import CategoricalCrossEntropy
from beras.metrics import CategoricalAccuracy
from beras.model import SequentialModel
from beras.onehot import OneHotEncoder
from beras.optimizers import Adam
from preprocess import load_and_preprocess_data


def get_model():
    # BEGIN SOLUTION: a SequentialModel that reaches >= 97% test accuracy within 5 epochs
    return SequentialModel([
        Dense(784, 256, initializer="kaiming"),
        ReLU(),
        Dense(256, 10, initializer="xavier"),
        Softmax(),
    ])
    # END SOLUTION


def get_optimizer():
    # BEGIN SOLUTION: an optimizer
    return Adam(learning_rate=1e-3)
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
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--predictions", metavar="FILE", default="predictions.npy",
                        help="where to save the test-set predictions (default: predictions.npy)")
    parser.add_argument("--no-visualize", action="store_true", help="skip the picture of predictions")
    args = parser.parse_args(argv)

    np.random.seed(0)
    train_x, train_y, test_x, test_y = load_and_preprocess_data()
    encoder = OneHotEncoder()
    encoder.fit(np.arange(10))
    train_y_ohe, test_y_ohe = encoder(train_y), encoder(test_y)

    model = get_model()
    model.compile(optimizer=get_optimizer(), loss_fn=get_loss_fn(), acc_fn=get_acc_fn())
    model.fit(train_x, train_y_ohe, epochs=args.epochs, batch_size=args.batch_size)
    metrics, predictions = model.evaluate(test_x, test_y_ohe, batch_size=args.batch_size)
    print(f"Test accuracy: {metrics['acc']:.4f}")
    np.save(args.predictions, np.asarray(predictions))
    print(f"Saved the test-set predictions to {args.predictions}")
    if not args.no_visualize:
        from visualize import visualize_predictions
        visualize_predictions(model, train_x, train_y_ohe)


if __name__ == "__main__":
    main()
