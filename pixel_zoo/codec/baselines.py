"""What generic lossless codecs make of the same images: PNG, lossless WebP, bz2 and lzma.

Each is given its best chance: PNG and WebP one picture of all the images (a grid without
gutters; a 2-level image as a 1-bit PNG) and PNG also one file per image (what storing
images one by one costs), at their strongest settings; bz2 and lzma the pixels as bytes, a
2-level image's packed 8 to a byte.

Example:
    >>> sizes(digits, num_levels=2)
    {'PNG, one file per image': 28231, 'PNG, one picture': 7310, ...}   # bytes
"""

import bz2
import io
import lzma

import numpy as np
from PIL import Image

from pixel_zoo import images as images_lib


def _picture(images, num_levels):
    """``images`` as one PIL picture: a grid without gutters, 1-bit for 2 levels."""
    grid = images_lib.make_grid(images, num_levels, scale=1, gutter=0)
    picture = Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid)
    return picture.convert("1", dither=Image.Dither.NONE) if num_levels == 2 else picture


def _saved(picture, image_format, **options):
    buffer = io.BytesIO()
    picture.save(buffer, format=image_format, **options)
    return len(buffer.getvalue())


def _raw(images, num_levels):
    """The pixels as bytes, packed 8 to a byte for 2 levels."""
    pixels = np.ascontiguousarray(images, np.uint8)
    return np.packbits(pixels).tobytes() if num_levels == 2 else pixels.tobytes()


def sizes(images, num_levels):
    """Bytes each generic codec stores ``images`` (uint8 ``[N, H, W, C]``) in.

    Returns:
      ``{codec: bytes}``, in the order of the module docstring.

    Example:
        >>> sizes(np.zeros((2, 4, 4, 3), np.uint8), num_levels=256)["bz2"]
        39
    """
    images = np.asarray(images)
    png = {"image_format": "PNG", "optimize": True}
    raw = _raw(images, num_levels)
    return {
        "PNG, one file per image": sum(_saved(_picture(image[None], num_levels), **png)
                                       for image in images),
        "PNG, one picture": _saved(_picture(images, num_levels), **png),
        "lossless WebP, one picture": _saved(_picture(images, num_levels).convert(
            "L" if images.shape[-1] == 1 else "RGB"), "WEBP", lossless=True, quality=100,
            method=6),
        "bz2": len(bz2.compress(raw, 9)),
        "lzma": len(lzma.compress(raw, preset=9 | lzma.PRESET_EXTREME)),
    }
