"""Image grids: a batch of level-valued images tiled into one 8-bit picture, and saved as PNG.

Example:
    >>> samples = model.sample(16, seed=(1, 2))                # uint8 [16, 28, 28, 1] in {0, 1}
    >>> save_grid(samples, "/tmp/samples.png", num_levels=2)   # 4x4 grid, black and white
"""

import math
import os

import numpy as np
from PIL import Image


def make_grid(images, num_levels, columns=None, padding=1):
    """Tiles images into one uint8 picture, levels scaled to 0..255.

    Args:
      images: integers ``[N, H, W, C]`` in ``[0, num_levels)``, C 1 or 3 (numpy or tensor).
      num_levels: values per channel; level ``num_levels - 1`` becomes 255.
      columns: images per row (default: the smallest square that holds them).
      padding: pixels of black between and around the images.

    Returns:
      uint8 ``[rows * (H + padding) + padding, columns * (W + padding) + padding, C]``.
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or not len(images):
        raise ValueError(f"images must be [N, H, W, C] with N >= 1, C 1 or 3; got {images.shape}")
    if not 2 <= num_levels <= 256:
        raise ValueError(f"num_levels must be in [2, 256], got {num_levels}")
    count, height, width, channels = images.shape
    columns = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    scaled = (images.astype(np.int32) * 255 // (num_levels - 1)).astype(np.uint8)
    grid = np.zeros(
        (rows * (height + padding) + padding, columns * (width + padding) + padding, channels),
        np.uint8,
    )
    for index, image in enumerate(scaled):
        top = padding + (index // columns) * (height + padding)
        left = padding + (index % columns) * (width + padding)
        grid[top:top + height, left:left + width] = image
    return grid


def save_grid(images, path, num_levels, columns=None):
    """Writes `make_grid` of ``images`` to a PNG file (folders created); returns ``path``."""
    grid = make_grid(images, num_levels, columns)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid).save(path, format="PNG")
    return path


def read_image(path, image_shape, num_levels):
    """Reads a PNG/JPEG of exactly ``image_shape`` and quantizes 0..255 to ``num_levels`` levels.

    The inverse of `save_grid`'s scaling for a single image.

    Example:
        >>> digit = read_image("digit.png", (28, 28, 1), num_levels=2)   # uint8 [28, 28, 1]
    """
    height, width, channels = image_shape
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("L" if channels == 1 else "RGB"))
    if pixels.shape[:2] != (height, width):
        raise ValueError(
            f"{path} is {pixels.shape[1]}x{pixels.shape[0]} pixels; the model takes {width}x{height}."
        )
    levels = np.round(pixels.astype(np.float32) * (num_levels - 1) / 255.0).astype(np.uint8)
    return levels.reshape(image_shape)
