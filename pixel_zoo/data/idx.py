"""IDX files (the MNIST distribution format): a parser and the MNIST-layout split reader."""

from __future__ import annotations

import glob
import gzip
import os

import numpy as np

from pixel_zoo.data.image_data import ImageData
from pixel_zoo.data.splits import TEST, carve, resolve_split

# IDX type code (third magic byte) -> big-endian numpy dtype.
_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str) -> np.ndarray:
    """Reads an IDX file (gzipped if the name ends in ``.gz``) into a numpy array.

    The header is checked: magic ``00 00 <type> <ndim>`` with a known type code, then ``ndim``
    big-endian uint32 dimensions, and exactly ``prod(dims)`` items of data after it.

    Args:
        path: the ``.idx*-ubyte`` or ``.idx*-ubyte.gz`` file.

    Returns:
        The array, with the file's shape and a native-endian dtype (uint8 for MNIST files).

    Raises:
        ValueError: the file is not valid IDX (bad magic, truncated header or data, bad gzip),
            naming the file.

    Example:
        >>> images = read_idx("mnist/t10k-images-idx3-ubyte.gz")  # doctest: +SKIP
        >>> images.shape  # doctest: +SKIP
        (10000, 28, 28)
    """
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as err:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"{path}: cannot read IDX file: {err}") from err
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _DTYPES or raw[3] == 0:
        raise ValueError(f"{path}: not an IDX file: bad magic number {raw[:4].hex() or '(empty)'} "
                         "(expected 0000<type><ndim>)")
    dtype, ndim = np.dtype(_DTYPES[raw[2]]), raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: IDX header truncated: {ndim} dimensions need {header} bytes, "
                         f"file has {len(raw)}")
    dims = tuple(int(n) for n in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    expected = header + int(np.prod(dims)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(
            f"{path}: IDX dimensions {dims} need {expected} bytes, file has {len(raw)}")
    return np.frombuffer(raw, dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))


def has_idx_files(directory: str) -> bool:
    """Whether ``directory`` holds any ``*-ubyte.gz`` file (then it is read as an IDX copy).

    Example:
        >>> has_idx_files("/work/shared/data/mnist")  # doctest: +SKIP
        True
    """
    return bool(glob.glob(os.path.join(glob.escape(directory), "*-ubyte.gz")))


def load_idx_split(name: str, directory: str, split: str) -> ImageData:
    """Reads one split of an MNIST-layout folder of IDX files.

    "train" is the first 50,000 images of ``train-images-idx3-ubyte.gz`` (with
    ``train-labels-idx1-ubyte.gz``), "valid" its last 10,000
    (`pixel_zoo.data.splits.carve`), and "test" the official test pair
    ``t10k-*``, for final figures only. Images are 8-bit, so ``num_levels`` is 256.

    Args:
        name: dataset name, for messages.
        directory: the folder holding the four ``*-ubyte.gz`` files.
        split: "train", "valid" or "test".

    Returns:
        ImageData with images ``[N, H, W, 1]`` and int32 labels.

    Raises:
        FileNotFoundError: a file of the pair is missing.
        ValueError: unknown split, malformed file, or images and labels that do not match.

    Example:
        >>> d = load_idx_split("mnist", "/work/shared/data/mnist", "valid")  # doctest: +SKIP
        >>> d.images.shape, d.labels.shape  # doctest: +SKIP
        ((10000, 28, 28, 1), (10000,))
    """
    split = resolve_split(name, split, has_test=True)
    prefix = "t10k" if split == TEST else "train"
    image_path = os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz")
    label_path = os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz")
    for path in (image_path, label_path):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{name}: {directory} has IDX files but no {path}")
    images, labels = read_idx(image_path), read_idx(label_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"{image_path}: expected uint8 images [N, H, W], got {images.dtype} "
                         f"{images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"{label_path}: expected {len(images)} labels [N], got shape "
                         f"{labels.shape}")
    data = ImageData(images[..., None], labels.astype(np.int32), num_levels=256)
    return data if split == TEST else data.subset(carve(split, len(images)))
