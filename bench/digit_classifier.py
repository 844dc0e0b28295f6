r"""A small MNIST digit classifier, the judge of class-conditional samples (bench/class_samples.py).

Trains a two-convolution CNN on MNIST's training split as pixel_zoo splits it (the first
50,000 training images; the last 10,000 are "valid"), picks the epoch by validation
accuracy, and reports its accuracy on the test split (t10k), on which nothing is chosen:

    python bench/digit_classifier.py --data_dir=$PIXEL_ZOO_DATA

writes ``bench/digit_classifier.weights.h5`` and ``bench/results/digit_classifier.json``
(accuracies, epochs, minutes, the machine's load). A sample that this classifier, right on
about 99% of real test digits, labels as the class it was drawn for is a digit of that
class as a reader would see it.

Example (from Python, with ``bench/`` on the path):
    >>> classifier = digit_classifier.load()
    >>> digit_classifier.predict(classifier, images_uint8)   # int [N]
"""

import json
import os
import pathlib
import time

import keras
import numpy as np
from absl import app, flags

from pixel_zoo import data
from pixel_zoo.provenance import history

HERE = pathlib.Path(__file__).resolve().parent
WEIGHTS = HERE / "digit_classifier.weights.h5"
RESULTS = HERE / "results" / "digit_classifier.json"

_DATA_DIR = flags.DEFINE_string("data_dir", os.environ.get("PIXEL_ZOO_DATA"),
                                "Folder with mnist/*-ubyte.gz (default: $PIXEL_ZOO_DATA).")
_EPOCHS = flags.DEFINE_integer("epochs", 6, "Training epochs; the best one on valid is kept.")
_SEED = flags.DEFINE_integer("seed", 0, "Initialization and shuffling seed.")


def build():
    """The classifier: uint8 ``[N, 28, 28, 1]`` images in, 10 logits out."""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Rescaling(1 / 255),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10),
    ], name="digit_classifier")


def load(path=WEIGHTS):
    """The trained classifier: `build`'s model with the committed weights."""
    classifier = build()
    classifier.load_weights(path)
    return classifier


def predict(classifier, images, batch_size=500):
    """Classes (int ``[N]``) of uint8 images ``[N, 28, 28, 1]`` with 256 levels."""
    logits = classifier.predict(np.asarray(images, np.float32), batch_size=batch_size,
                                verbose=0)
    return np.argmax(logits, axis=-1)


def accuracy(classifier, split):
    """The fraction of ``split`` (an `ImageData` with labels) classified as labelled."""
    return float(np.mean(predict(classifier, split.images) == split.labels))


def main(argv):
    del argv
    keras.utils.set_random_seed(_SEED.value)
    train, valid, test = (data.load_split("mnist", split, _DATA_DIR.value)
                          for split in ("train", "valid", "test"))
    classifier = build()
    classifier.compile(optimizer=keras.optimizers.Adam(1e-3),
                       loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                       metrics=["accuracy"])
    load_monitor = history.LoadMonitor()
    start = time.monotonic()
    checkpoint = keras.callbacks.ModelCheckpoint(WEIGHTS, monitor="val_accuracy",
                                                 save_best_only=True, save_weights_only=True)
    fitted = classifier.fit(train.images.astype(np.float32), train.labels, batch_size=128,
                            epochs=_EPOCHS.value, callbacks=[checkpoint], verbose=2,
                            validation_data=(valid.images.astype(np.float32), valid.labels))
    minutes = (time.monotonic() - start) / 60
    load_monitor.sample()
    best = load()
    best.save_weights(WEIGHTS)  # without the optimizer's state, which the checkpoints keep
    result = {
        "command": "python bench/digit_classifier.py --data_dir=$PIXEL_ZOO_DATA",
        "train_images": len(train.images),
        "epochs": _EPOCHS.value,
        "best_epoch": int(np.argmax(fitted.history["val_accuracy"])) + 1,
        "valid_accuracy": round(accuracy(best, valid), 4),
        "test_accuracy": round(accuracy(best, test), 4),
        "test_images": len(test.images),
        "minutes": round(minutes, 2),
        "machine": {"cpu_cores": os.cpu_count(), **load_monitor.summary()},
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    app.run(main)
