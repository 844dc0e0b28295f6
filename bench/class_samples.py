r"""How often a class-conditional MNIST model's samples are digits of the class they were drawn for.

Draws ``--num_per_class`` samples for each of the ten classes from a zoo entry (or a run
folder, to look before publishing), labels them with the digit classifier of
``bench/digit_classifier.py`` (its test accuracy is recorded beside), and writes the
fraction classified as their class, per class and overall, to
``bench/results/class_samples_NAME.json`` and into the entry's card
(``metrics["class_samples"]``, with the weights' sha256, so a card whose weights changed
since shows a stale figure in CI):

    python bench/class_samples.py --name=pixelcnn_pp_mnist_conditional

Example output line:
    1000 samples, 96.3% classified as their class (classifier: 98.9% on MNIST test)
"""

import dataclasses
import json
import os
import sys
import time

# bench/digit_classifier.py, beside this script.
import digit_classifier
import numpy as np
from absl import app, flags

from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo import zoo
from pixel_zoo.provenance import history
from pixel_zoo.zoo.entry import CARDS_DIR

_NAME = flags.DEFINE_string("name", None, "A class-conditional MNIST zoo entry.")
_MODEL_DIR = flags.DEFINE_string("model_dir", None,
                                 "A training run instead of a zoo entry (nothing is written).")
_NUM_PER_CLASS = flags.DEFINE_integer("num_per_class", 100, "Samples drawn for each class.")
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 100, "Samples drawn at once.")
_SEED = flags.DEFINE_integer("sample_seed", 1, "Sampling seed (batch i uses (sample_seed, i)).")
flags.register_multi_flags_validator(
    ["name", "model_dir"], lambda values: bool(values["name"]) != bool(values["model_dir"]),
    message="give exactly one of --name and --model_dir.")


def draw_and_classify(model, classifier, num_per_class, batch_size, seed):
    """Labels drawn for and labels given to ``num_per_class`` samples of each class."""
    wanted = np.repeat(np.arange(model.num_classes), num_per_class).astype(np.int32)
    found = []
    for index, start in enumerate(range(0, len(wanted), batch_size)):
        labels = wanted[start:start + batch_size]
        samples = model.sample(len(labels), seed=(seed, index), labels=labels)
        found.append(digit_classifier.predict(classifier, np.asarray(samples)))
        print(f"{start + len(labels)}/{len(wanted)} samples", flush=True)
    return wanted, np.concatenate(found)


def summary(wanted, found):
    """Overall and per-class fractions of ``found == wanted``."""
    right = found == wanted
    return {"accuracy": round(float(right.mean()), 4),
            "per_class": {str(label): round(float(right[wanted == label].mean()), 4)
                          for label in np.unique(wanted)},
            "num_samples": len(wanted)}


def _check_model(model, what):
    if model.num_classes != 10 or tuple(model.image_shape) != (28, 28, 1) \
            or model.num_levels != 256:
        sys.exit(f"class_samples.py: error: {what} is not a class-conditional 28x28 MNIST "
                 "model with 256 levels and 10 classes; the digit classifier judges only those.")


def main(argv):
    del argv
    if _NAME.value:
        entry = zoo.registry.get(_NAME.value)
        model = zoo.load(_NAME.value)
    else:
        model = model_dir_lib.load_model(_MODEL_DIR.value)
    _check_model(model, _NAME.value or _MODEL_DIR.value)
    classifier = digit_classifier.load()
    with open(digit_classifier.RESULTS) as file:
        classifier_result = json.load(file)
    load_monitor = history.LoadMonitor()
    start = time.monotonic()
    wanted, found = draw_and_classify(model, classifier, _NUM_PER_CLASS.value,
                                      _BATCH_SIZE.value, _SEED.value)
    load_monitor.sample()
    result = {
        **summary(wanted, found),
        "sample_seed": _SEED.value,
        "classifier_test_accuracy": classifier_result["test_accuracy"],
        "minutes": round((time.monotonic() - start) / 60, 2),
        "machine": {"cpu_cores": os.cpu_count(), **load_monitor.summary()},
    }
    print(f"{result['num_samples']} samples, {result['accuracy']:.1%} classified as their class "
          f"(classifier: {result['classifier_test_accuracy']:.1%} on MNIST test)")
    if not _NAME.value:
        return
    result = {"command": " ".join(["python bench/class_samples.py", *sys.argv[1:]]),
              "weights_sha256": entry.sha256, **result}
    path = digit_classifier.HERE / "results" / f"class_samples_{_NAME.value}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    card = {key: result[key] for key in ("accuracy", "num_samples", "classifier_test_accuracy",
                                         "weights_sha256")}
    dataclasses.replace(entry, metrics={**entry.metrics, "class_samples": card}).to_json(
        CARDS_DIR / f"{_NAME.value}.json")


if __name__ == "__main__":
    app.run(main)
