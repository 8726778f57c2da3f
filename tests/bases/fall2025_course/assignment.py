import numpy as np

from beras.activations import ReLU, LeakyReLU, Sigmoid, Softmax
from beras.layers import Dense
from beras.losses import CategoricalCrossEntropy, MeanSquaredError
from beras.metrics import CategoricalAccuracy
from beras.onehot import OneHotEncoder
from beras.optimizers import Adam, BasicOptimizer, RMSProp
from beras.model import SequentialModel
from preprocess import load_and_preprocess_data
from visualize import visualize_metrics, visualize_predictions

EPOCHS = 1
BATCH_SIZE = 64


def get_model():
    # BEGIN STUDENT: get_model
    model = SequentialModel([
        Dense(784, 256, initializer="kaiming"),
        ReLU(),
        Dense(256, 10, initializer="xavier"),
        Softmax(),
    ])
    # END STUDENT
    return model


def get_optimizer():
    # BEGIN STUDENT: get_optimizer
    return Adam(learning_rate=1e-3)
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
    train_inputs, train_labels, test_inputs, test_labels = load_and_preprocess_data()

    ohe = OneHotEncoder()
    ohe.fit(np.arange(10))
    train_labels_ohe = ohe(train_labels)
    test_labels_ohe = ohe(test_labels)

    model = get_model()
    model.compile(
        optimizer=get_optimizer(),
        loss_fn=get_loss_fn(),
        acc_fn=get_acc_fn(),
    )

    train_agg_metrics = model.fit(train_inputs, train_labels_ohe, epochs=EPOCHS, batch_size=BATCH_SIZE)

    test_agg_metrics, test_predictions = model.evaluate(test_inputs, test_labels_ohe, batch_size=BATCH_SIZE)
    print("Testing Performance:", test_agg_metrics)

    np.save("predictions.npy", np.asarray(test_predictions))
    visualize_metrics(train_agg_metrics["loss"], train_agg_metrics["acc"])
    visualize_predictions(model, train_inputs, train_labels_ohe)
