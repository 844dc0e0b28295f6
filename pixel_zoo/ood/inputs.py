"""The images an OOD evaluation scores: dataset splits made to fit a model, or noise.

Example:
    >>> load_images("mnist:test", (28, 28, 1), 256, "/work/shared/data").shape
    (10000, 28, 28, 1)
"""

import numpy as np

from pixel_zoo import data

NOISE = "noise:"


def check_spec(spec, data_dir=None, num=None, download=True):
    """Raises as `load_images` would on a malformed ``spec``, a bad ``num`` or data it cannot
    find (see `pixel_zoo.data.check_split`), reading no images and importing no TensorFlow.

    Returns:
      ``(dataset, split)``, or ``("noise:", "uniform")`` for noise.

    Example:
        >>> check_spec("mnist:tset", "/work/shared/data")
        UnknownSplitError: mnist: unknown split 'tset'; valid splits: 'train', 'valid', 'test'
    """
    name, separator, split = spec.rpartition(":")
    if not separator or not name or not split:
        raise ValueError(f"data {spec!r} must be DATASET:SPLIT (e.g. mnist:test) or "
                         "noise:uniform.")
    if num is not None and num < 1:
        raise ValueError(f"num must be a positive number of images, got {num}.")
    if name + separator == NOISE:
        if split != "uniform":
            raise ValueError(f"unknown noise {split!r}; the noise set is noise:uniform.")
        return NOISE, split
    data.check_split(name, split, data_dir, download)
    return name, split


def load_images(spec, image_shape, num_levels, data_dir=None, num=None, seed=0,
                download=True):
    """Images named by ``spec``, made to fit a model of ``image_shape`` and ``num_levels``.

    ``spec`` is ``DATASET:SPLIT`` (any `pixel_zoo.data.load_split` name and split, e.g.
    ``fashion_mnist:test``, ``mnist:test``, ``cifar10_jpeg:valid``) or ``noise:uniform``
    (independent uniform levels). Dataset images of another shape are converted: RGB to
    gray (ITU-R 601 luma) or gray to RGB, resized with area averaging, and requantized
    to ``num_levels``.

    Args:
      spec: see above.
      image_shape: the model's ``(H, W, C)``.
      num_levels: the model's levels per sub-pixel.
      data_dir: local dataset folder (see `pixel_zoo.data.load_split`).
      num: keep the first ``num`` images (the noise set's size; default 10,000 for noise,
        else the whole split).
      seed: the noise's seed.
      download: whether tensorflow-datasets may download data (see `pixel_zoo.data.load_split`).

    Returns:
      uint8 ``[N, H, W, C]`` in ``[0, num_levels)``.

    Raises:
      ValueError: a malformed ``spec`` or an unknown noise kind; as `load_split` for data.

    Example:
        >>> load_images("cifar10_jpeg:valid", (28, 28, 1), 256, "/work/shared/data").shape
        (5000, 28, 28, 1)
    """
    name, split = check_spec(spec, data_dir, num, download)
    if name == NOISE:
        rng = np.random.default_rng(seed)
        return rng.integers(0, num_levels, (num or 10000, *image_shape)).astype(np.uint8)
    split_data = data.load_split(name, split, data_dir, download)
    images = split_data.images[:num]
    if images.shape[1:] == tuple(image_shape) and split_data.num_levels == num_levels:
        return images
    return _convert(images, split_data.num_levels, image_shape, num_levels)


def _convert(images, levels, image_shape, num_levels):
    """Images ``[N, h, w, c]`` of ``levels`` levels -> ``[N, *image_shape]`` of ``num_levels``."""
    # Imported here: checking specs, and data that fits as it is, need no TensorFlow.
    import tensorflow as tf  # pylint: disable=import-outside-toplevel

    height, width, channels = image_shape
    pixels = tf.cast(images, tf.float32) / (levels - 1)  # (N, h, w, c) in [0, 1]
    if pixels.shape[-1] == 3 and channels == 1:
        pixels = tf.image.rgb_to_grayscale(pixels)
    elif pixels.shape[-1] == 1 and channels == 3:
        pixels = tf.image.grayscale_to_rgb(pixels)
    pixels = tf.image.resize(pixels, (height, width), method="area")  # (N, H, W, C)
    return np.round(np.clip(pixels.numpy(), 0.0, 1.0) * (num_levels - 1)).astype(np.uint8)
