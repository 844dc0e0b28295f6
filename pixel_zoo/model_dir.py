"""The layout of a training run's folder, which evaluation, sampling, export and the zoo read.

::

    MODEL_DIR/config.json       {"model": <keras.saving.serialize_keras_object(model)>,
                                 "optimizer": <the same for the optimizer>,
                                 "dataset": "binarized_mnist", "training": {<TrainConfig>}, ...}
                                written by a run's first call and kept (its schedule length)
    MODEL_DIR/history.jsonl     one line per call: steps_from, steps_to, command, flags, ...
                                (`pixel_zoo.provenance.history`)
    MODEL_DIR/checkpoints/      tf.train.CheckpointManager files: ckpt-<step>.index, ...
                                tf.train.Checkpoint(model={weight.path: weight},
                                                    optimizer=, step=,
                                                    averages={weight.path: average})
                                (averages: runs with --ema, `pixel_zoo.averages`)
    MODEL_DIR/train/, valid/    TensorBoard event files
    MODEL_DIR/samples/          step_<step>.png sample grids

The step is also the data position: a run's batches are a fixed function of its seed, so
a resumed run skips ``step`` batches (see `pixel_zoo.training.loop`).

Example:
    >>> model = load_model("/tmp/runs/pixelcnn_mnist")   # EMA weights if the run kept them
    >>> read_config("/tmp/runs/pixelcnn_mnist")["dataset"]
    'binarized_mnist'
"""

import json
import os

import keras
import tensorflow as tf
from absl import logging

from pixel_zoo import averages as averages_lib
from pixel_zoo import models, optimizers  # noqa: F401  register the Keras classes config.json names

CONFIG_FILE = "config.json"
CHECKPOINTS = "checkpoints"


def config_path(model_dir):
    """``MODEL_DIR/config.json``."""
    return os.path.join(model_dir, CONFIG_FILE)


def checkpoint_dir(model_dir):
    """``MODEL_DIR/checkpoints``, the `tf.train.CheckpointManager` folder."""
    return os.path.join(model_dir, CHECKPOINTS)


def write_config(model_dir, model, optimizer=None, **metadata):
    """Writes ``config.json``: the serialized model (and optimizer) plus JSON ``metadata``.

    Args:
      model_dir: the run's folder (created if missing).
      model: a pixel_zoo model.
      optimizer: the training optimizer, kept on record.
      **metadata: JSON-serializable entries, e.g. ``dataset="binarized_mnist"``,
        ``training={...}``.

    Example:
        >>> write_config("/tmp/run", model, optimizer, dataset="binarized_mnist")
    """
    config = {"model": keras.saving.serialize_keras_object(model), **metadata}
    if optimizer is not None:
        config["optimizer"] = keras.saving.serialize_keras_object(optimizer)
    os.makedirs(model_dir, exist_ok=True)
    # Written beside and renamed, so a crash never leaves a half-written config.
    temporary = config_path(model_dir) + ".tmp"
    with open(temporary, "w") as file:
        json.dump(config, file, indent=2, sort_keys=True)
    os.replace(temporary, config_path(model_dir))


def read_config(model_dir):
    """The dict `write_config` wrote.

    Raises:
      FileNotFoundError: ``model_dir`` has no ``config.json``.
    """
    path = config_path(model_dir)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"{path} does not exist: {model_dir!r} is not a pixel_zoo training run "
            "(trainers/train.py writes one)."
        )
    with open(path) as file:
        return json.load(file)


def setting_differences(stored, requested):
    """The settings where two `write_config` dicts differ: ``[(setting, stored, requested)]``.

    Compared: the dataset, the model's class and its constructor settings (nested ones
    dotted, e.g. ``dtype.config.name``).

    Example:
        >>> setting_differences(read_config("/tmp/run"), {"model": ..., "dataset": "mnist"})
        [('dataset', 'binarized_mnist', 'mnist'), ('num_layers', 8, 4)]
    """

    def flat(config):
        model = config.get("model", {})
        settings = {"dataset": config.get("dataset"), "model": model.get("class_name")}
        settings.update(_flatten(model.get("config", {})))
        return settings

    stored, requested = flat(stored), flat(requested)
    return [(key, stored.get(key), requested.get(key)) for key in {**stored, **requested}
            if stored.get(key) != requested.get(key)]


def _flatten(config, prefix=""):
    items = {}
    for key, value in config.items():
        if isinstance(value, dict):
            items.update(_flatten(value, f"{prefix}{key}."))
        else:
            items[prefix + key] = value
    return items


def difference_table(rows):
    """``setting_differences`` rows as an aligned text table with a header."""
    rows = [("setting", "stored", "requested"), *(tuple(map(str, row)) for row in rows)]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths))
                     .rstrip() for row in rows)


def make_checkpoint(model, optimizer=None, step=None, averages=None):
    """The run's `tf.train.Checkpoint`: the one object layout every reader and writer shares.

    The model's weights are saved by their Keras paths (``model/pixelcnn.Sblock_0.S...``):
    Keras 3 keeps lists of layers (a model's ``blocks``) out of TensorFlow's object graph,
    so ``tf.train.Checkpoint(model=model)`` would silently leave their weights out.
    ``step`` (an int64 variable) counts the training steps taken, and with the seed it
    fixes the data position. ``averages`` (a `pixel_zoo.averages.WeightAverages`) are
    saved by the paths of their weights too (``averages/pixelcnn.Sblock_0.S...``).
    """
    weights = {weight.path: weight for weight in model.weights}
    parts = {"model": weights, "optimizer": optimizer, "step": step,
             "averages": None if averages is None else averages.by_path}
    return tf.train.Checkpoint(**{key: value for key, value in parts.items() if value is not None})


def checkpoints(model_dir):
    """The checkpoints' path prefixes under ``MODEL_DIR/checkpoints``, oldest first.

    Those the `tf.train.CheckpointManager` state lists, and any other ``ckpt-<step>``
    whose index file exists (the state file names a checkpoint only once it is written,
    and may itself be damaged), ordered by step.
    """
    directory = checkpoint_dir(model_dir)
    try:
        state = tf.train.get_checkpoint_state(directory)
    except (tf.errors.OpError, ValueError):  # A damaged state file: the files still tell.
        state = None
    listed = list(state.all_model_checkpoint_paths) if state else []
    found = [path[:-len(".index")] for path in
             tf.io.gfile.glob(os.path.join(directory, "ckpt-*.index"))]
    prefixes = {os.path.join(directory, os.path.basename(path)) for path in listed + found}
    return sorted(prefixes, key=lambda path: int(path.rsplit("-", 1)[-1]))


class NoReadableCheckpointError(ValueError):
    """A run's checkpoints exist and none of them reads."""


def restore_newest(checkpoint, model_dir, expect_partial=False):
    """Restores the newest checkpoint under ``MODEL_DIR/checkpoints`` that reads; returns its
    path prefix, or None where the run has none.

    A damaged checkpoint (a truncated file: what a full disk or an interrupted copy leaves)
    is logged, which files and what is wrong, and skipped for the one before it: training,
    evaluation, sampling, export and publishing all read a run this way.

    Args:
      checkpoint: a `tf.train.Checkpoint` of the run's layout (`make_checkpoint`).
      model_dir: the run's folder.
      expect_partial: the checkpoint holds more than ``checkpoint`` (an optimizer's slots).

    Raises:
      NoReadableCheckpointError: there are checkpoints and none reads.
    """
    paths = checkpoints(model_dir)
    for path in reversed(paths):
        try:
            status = checkpoint.restore(path)
            (status.expect_partial() if expect_partial else status) \
                .assert_existing_objects_matched()
        except (tf.errors.OpError, ValueError, IndexError, AssertionError) as error:
            logging.warning("Skipping the damaged checkpoint %s (%s); %s. Trying the one "
                            "before it.", path, _first_line(error), diagnose(path))
            continue
        return path
    if paths:
        raise NoReadableCheckpointError(
            f"None of the {len(paths)} checkpoints in {checkpoint_dir(model_dir)} reads (see "
            "the warnings above). Restore them from a copy, or move the folder aside to "
            "train from scratch.")
    return None


def diagnose(path):
    """What is wrong with checkpoint ``path``: the first file that does not read, and why.

    Reads every tensor, so call it only for a checkpoint that failed to restore.

    Example:
        >>> diagnose("/tmp/run/checkpoints/ckpt-6")
        'ckpt-6.data-00000-of-00001 (812 bytes): tensor model/... does not read: ...'
    """
    folder, prefix = os.path.split(path)
    try:
        reader = tf.train.load_checkpoint(path)
    except (tf.errors.OpError, ValueError) as error:
        return f"{_file_and_size(folder, prefix + '.index')}: {_first_line(error)}"
    for name in sorted(reader.get_variable_to_shape_map()):
        try:
            reader.get_tensor(name)
        except (tf.errors.OpError, ValueError, IndexError) as error:
            data_files = sorted(file for file in tf.io.gfile.listdir(folder)
                                if file.startswith(prefix + ".data-"))
            files = ", ".join(_file_and_size(folder, file) for file in data_files)
            return f"{files or 'no data file'}: tensor {name} does not read: {_first_line(error)}"
    return "every file reads; the checkpoint does not match this run's objects"


def _file_and_size(folder, name):
    path = os.path.join(folder, name)
    if not tf.io.gfile.exists(path):
        return f"{name} (missing)"
    return f"{name} ({tf.io.gfile.stat(path).length} bytes)"


def _first_line(error):
    return f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[0]}"


def latest_checkpoint(model_dir):
    """The newest checkpoint's path prefix under ``MODEL_DIR/checkpoints``, or None."""
    return tf.train.latest_checkpoint(checkpoint_dir(model_dir))


def load_model(model_dir, use_ema=True):
    """Rebuilds a run's model from ``config.json`` with its newest good checkpoint's weights
    (`restore_newest`: a damaged newest checkpoint is skipped with a warning).

    Args:
      model_dir: a training run's folder.
      use_ema: if the run kept moving averages of the weights (``--ema``), return those
        (the weights it evaluated with); else the raw trained weights. A run trained
        with ``--ema`` before `pixel_zoo.averages` kept them inside its optimizer: that
        optimizer is rebuilt from ``config.json`` to read them (Keras's public
        ``finalize_variable_values``).

    Returns:
      The model, built, computing in float32 even if the run trained in mixed
      precision (its weights are float32): evaluation, sampling and export get
      the exact densities.

    Raises:
      FileNotFoundError: no ``config.json`` or no checkpoint.
      NoReadableCheckpointError: no checkpoint reads.

    Example:
        >>> model = load_model("/tmp/runs/pixelcnn_mnist")
        >>> model.sample(4, seed=1).shape
        TensorShape([4, 28, 28, 1])
    """
    config = read_config(model_dir)
    model = keras.saving.deserialize_keras_object(_computing_in_float32(config["model"]))
    optimizer = averages = None
    if use_ema and averages_lib.kept_in_optimizer(config):
        optimizer = keras.saving.deserialize_keras_object(config["optimizer"])
        optimizer.build(model.trainable_variables)
    elif use_ema and config.get("training", {}).get("ema"):
        averages = averages_lib.WeightAverages(model)
    if restore_newest(make_checkpoint(model, optimizer, averages=averages), model_dir,
                      expect_partial=True) is None:
        raise FileNotFoundError(f"{checkpoint_dir(model_dir)} holds no checkpoint.")
    if optimizer is not None:
        optimizer.finalize_variable_values(model.trainable_variables)  # copies its averages
    if averages is not None:
        averages.copy_to_model()
    return model


def _computing_in_float32(model_config):
    """A serialized model's config with the float32 dtype policy instead of its own."""
    return {**model_config, "config": {**model_config["config"], "dtype": "float32"}}
