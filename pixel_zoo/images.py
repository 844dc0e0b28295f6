"""Image grids: a batch of level-valued images tiled into one 8-bit picture, and saved as PNG.

Grids are scaled up (nearest neighbour) so small images can be seen: by default each image
becomes about 128 pixels wide (a 4x4 grid of 28x28 digits: 458x458), with a grey gutter
between and around the images.

Example:
    >>> samples = model.sample(16, seed=(1, 2))                # uint8 [16, 28, 28, 1] in {0, 1}
    >>> save_grid(samples, "/tmp/samples.png", num_levels=2)   # 4x4 grid, 458x458 pixels
    >>> save_grid(samples, "/tmp/small.png", num_levels=2, scale=1)   # 117x117

Images to complete or compress are read back from a PNG (`read_image`: levels written by
`save_grid` with ``scale=1, gutter=0`` come back exactly) or taken from a dataset
(`dataset_image`, ``binarized_mnist:valid:7``; `dataset_images`, ``binarized_mnist:valid``).
"""

import math
import os

import numpy as np
from PIL import Image, UnidentifiedImageError

from pixel_zoo import data

TILE_PIXELS = 128
GUTTER_LEVEL = 128


def default_scale(image_shape):
    """The whole-number zoom that makes an image about `TILE_PIXELS` wide (at least 1).

    Example:
        >>> default_scale((28, 28, 1)), default_scale((32, 32, 3)), default_scale((256, 256, 3))
        (4, 4, 1)
    """
    return max(1, TILE_PIXELS // max(image_shape[:2]))


def make_grid(images, num_levels, columns=None, scale=None, gutter=None):
    """Tiles images into one uint8 picture, levels scaled to 0..255, each image zoomed.

    Args:
      images: integers ``[N, H, W, C]`` in ``[0, num_levels)``, C 1 or 3 (numpy or tensor).
      num_levels: values per channel; level ``num_levels - 1`` becomes 255.
      columns: images per row (default: the smallest square that holds them).
      scale: each pixel becomes ``scale x scale`` pixels (default: `default_scale`).
      gutter: pixels of grey between and around the images (default: half the scale, at
        least 1).

    Returns:
      uint8 ``[rows * (S*H + G) + G, columns * (S*W + G) + G, C]`` with ``S = scale``,
      ``G = gutter``.
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or not len(images):
        raise ValueError(f"images must be [N, H, W, C] with N >= 1, C 1 or 3; got {images.shape}")
    if not 2 <= num_levels <= 256:
        raise ValueError(f"num_levels must be in [2, 256], got {num_levels}")
    scale = default_scale(images.shape[1:]) if scale is None else int(scale)
    gutter = max(1, scale // 2) if gutter is None else int(gutter)
    if scale < 1 or gutter < 0:
        raise ValueError(f"scale must be >= 1 and gutter >= 0; got {scale} and {gutter}")
    # Rounded, so that `to_levels` reads every level back.
    steps = 2 * (num_levels - 1)
    levels = ((images.astype(np.int32) * 510 + steps // 2) // steps).astype(np.uint8)
    zoomed = levels.repeat(scale, axis=1).repeat(scale, axis=2)  # (N, S*H, S*W, C)
    count, height, width, channels = zoomed.shape
    columns = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    grid = np.full(
        (rows * (height + gutter) + gutter, columns * (width + gutter) + gutter, channels),
        GUTTER_LEVEL, np.uint8,
    )
    for index, image in enumerate(zoomed):
        top = gutter + (index // columns) * (height + gutter)
        left = gutter + (index % columns) * (width + gutter)
        grid[top:top + height, left:left + width] = image
    return grid


def save_grid(images, path, num_levels, columns=None, scale=None, gutter=None):
    """Writes `make_grid` of ``images`` to a PNG file (folders created); returns ``path``.

    Example (one image as it is, which `read_image` reads back exactly):
        >>> save_grid(image[None], "/tmp/digit.png", num_levels=2, scale=1, gutter=0)
    """
    grid = make_grid(images, num_levels, columns, scale, gutter)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid).save(path, format="PNG")
    return path


def read_image(path, image_shape, num_levels):
    """Reads a PNG/JPEG of exactly ``image_shape`` as ``num_levels`` levels (`to_levels`).

    The inverse of `save_grid`'s scaling for a single image.

    Example:
        >>> digit = read_image("digit.png", (28, 28, 1), num_levels=2)   # uint8 [28, 28, 1]
    """
    return to_levels(read_pixels(path, image_shape), num_levels, path)


def read_pixels(path, image_shape):
    """The pixels of a PNG/JPEG as stored, uint8 ``image_shape``; its size is checked."""
    height, width, channels = image_shape
    try:
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("L" if channels == 1 else "RGB"))
    except UnidentifiedImageError as err:
        raise ValueError(f"{path} is no image that PIL reads (PNG, JPEG, ...).") from err
    if pixels.shape[:2] != (height, width):
        raise ValueError(
            f"{path} is {pixels.shape[1]}x{pixels.shape[0]} pixels; the model takes {width}x{height}."
        )
    return pixels.reshape(image_shape)


def is_zero_one(pixels):
    """Whether ``pixels`` hold values 0 and 1 only: levels of a binary image written as they
    are, which an 8-bit image shows as black."""
    return int(np.max(pixels)) == 1


def to_levels(pixels, num_levels, source="the image"):
    """Quantizes 8-bit ``pixels`` (0..255) to ``num_levels`` levels.

    Pixels of values 0 and 1 only (`is_zero_one`) are already the levels of a binary
    image: kept as they are for ``num_levels=2``, refused for more levels (read as 8-bit,
    they would be a black image).

    Raises:
      ValueError: 0/1 pixels and ``num_levels > 2``; the message names ``source`` and the fix.
    """
    if is_zero_one(pixels):
        if num_levels == 2:
            return pixels.astype(np.uint8)
        raise ValueError(f"{source} has only values 0 and 1, black in an 8-bit image (a binary "
                         f"image saved as it is?); this model takes {num_levels} levels of "
                         "0..255: save the image scaled to 0..255 (image * 255).")
    return np.round(pixels.astype(np.float32) * (num_levels - 1) / 255.0).astype(np.uint8)


def dataset_image(spec, image_shape, num_levels, data_dir=None, download=True):
    """Image INDEX of a dataset's split, named ``DATASET:SPLIT:INDEX``, as ``num_levels`` levels.

    Args:
      spec: e.g. ``binarized_mnist:valid:7`` (any `pixel_zoo.data.load_split` name).
      image_shape: the model's ``(H, W, C)``; the dataset's images must have it.
      num_levels: the model's levels; the dataset's are requantized to them.
      data_dir, download: as `pixel_zoo.data.load_split` takes them.

    Example:
        >>> dataset_image("binarized_mnist:valid:7", (28, 28, 1), 2, data_dir).shape
        (28, 28, 1)
    """
    parse_dataset_image(spec)
    return dataset_images(spec, image_shape, num_levels, data_dir, download)[0][0]


def dataset_images(spec, image_shape, num_levels, data_dir=None, download=True, num=None):
    """``(images, labels)`` of ``DATASET:SPLIT`` (its first ``num``) or ``DATASET:SPLIT:INDEX``.

    Arguments as in `dataset_image`. The images are uint8 ``[N, *image_shape]`` requantized
    to ``num_levels``; the labels int32 ``[N]``, or None for a dataset without them.

    Example:
        >>> digits, _ = dataset_images("binarized_mnist:valid", (28, 28, 1), 2, num=200)
    """
    name, split, index = parse_dataset_spec(spec)
    split_data = data.load_split(name, split, data_dir, download)
    count = len(split_data.images)
    if index is not None and index >= count:
        raise ValueError(f"{spec}: {name} {split} has {count} images (0 to {count - 1}).")
    chosen = slice(index, index + 1) if index is not None else slice(num)
    images = split_data.images[chosen]
    if images.shape[1:] != tuple(image_shape):
        raise ValueError(f"{spec} images are {'x'.join(map(str, images.shape[1:]))}; the model "
                         f"takes {'x'.join(map(str, image_shape))}.")
    scale = (num_levels - 1) / (split_data.num_levels - 1)
    labels = None if split_data.labels is None else split_data.labels[chosen]
    return np.round(images.astype(np.float32) * scale).astype(np.uint8), labels


def parse_dataset_image(spec):
    """``DATASET:SPLIT:INDEX`` -> ``(dataset, split, index)``; a ValueError if malformed."""
    try:
        name, split, index = parse_dataset_spec(spec)
    except ValueError:
        index = None
    if index is None:
        raise ValueError(f"{spec!r} is no image file, nor DATASET:SPLIT:INDEX (e.g. "
                         "binarized_mnist:valid:7).")
    return name, split, index


def parse_dataset_spec(spec):
    """``DATASET:SPLIT:INDEX`` -> ``(dataset, split, index)``, ``DATASET:SPLIT`` -> ``(dataset,
    split, None)``; a ValueError if malformed.

    Example:
        >>> parse_dataset_spec("npz:/data/tiny.npz:valid")
        ('npz:/data/tiny.npz', 'valid', None)
    """
    head, _, last = spec.rpartition(":")
    if last.isdigit():
        name, _, split = head.rpartition(":")
        index = int(last)
    else:
        name, split, index = head, last, None
    if not (name and split):
        raise ValueError(f"{spec!r} is no image file, nor DATASET:SPLIT or DATASET:SPLIT:INDEX "
                         "(e.g. binarized_mnist:valid).")
    return name, split, index
