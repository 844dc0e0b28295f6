"""The tf.data input pipeline over in-memory ImageData."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pixel_zoo.data.image_data import ImageData


def make_dataset(data: ImageData, batch_size: int, *, shuffle: bool = False,
                 repeat: bool = False, seed: int | None = None, with_labels: bool = False,
                 drop_remainder: bool = False) -> tf.data.Dataset:
    """Builds a batched ``tf.data.Dataset`` over the images (and labels) of ``data``.

    The pipeline shuffles and batches example *indices* and gathers each batch from the numpy
    arrays, so the arrays are never copied into a shuffle buffer nor embedded as graph
    constants (which would hit the 2 GB graph limit on large datasets). The order is: optional
    shuffle of the whole dataset (seeded, reshuffled every epoch), optional infinite repeat,
    batch, prefetch. Auto-sharding is set to ``DATA`` so the dataset can be passed to
    ``strategy.experimental_distribute_dataset``.

    Args:
        data: the split to iterate over.
        batch_size: examples per batch (the global batch size under a distribution strategy).
        shuffle: shuffle uniformly over the whole split, with a new order every epoch.
        repeat: repeat forever (batches then run across epoch boundaries).
        seed: shuffle seed; the same seed gives the same sequence of batches.
        with_labels: yield ``(images, labels)`` instead of ``images``.
        drop_remainder: drop the last, smaller batch (gives a static batch dimension).

    Returns:
        A dataset of uint8 ``[B, H, W, C]`` image batches, or of ``(images, int32 [B] labels)``
        pairs when ``with_labels``.

    Raises:
        ValueError: ``batch_size < 1``, or ``with_labels`` for data without labels.

    Example:
        >>> d = ImageData(np.zeros((10, 28, 28, 1), np.uint8), num_levels=2)
        >>> ds = make_dataset(d, batch_size=4, shuffle=True, seed=0)
        >>> [tuple(b.shape) for b in ds]
        [(4, 28, 28, 1), (4, 28, 28, 1), (2, 28, 28, 1)]
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if with_labels and data.labels is None:
        raise ValueError("with_labels=True but the data has no labels")
    arrays = (data.images, data.labels) if with_labels else (data.images,)
    dataset = tf.data.Dataset.range(len(data.images))
    if shuffle:
        dataset = dataset.shuffle(len(data.images), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    batch_dim = batch_size if drop_remainder else None

    def gather(indices):
        batch = tf.numpy_function(lambda i: tuple(a[i] for a in arrays), [indices],
                                  [tf.as_dtype(a.dtype) for a in arrays], stateful=False)
        batch = [tf.ensure_shape(t, (batch_dim,) + a.shape[1:]) for t, a in zip(batch, arrays)]
        return tuple(batch) if with_labels else batch[0]

    dataset = dataset.map(gather).prefetch(tf.data.AUTOTUNE)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)
