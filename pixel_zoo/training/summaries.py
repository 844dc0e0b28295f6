"""TensorBoard event files of a run: scalars and sample grids under MODEL_DIR/train and /valid.

Written with the core op `tf.summary.write` in the formats of TensorBoard's scalar and image
plugins, so training needs no ``tensorboard`` package (viewing the logs does).

Example:
    >>> writers = SummaryWriters("/tmp/run")
    >>> writers.scalars("train", 100, {"nats": 120.5, "learning_rate": 1e-3})
    >>> writers.close()
    >>> read_scalars("/tmp/run/train")["nats"]
    [(100, 120.5)]
"""

import collections
import glob
import os

import numpy as np
import tensorflow as tf
from absl import logging
from tensorflow.core.framework import summary_pb2

from pixel_zoo import images

SPLITS = ("train", "valid")


class SummaryWriters:
    """One `tf.summary` writer per split; no-op writers where ``enabled`` is False.

    Args:
      model_dir: the run's folder; events go to ``MODEL_DIR/<split>``.
      enabled: False on the workers other than the chief.
    """

    def __init__(self, model_dir, enabled=True):
        self.writers = {
            split: tf.summary.create_file_writer(os.path.join(model_dir, split))
            if enabled else tf.summary.create_noop_writer()
            for split in SPLITS
        }

    def scalars(self, split, step, values):
        """Writes each ``{tag: number}`` of ``values`` at ``step``."""
        with self.writers[split].as_default(step=step):
            for tag, value in values.items():
                tf.summary.write(tag, tf.constant(value, tf.float32), metadata=_plugin("scalars"))

    def image(self, split, step, tag, picture):
        """Writes one uint8 ``[H, W, C]`` picture (e.g. `pixel_zoo.images.make_grid`)."""
        height, width, _ = picture.shape
        # The image plugin's tensor: [width, height, PNG bytes...], all strings.
        tensor = tf.stack([str(width), str(height), tf.io.encode_png(picture)])
        with self.writers[split].as_default(step=step):
            tf.summary.write(tag, tensor, metadata=_plugin("images"))

    def flush(self):
        for writer in self.writers.values():
            writer.flush()

    def close(self):
        for writer in self.writers.values():
            writer.close()


def _plugin(name):
    return summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=name)
    )


def read_scalars(log_dir):
    """``{tag: [(step, value), ...]}`` of every scalar in the event files of ``log_dir``.

    Event files are read in name order (their names start with a timestamp), so a resumed
    run's values follow the earlier run's.
    """
    scalars = collections.defaultdict(list)
    for path in sorted(glob.glob(os.path.join(log_dir, "events.out.tfevents.*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                array = tf.make_ndarray(value.tensor)
                if array.ndim == 0 and array.dtype.kind == "f":
                    scalars[value.tag].append((event.step, float(array)))
    return dict(scalars)


def write_samples(model, config, step, writers):
    """Samples ``num_samples`` images: a PNG in MODEL_DIR/samples and a TensorBoard image."""
    labels = None
    if model.num_classes:
        labels = np.arange(config.num_samples) % model.num_classes
    samples = model.sample(config.num_samples, seed=(config.seed, step), labels=labels)
    path = images.save_grid(
        samples, os.path.join(config.model_dir, "samples", f"step_{step:07d}.png"),
        model.num_levels)
    logging.info("sample grid at step %d: %s", step, path)
    writers.image("valid", step, "samples", images.make_grid(samples, model.num_levels))
