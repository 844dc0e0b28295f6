"""The plain autoregressive sampler: one forward pass per pixel and channel.

Positions are visited in raster order and, inside a pixel, channel by
channel. Each step draws from the model's categorical at that position with
a stateless random op keyed by ``(seed, position)``, so a seed gives the
same images in every process. Starting past position 0 completes images
whose earlier positions are given.

Example:
    >>> fill = lambda images: tf.zeros((*images.shape, 2))   # uniform binary model
    >>> autoregressive_fill(fill, tf.zeros((3, 2, 2, 1), tf.int32), 0, (1, 2)).shape
    TensorShape([3, 2, 2, 1])
"""

import tensorflow as tf


def draw(logits, position, seed, temperature):
    """Values ``[B]`` for flat ``position`` drawn from ``logits`` ``[B, L]``.

    Every sampler draws through this, so for a seed they all give the same images.
    """
    step_seed = tf.random.experimental.stateless_fold_in(seed, position)
    return tf.random.stateless_categorical(logits / temperature, 1, step_seed, dtype=tf.int32)[:, 0]


def autoregressive_fill(logits_fn, images, first_position, seed, temperature=1.0):
    """Samples positions ``first_position, ...`` of ``images`` one at a time.

    Args:
      logits_fn: int32 images ``[B, H, W, C]`` -> logits ``[B, H, W, C, L]``.
      images: int32 ``[B, H, W, C]``; positions before ``first_position`` are kept.
      first_position: flat index in raster + channel order where sampling starts.
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
        values = draw(logits[:, row, column, channel], position, seed, temperature)  # (B,)
        at_position = tf.reshape(
            tf.one_hot(position, num_positions, dtype=tf.int32), (1, height, width, channels)
        )
        images = images * (1 - at_position) + values[:, None, None, None] * at_position
        return position + 1, images

    _, images = tf.while_loop(
        lambda position, _: position < num_positions,
        body,
        (tf.cast(first_position, tf.int32), images),
    )
    return images
