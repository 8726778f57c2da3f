"""Support code for working on the homework on your own computer (not graded, nothing to edit).

MNIST without TensorFlow: the folder `tensorflow/` beside this one is a small
stand-in that serves `tensorflow.keras.datasets.mnist.load_data()` from the
four MNIST files in `data/mnist/` (or the folder named by $BERAS_MNIST_DIR).
Get the files once with

    python -m _local.fetch_mnist

which downloads them (11 MB) and checks their checksums. The autograder has
its own copy of MNIST and its own stand-in; it never uses these folders.
"""
