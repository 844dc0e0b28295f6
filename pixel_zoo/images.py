"""Image grids: a batch of level-valued images tiled into one 8-bit picture, and saved as PNG.

Grids are scaled up (nearest neighbour) so small images can be seen: by default each image
becomes about 128 pixels wide (a 4x4 grid of 28x28 digits: 458x458), with a grey gutter
between and around the images.

Example:
    >>> samples = model.sample(16, seed=(1, 2))                # uint8 [16, 28, 28, 1] in {0, 1}
    >>> save_grid(samples, "/tmp/samples.png", num_levels=2)   # 4x4 grid, 458x458 pixels
    >>> save_grid(samples, "/tmp/small.png", num_levels=2, scale=1)   # 117x117
"""

import math
import os

import numpy as np
from PIL import Image


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
    levels = (images.astype(np.int32) * 255 // (num_levels - 1)).astype(np.uint8)
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


def save_grid(images, path, num_levels, columns=None, scale=None):
    """Writes `make_grid` of ``images`` to a PNG file (folders created); returns ``path``."""
    grid = make_grid(images, num_levels, columns, scale)
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
