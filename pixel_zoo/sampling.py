"""The plain autoregressive sampler: one forward pass per pixel and channel.

Positions are visited in raster order and, inside a pixel, channel by
channel. Each step draws from the model's categorical at that position with
a stateless random op keyed by ``(seed, position)``, so a seed gives the
same images in every process. Positions marked known are kept, which
completes images whose other positions are given (`known_before`: the first
rows; any mask: in-painting, where a sampled position sees the known and
sampled positions before it in raster order only).

Example:
    >>> fill = lambda images: tf.zeros((*images.shape, 2))   # uniform binary model
    >>> blank = tf.zeros((3, 2, 2, 1), tf.int32)
    >>> autoregressive_fill(fill, blank, known_before(blank, 0), (1, 2)).shape
    TensorShape([3, 2, 2, 1])
"""

import tensorflow as tf


def draw(logits, position, seed, temperature):
    """Values ``[B]`` for flat ``position`` drawn from ``logits`` ``[B, L]``.

    Every sampler draws through this, so for a seed they all give the same images.
    """
    step_seed = tf.random.experimental.stateless_fold_in(seed, position)
    return tf.random.stateless_categorical(logits / temperature, 1, step_seed, dtype=tf.int32)[:, 0]


def known_before(images, first_position):
    """The mask of ``images``' positions before flat ``first_position`` (raster + channel order).

    Returns int32 ``[B, H, W, C]``: 1 where a position is kept, 0 where it is sampled.
    """
    _, height, width, channels = images.shape
    positions = tf.reshape(tf.range(height * width * channels), (1, height, width, channels))
    known = tf.cast(positions < tf.cast(first_position, tf.int32), tf.int32)
    return tf.broadcast_to(known, tf.shape(images))


def first_unknown(known):
    """The first flat position that some image of ``known`` samples (all known: their number)."""
    all_known = tf.reduce_all(tf.reshape(known, (tf.shape(known)[0], -1)) > 0, axis=0)
    unknown = tf.cast(tf.logical_not(all_known), tf.int32)
    return tf.where(tf.reduce_any(unknown > 0), tf.argmax(unknown, output_type=tf.int32),
                    tf.size(unknown))


def autoregressive_fill(logits_fn, images, known, seed, temperature=1.0):
    """Samples the positions of ``images`` that ``known`` does not mark, one at a time.

    Args:
      logits_fn: int32 images ``[B, H, W, C]`` -> logits ``[B, H, W, C, L]``.
      images: int32 ``[B, H, W, C]``.
      known: int32 ``[B, H, W, C]``: 1 keeps the position's value, 0 samples it.
      seed: int64 ``[2]`` stateless seed.
      temperature: logits are divided by it (1 = the model's distribution).

    Returns:
      int32 ``[B, H, W, C]``.
    """
    _, height, width, channels = images.shape
    num_positions = height * width * channels
    temperature = tf.cast(temperature, tf.float32)

    def body(position, images):
        logits = tf.cast(logits_fn(images), tf.float32)  # (B, H, W, C, L)
        row = position // (width * channels)
        column = position // channels % width
        channel = position % channels
        values = tf.where(
            known[:, row, column, channel] > 0,
            images[:, row, column, channel],
            draw(logits[:, row, column, channel], position, seed, temperature),
        )  # (B,)
        at_position = tf.reshape(
            tf.one_hot(position, num_positions, dtype=tf.int32), (1, height, width, channels)
        )
        images = images * (1 - at_position) + values[:, None, None, None] * at_position
        return position + 1, images

    _, images = tf.while_loop(
        lambda position, _: position < num_positions,
        body,
        (first_unknown(known), images),
    )
    return images
