"""Pictures of a model's right and wrong answers (saved to a PNG: no display needed)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402

PICTURE = "predictions.png"


def visualize_predictions(model, train_inputs, train_labels_ohe, num_searching=500, per_row=5, path=PICTURE):
    """Plot up to per_row right and per_row wrong predictions among the first num_searching inputs."""
    inputs = np.asarray(train_inputs[:num_searching])
    labels = np.argmax(np.asarray(train_labels_ohe[:num_searching]), axis=-1)
    guesses = np.argmax(np.asarray(model(inputs)), axis=-1)
    rows = [("right", np.flatnonzero(guesses == labels)[:per_row]),
            ("wrong", np.flatnonzero(guesses != labels)[:per_row])]
    figure, axes = plt.subplots(2, per_row, figsize=(2 * per_row, 4.6), squeeze=False)
    for (title, indices), row in zip(rows, axes):
        for axis in row:
            axis.axis("off")
        for axis, i in zip(row, indices):
            axis.imshow(inputs[i].reshape(28, 28), cmap="Greys")
            axis.set_title(f"{title}: {guesses[i]} (is {labels[i]})", fontsize=9)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    print(f"Saved a picture of the predictions to {path}")
    return path
