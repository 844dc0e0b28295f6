"""Input perturbation for background models: sub-pixels replaced by uniform random values.

The background model of a likelihood-ratio detector (`pixel_zoo.ood`; Ren et al.,
"Likelihood Ratios for Out-of-Distribution Detection", NeurIPS 2019) trains on images whose
sub-pixels are each, with probability ``rate``, replaced by a value drawn uniformly from
``[0, num_levels)``. Perturbed so, the model learns the population's low-level statistics
(smooth backgrounds, stroke widths) but not its semantic content.

Example:
    >>> batches = make_dataset(train_data, 32, shuffle=True, repeat=True, seed=0)
    >>> batches = perturb_dataset(batches, rate=0.1, num_levels=256, seed=0)
"""

from __future__ import annotations

import tensorflow as tf


def perturb_images(images, rate, num_levels, seed):
    """Replaces each sub-pixel of ``images``, with probability ``rate``, by a uniform level.

    Args:
        images: integer ``[B, H, W, C]`` in ``[0, num_levels)``.
        rate: the probability ``mu`` in ``[0, 1]`` of replacing a sub-pixel.
        num_levels: replacement values are uniform over ``[0, num_levels)``.
        seed: int ``[2]`` for the stateless random ops; the same seed perturbs alike.

    Returns:
        The perturbed images, with the dtype of ``images``.

    Raises:
        ValueError: ``rate`` outside ``[0, 1]`` or ``num_levels`` outside ``[2, 256]``.

    Example:
        >>> noisy = perturb_images(tf.zeros((2, 4, 4, 1), tf.uint8), 0.5, 256, seed=[1, 2])
    """
    _check(rate, num_levels)
    images = tf.convert_to_tensor(images)
    mask_seed, value_seed = tf.unstack(
        tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), num=2))
    shape = tf.shape(images)
    replace = tf.random.stateless_uniform(shape, mask_seed) < rate  # (B, H, W, C)
    values = tf.random.stateless_uniform(shape, value_seed, 0, num_levels, tf.int32)
    return tf.where(replace, tf.cast(values, images.dtype), images)


def perturb_dataset(dataset, rate, num_levels, seed):
    """Maps `perturb_images` over a dataset of image batches (or ``(images, labels)`` pairs).

    Batch ``i`` is perturbed with the seed ``(seed, i)``, so the sequence of perturbed
    batches is fixed by ``seed``, and a resumed run that skips batches sees the ones it
    would have seen. Apply it before any ``skip``.

    Args:
        dataset: batches of integer images ``[B, H, W, C]``, or of ``(images, labels)``.
        rate: see `perturb_images`; 0 returns ``dataset`` itself.
        num_levels: see `perturb_images`.
        seed: an int.

    Returns:
        The perturbed dataset.
    """
    _check(rate, num_levels)
    if rate == 0:
        return dataset

    def perturb(index, batch):
        batch_seed = tf.stack([tf.constant(seed, tf.int64), index])
        if isinstance(batch, tuple):
            images, *rest = batch
            return (perturb_images(images, rate, num_levels, batch_seed), *rest)
        return perturb_images(batch, rate, num_levels, batch_seed)

    return dataset.enumerate().map(perturb, num_parallel_calls=tf.data.AUTOTUNE)


def _check(rate, num_levels):
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"perturbation rate must be in [0, 1], got {rate}.")
    if not 2 <= num_levels <= 256:
        raise ValueError(f"num_levels must be in [2, 256], got {num_levels}.")
