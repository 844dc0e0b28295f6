"""Checks that a batch of images is what a model can score, before any op touches it.

A wrong-rank batch reaching a convolution can abort the whole process on some
CPU builds, and a float or out-of-range batch would give a silently wrong
likelihood, so every model entry point runs `check_images` first. Eagerly the
problems raise `ValueError`; inside a graph (a `tf.function`, a SavedModel)
the value checks become `tf.debugging` asserts, raising `InvalidArgumentError`.

Example:
    >>> check_images(np.zeros((2, 4, 4, 1), np.uint8), (4, 4, 1), num_levels=2).dtype
    tf.int32
"""

import math

import numpy as np
import tensorflow as tf


def check_image_spec(image_shape, num_levels):
    """Validates a model's ``image_shape`` and ``num_levels`` and returns them normalised."""
    image_shape = tuple(int(size) for size in image_shape)
    if len(image_shape) != 3 or min(image_shape) < 1:
        raise ValueError(f"image_shape must be (height, width, channels), got {image_shape}.")
    if image_shape[-1] not in (1, 3):
        raise ValueError(
            f"images must have 1 (grayscale) or 3 (RGB) channels, got {image_shape[-1]}."
        )
    num_levels = int(num_levels)
    if not 2 <= num_levels <= 256:
        raise ValueError(f"num_levels must be in [2, 256] (uint8 images), got {num_levels}.")
    return image_shape, num_levels


def check_images(images, image_shape, num_levels):
    """Returns ``images`` as int32 after checking rank, shape, dtype and values.

    Args:
      images: ``[B, H, W, C]`` integers in ``[0, num_levels)``: numpy or tensor.
      image_shape: the model's ``(H, W, C)``.
      num_levels: the model's values per channel.

    Raises:
      ValueError: eagerly, or while tracing, for a wrong rank, shape or dtype,
        and eagerly for values out of range.
      tf.errors.InvalidArgumentError: at graph run time, for values out of range.
    """
    dtype = tf.as_dtype(images.dtype)
    if not dtype.is_integer:
        raise ValueError(
            f"images must be integers in [0, {num_levels}) (e.g. uint8), got dtype "
            f"{dtype.name}; the model scales them itself."
        )
    shape = tuple(images.shape)
    if len(shape) != 4:
        raise ValueError(
            f"images must have rank 4 [batch, height, width, channels], got shape {shape}."
        )
    if any(got is not None and got != want for got, want in zip(shape[1:], image_shape)):
        raise ValueError(
            f"images must have shape [batch, {', '.join(map(str, image_shape))}], got {shape}."
        )
    images = _check_range(tf.convert_to_tensor(images), "image values", "num_levels", num_levels)
    return tf.cast(images, tf.int32)


def check_labels(labels, num_classes, images):
    """Returns class ``labels`` as int32 ``[B]`` after checking them against ``images``.

    Raises ``ValueError`` eagerly (or while tracing, for dtype and rank) and
    ``InvalidArgumentError`` at graph run time, like `check_images`.
    """
    labels = tf.convert_to_tensor(labels)
    if not labels.dtype.is_integer:
        raise ValueError(f"labels must be integers, got dtype {labels.dtype.name}.")
    if labels.shape.rank != 1:
        raise ValueError(f"labels must have shape [batch], got {tuple(labels.shape)}.")
    if tf.executing_eagerly() and labels.shape[0] != images.shape[0]:
        raise ValueError(f"got {labels.shape[0]} labels for {images.shape[0]} images.")
    if not tf.executing_eagerly():
        check = tf.debugging.assert_equal(
            tf.shape(labels)[0], tf.shape(images)[0], message="one label per image"
        )
        with tf.control_dependencies([check]):
            labels = tf.identity(labels)
    return tf.cast(_check_range(labels, "labels", "num_classes", num_classes), tf.int32)


def _check_range(values, name, limit_name, limit):
    """Integer ``values`` checked to lie in ``[0, limit)``, compared in their own dtype.

    Checked before any cast: a narrowing cast wraps (an int64 ``2**32 + 1`` becomes int32
    ``1``) and would pass the check. Eagerly a value out of range raises ``ValueError``;
    in a graph the checks run as `tf.debugging` asserts (``InvalidArgumentError``).
    """
    dtype = values.dtype
    if tf.executing_eagerly():
        array = values.numpy()
        if array.size and (array.min() < 0 or array.max() >= limit):
            raise ValueError(
                f"{name} must be in [0, {limit}), got values in [{array.min()}, {array.max()}]."
            )
        return values
    checks = []
    if not dtype.is_unsigned:
        checks.append(tf.debugging.assert_greater_equal(
            values, tf.zeros((), dtype), message=f"{name} must be >= 0"))
    if limit <= dtype.max:  # A narrower dtype cannot hold a value out of range.
        checks.append(tf.debugging.assert_less(
            values, tf.constant(limit, dtype), message=f"{name} must be < {limit_name}={limit}"))
    with tf.control_dependencies(checks):
        return tf.identity(values)


def check_temperature(temperature):
    """The sampling ``temperature`` as a float32 scalar, checked to be > 0 and finite.

    Logits are divided by it, so 0 or a negative value would give no distribution (all
    the mass on one value, or reversed) and NaN an arbitrary one. Eagerly a bad value
    raises ``ValueError``; in a graph (an exported signature) an assert fails with
    ``InvalidArgumentError``.

    Example:
        >>> check_temperature(0.9).numpy()
        0.9
    """
    temperature = tf.cast(temperature, tf.float32)
    if temperature.shape.rank is not None and temperature.shape.rank != 0:
        raise ValueError(f"temperature must be a scalar, got shape {temperature.shape}.")
    if tf.executing_eagerly():
        value = float(temperature)
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"temperature must be > 0 and finite, got {value}.")
        return temperature
    check = tf.debugging.Assert(
        tf.math.is_finite(temperature) & (temperature > 0),
        ["temperature must be > 0 and finite, got", temperature],
    )
    with tf.control_dependencies([check]):
        return tf.identity(temperature)


def check_mask(mask, images):
    """A completion's pixel ``mask`` as int32 ``images``' shape (1: known), after checks.

    Args:
      mask: bool ``[H, W]`` (every image), ``[B, H, W]`` (every channel) or
        ``[B, H, W, C]``; True marks a known pixel or sub-pixel.
      images: the checked int32 images ``[B, H, W, C]`` it belongs to.

    Raises:
      ValueError: for a dtype other than bool, or a shape that is none of those.
    """
    mask = tf.convert_to_tensor(mask)
    if mask.dtype != tf.bool:
        raise ValueError(f"mask must be bool (True: known), got dtype {mask.dtype.name}.")
    batch, height, width, channels = images.shape
    shape = tuple(mask.shape)
    allowed = ((height, width), (batch, height, width), (batch, height, width, channels))
    if not any(len(shape) == len(want) and all(
            got is None or expected is None or got == expected
            for got, expected in zip(shape, want)) for want in allowed):
        raise ValueError(
            f"mask must have shape [H, W], [B, H, W] or [B, H, W, C] = "
            f"{[height, width]}, {[batch, height, width]} or {[batch, height, width, channels]} "
            f"for these images, got {list(shape)}."
        )
    if len(shape) == 2:
        mask = mask[None]
    if len(shape) < 4:
        mask = mask[..., None]
    return tf.broadcast_to(tf.cast(mask, tf.int32), tf.shape(images))


def as_seed(seed):
    """A stateless-random seed ``[2]`` int64 tensor from an int, a pair, or a tensor.

    Example:
        >>> as_seed(7).numpy().tolist()
        [7, 0]
    """
    if isinstance(seed, (int, np.integer)):
        seed = (int(seed), 0)
    seed = tf.cast(tf.convert_to_tensor(seed), tf.int64)
    if seed.shape.rank is not None and seed.shape != (2,):
        raise ValueError(f"seed must be an int or a pair of ints, got shape {seed.shape}.")
    return seed


def as_dropout_rate(rate):
    """``rate`` as a float, checked to be in ``[0, 1)``.

    A rate of 1 would drop every feature in training (and Keras's scaling by
    ``1 / (1 - rate)`` divides by zero), so it is refused with the models' other
    bad hyperparameters, before any layer is built.

    Example:
        >>> as_dropout_rate(0.25)
        0.25
    """
    if not 0.0 <= float(rate) < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {rate}.")
    return float(rate)
