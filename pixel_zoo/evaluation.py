"""Validation: the mean negative log-likelihood of a model on a dataset, under any strategy.

Example:
    >>> evaluate_model_dir("/tmp/runs/pixelcnn_mnist", data_dir="/work/shared/data")
    {'nats': 88.1, 'bits_per_dim': 0.1621, 'num_images': 10000}
"""

import time

import numpy as np
import tensorflow as tf

import pixel_zoo as pz
from pixel_zoo import data
from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.progress import ProgressBar


def nll(model, batch, training=False):
    """Negative log-likelihood in nats of each image of ``batch``: images or (images, labels).

    ``training`` turns on the dropout of the families that have it (the training loss).
    """
    batch = batch if isinstance(batch, tuple) else (batch,)
    return -model.log_prob(*batch, training=training)


def per_image_nll(model, split_data, batch_size=100):
    """The NLL in nats of each image of ``split_data``, in order: float64 ``[N]``.

    Example:
        >>> per_image_nll(model, valid_data).mean()
        82.9
    """
    dataset = eval_dataset(split_data, batch_size, with_labels=model.num_classes is not None)
    step = tf.function(lambda batch: nll(model, batch), reduce_retracing=True, autograph=False)
    return np.concatenate([step(batch).numpy() for batch in dataset]).astype(np.float64)


def eval_dataset(split_data, batch_size, num_batches=0, with_labels=False):
    """The first ``num_batches`` batches of ``split_data`` in order (0: all of it)."""
    dataset = data.make_dataset(split_data, batch_size, with_labels=with_labels)
    return dataset.take(num_batches) if num_batches else dataset


class Evaluator:
    """Computes the mean NLL of ``model`` over ``dataset``, in nats per image and bits/dim.

    The dataset is split over the strategy's replicas and the sums are reduced, so the
    result is the plain mean over every image (a last, smaller batch included).

    Args:
      strategy: the strategy ``model`` was built under.
      model: a pixel_zoo model.
      dataset: batches of images, or of (images, labels) for a class-conditional model.

    Example:
        >>> evaluator = Evaluator(strategy, model, eval_dataset(valid_data, 64, num_batches=10))
        >>> evaluator()["nats"]
        91.4
    """

    def __init__(self, strategy, model, dataset):
        self.strategy = strategy
        self.model = model
        self.dataset = strategy.experimental_distribute_dataset(dataset)
        batches = int(dataset.cardinality())
        self.num_batches = batches if batches >= 0 else None  # None: unknown
        self._step = tf.function(self._distributed_step, reduce_retracing=True, autograph=False)

    def _distributed_step(self, batch):
        def replica_step(batch):
            per_image = nll(self.model, batch)  # (B,)
            return tf.reduce_sum(per_image), tf.cast(tf.size(per_image), tf.float32)

        total, count = self.strategy.run(replica_step, args=(batch,))
        reduce = tf.distribute.ReduceOp.SUM
        return self.strategy.reduce(reduce, total, None), self.strategy.reduce(reduce, count, None)

    def __call__(self):
        """``{"nats": ..., "bits_per_dim": ..., "num_images": ...}`` over the whole dataset."""
        total = count = 0.0
        bar, start = ProgressBar(self.num_batches, unit_name="batch"), time.perf_counter()
        for index, batch in enumerate(self.dataset):
            batch_total, batch_count = self._step(batch)
            total, count = total + float(batch_total), count + float(batch_count)
            bar.update(index + 1, {"images_per_sec": count / (time.perf_counter() - start)})
        nats = total / count
        bits = float(pz.metrics.bits_per_dim(-nats, self.model.image_shape))
        return {"nats": nats, "bits_per_dim": bits, "num_images": int(count)}


def evaluate_model_dir(model_dir, split="valid", data_dir=None, batch_size=64, num_batches=0,
                       use_ema=True):
    """The NLL of a training run's latest checkpoint on a split of the data it trained on.

    Args:
      model_dir: a training run's folder.
      split: "train" or "valid" (see `pixel_zoo.data.load_split`).
      data_dir: local data folder; default: the one the run trained with.
      batch_size: images per batch.
      num_batches: batches to evaluate (0: the whole split).
      use_ema: evaluate the moving-average weights, where the run kept them.

    Returns:
      ``{"nats": ..., "bits_per_dim": ..., "num_images": ...}``.
    """
    config = model_dir_lib.read_config(model_dir)
    model = model_dir_lib.load_model(model_dir, use_ema=use_ema)
    data_dir = data_dir or config.get("training", {}).get("data_dir")
    split_data = data.load_split(config["dataset"], split, data_dir)
    dataset = eval_dataset(split_data, batch_size, num_batches, model.num_classes is not None)
    return Evaluator(tf.distribute.get_strategy(), model, dataset)()
