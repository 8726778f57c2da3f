import matplotlib.pyplot as plt
import numpy as np


def visualize_metrics(losses=None, accuracies=None):
    """Plot per-epoch loss and accuracy curves."""
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    if losses is not None:
        ax[0].plot(np.arange(1, len(losses) + 1), losses)
        ax[0].set_title("Loss")
    if accuracies is not None:
        ax[1].plot(np.arange(1, len(accuracies) + 1), accuracies)
        ax[1].set_title("Accuracy")
    plt.show()


def visualize_predictions(model, train_inputs, train_labels_ohe, num_searching=500):
    """Show a few correctly and incorrectly classified training images."""
    images = np.asarray(train_inputs[:num_searching]).reshape(-1, 28, 28)
    probs = model(train_inputs[:num_searching])
    predicted = np.argmax(probs, axis=-1)
    actual = np.argmax(train_labels_ohe[:num_searching], axis=-1)
    right = np.flatnonzero(predicted == actual)[:5]
    wrong = np.flatnonzero(predicted != actual)[:5]
    fig, axes = plt.subplots(2, 5, figsize=(10, 4))
    for row, picks in enumerate((right, wrong)):
        for col in range(5):
            axes[row, col].axis("off")
            if col < len(picks):
                i = picks[col]
                axes[row, col].imshow(images[i], cmap="Greys")
                axes[row, col].set_title(f"PL: {predicted[i]}\nAL: {actual[i]}")
    plt.show()
