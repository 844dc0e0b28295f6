"""Numpy ``.npz`` archives holding whole splits as arrays."""

from __future__ import annotations

import os

import numpy as np

from pixel_zoo.data.image_data import ImageData
from pixel_zoo.data.splits import TEST, TRAIN, VALID, resolve_split


def load_npz_split(name: str, path: str, split: str) -> ImageData:
    """Reads one split of an ``.npz`` archive.

    "train" reads array ``train``, "test" array ``test``; "valid" reads ``valid``, or ``test``
    when the archive has no ``valid``. Labels come from an optional ``<key>_labels`` array, e.g.
    ``valid_labels``. Per-image 2-D arrays ``[N, H, W]`` get a channel axis. ``num_levels`` is 2
    when the largest value is <= 1, else 256.

    Args:
        name: dataset name, for messages.
        path: the ``.npz`` file.
        split: "train", "valid" or "test" (see above).

    Returns:
        ImageData for the split.

    Raises:
        FileNotFoundError: no such file.
        ValueError: unknown split, missing array, or arrays of the wrong dtype or shape.

    Example:
        >>> d = load_npz_split("bmnist", "binarized_mnist.npz", "valid")  # doctest: +SKIP
        >>> d.images.shape, d.num_levels  # doctest: +SKIP
        ((10000, 28, 28, 1), 2)
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{name}: no file {path}")
    with np.load(path, allow_pickle=False) as archive:
        keys = set(archive.files)
        has_test_only = VALID not in keys and TEST in keys
        split = resolve_split(name, split, has_test=TEST in keys)
        key = TEST if split == VALID and has_test_only else split
        if key not in keys:
            wanted = "'valid' or 'test'" if split == VALID else f"'{TRAIN}'"
            raise ValueError(f"{name}: {path} has no array {wanted}; it has {sorted(keys)}")
        images = archive[key]
        labels = archive[f"{key}_labels"] if f"{key}_labels" in keys else None
    if images.ndim == 3:
        images = images[..., None]
    if images.dtype.kind not in "biu" or images.ndim != 4 or images.size == 0 \
            or images.min() < 0 or images.max() > 255:
        raise ValueError(f"{name}: array '{key}' in {path} must be an integer array of values in "
                         f"[0, 255], shaped [N, H, W] or [N, H, W, C]; got {images.dtype} "
                         f"{images.shape}")
    num_levels = 2 if images.max() <= 1 else 256
    if labels is not None:
        if not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"{name}: array '{key}_labels' in {path} must be integer, got "
                             f"{labels.dtype}")
        labels = labels.astype(np.int32)
    return ImageData(images.astype(np.uint8), labels, num_levels=num_levels)
