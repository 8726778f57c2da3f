from types import SimpleNamespace

import numpy as np
import wandb

from beras.activations import ReLU, LeakyReLU, Sigmoid, Softmax
from beras.layers import Linear
from beras.losses import CategoricalCrossEntropy, MeanSquaredError
from beras.metrics import CategoricalAccuracy
from beras.onehot import OneHotEncoder
from beras.optimizers import Adam, BasicOptimizer, RMSProp
from beras.model import Sequential
from preprocess import load_and_preprocess_data
from visualize import visualize_images, visualize_metrics

USE_WANDB = False


def get_model():
    # BEGIN STUDENT: get_model
    model = Sequential(
        Linear(784, 256, initializer="kaiming"),
        ReLU(),
        Linear(256, 10, initializer="xavier"),
        Softmax(),
    )
    # END STUDENT
    return model


def get_optimizer(model):
    # BEGIN STUDENT: get_optimizer
    return Adam(model.parameters, learning_rate=1e-3)
    # END STUDENT


def get_loss_fn():
    # BEGIN STUDENT: get_loss_fn
    return CategoricalCrossEntropy()
    # END STUDENT


def get_acc_fn():
    # BEGIN STUDENT: get_acc_fn
    return CategoricalAccuracy()
    # END STUDENT


if __name__ == "__main__":
    config = SimpleNamespace(epochs=10, batch_size=64)
    run = None
    if USE_WANDB:
        from utils.wandb_login import login_to_wandb
        run = login_to_wandb(config=vars(config))

    train_inputs, train_labels, test_inputs, test_labels = load_and_preprocess_data()

    ohe = OneHotEncoder()
    ohe.fit(np.arange(10))
    train_labels_ohe = ohe(train_labels)
    test_labels_ohe = ohe(test_labels)

    model = get_model()
    model.compile(
        optimizer=get_optimizer(model),
        loss_fn=get_loss_fn(),
        acc_fn=get_acc_fn(),
    )

    train_agg_metrics = model.fit(
        train_inputs, train_labels_ohe, epochs=config.epochs, batch_size=config.batch_size, wandb_run=run)

    test_agg_metrics, test_predictions = model.evaluate(
        test_inputs, test_labels_ohe, batch_size=config.batch_size, wandb_run=run)
    print("Testing Performance:", test_agg_metrics)

    np.save("predictions.npy", np.asarray(test_predictions))
    visualize_metrics(train_agg_metrics["loss"], train_agg_metrics["acc"])
    visualize_images(model, train_inputs, train_labels_ohe)
    if run is not None:
        run.finish()
