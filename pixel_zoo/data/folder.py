"""Folders of image files (PNG/JPEG), decoded once with PIL and cached as arrays."""

from __future__ import annotations

import logging
import os
import time

import numpy as np
from PIL import Image, UnidentifiedImageError

from pixel_zoo.data import cache
from pixel_zoo.data.image_data import ImageData
from pixel_zoo.data.splits import TRAIN, resolve_split

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")
_CHANNELS = {"L": 1, "RGB": 3}  # supported PIL modes -> channels
_MODE_NAMES = {1: "grayscale (L)", 3: "RGB"}
_VALID_EVERY = 10  # image i (in sorted order) is in "valid" iff i % 10 == 0

_log = logging.getLogger(__name__)


def load_folder_split(name: str, root: str, split: str) -> ImageData:
    """Reads one split of a folder of images.

    Layouts: ``root/<class>/*.{png,jpg,jpeg}`` (labels index the sorted class folder names) or
    flat ``root/*.{png,jpg,jpeg}`` (no labels). Files starting with "." are ignored. Images are
    ordered by class folder, then file name; "valid" is every 10th image in that order
    (index % 10 == 0) and "train" is the rest ("test" is not accepted: a folder has no test
    split). All images must share one size and one mode, grayscale (L) or RGB; ``num_levels``
    is 256. The decoded arrays are cached (see :mod:`pixel_zoo.data.cache`) under the absolute
    path plus a fingerprint (file count, total size, newest mtime), so later calls skip decoding.

    Args:
        name: dataset name, for messages.
        root: the image folder.
        split: "train" or "valid".

    Returns:
        ImageData with images ``[N, H, W, C]`` (C = 1 or 3), labels and class names for the
        class-folder layout.

    Raises:
        FileNotFoundError: ``root`` is not a folder.
        ValueError: unknown split; an empty folder; a non-image or undecodable file; mixed
            image sizes or modes; loose files beside class folders. The message names a file.

    Example:
        >>> root = "/work/shared/data/cifar10_jpeg/train"
        >>> d = load_folder_split("cifar10_jpeg", root, "valid")  # doctest: +SKIP
        >>> d.images.shape, len(d.class_names)  # doctest: +SKIP
        ((5000, 32, 32, 3), 10)
    """
    split = resolve_split(name, split, has_test=False)
    images, labels, class_names = _load_folder(name, os.path.abspath(root))
    in_split = np.arange(len(images)) % _VALID_EVERY == 0
    if split == TRAIN:
        in_split = ~in_split
    return ImageData(images, labels, num_levels=256, class_names=class_names).subset(in_split)


def _load_folder(name, root):
    """Returns (images, labels or None, class_names or None) for the whole folder, cached."""
    paths, labels, class_names, fingerprint = _scan(name, root)
    cache_path = cache.cache_file(root, fingerprint)
    cached = cache.load(cache_path)
    if cached is not None and len(cached.get("images", ())) == len(paths):
        return cached["images"], labels, class_names
    start = time.perf_counter()
    images = _decode_all(name, paths)
    _log.info("%s: decoded %d images from %s in %.1f s", name, len(images), root,
              time.perf_counter() - start)
    cache.save(cache_path, {"images": images})
    return images, labels, class_names


def _scan(name, root):
    """Lists the image files in sorted order, with their labels and the folder's fingerprint."""
    if not os.path.isdir(root):
        raise FileNotFoundError(f"{name}: no image folder {root}")
    entries = _visible_entries(root)
    class_dirs = [e for e in entries if e.is_dir()]
    if class_dirs:
        loose = [e.path for e in entries if not e.is_dir()]
        if loose:
            raise ValueError(f"{name}: {root} mixes class folders with loose files, "
                             f"e.g. {loose[0]}")
        groups = [_image_files(name, d.path, _visible_entries(d.path)) for d in class_dirs]
        class_names = tuple(d.name for d in class_dirs)
    else:
        groups = [_image_files(name, root, entries)]
        class_names = None
    files = [f for group in groups for f in group]
    if not files:
        raise ValueError(f"{name}: no images in {root} (expected <class>/*.png|jpg|jpeg or "
                         "*.png|jpg|jpeg)")
    labels = None if class_names is None else np.repeat(
        np.arange(len(groups), dtype=np.int32), [len(g) for g in groups])
    stats = [f.stat() for f in files]
    fingerprint = (f"n={len(files)} size={sum(s.st_size for s in stats)} "
                   f"mtime={max(s.st_mtime_ns for s in stats)}")
    return [f.path for f in files], labels, class_names, fingerprint


def _visible_entries(directory):
    with os.scandir(directory) as it:
        return sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)


def _image_files(name, directory, entries):
    for entry in entries:
        if entry.is_dir():
            raise ValueError(f"{name}: unexpected folder {entry.path} (images must sit directly "
                             f"in {directory})")
        if not entry.name.lower().endswith(IMAGE_EXTENSIONS):
            raise ValueError(f"{name}: {entry.path} is not an image file (expected "
                             f"{', '.join(IMAGE_EXTENSIONS)})")
    return entries


def _decode_all(name, paths):
    """Decodes every file into one uint8 [N, H, W, C] array; all must match the first."""
    images = None
    for i, path in enumerate(paths):
        image = _decode(name, path)
        if images is None:
            images = np.empty((len(paths),) + image.shape, np.uint8)
        elif image.shape != images.shape[1:]:
            raise ValueError(
                f"{name}: " + _mismatch(path, image.shape, paths[0], images.shape[1:]))
        images[i] = image
    return images


def _decode(name, path):
    try:
        with Image.open(path) as im:
            if im.mode not in _CHANNELS:
                raise ValueError(f"{name}: {path} has unsupported image mode {im.mode!r} "
                                 f"(supported: {', '.join(_CHANNELS)}); convert it first")
            return np.asarray(im).reshape(im.height, im.width, _CHANNELS[im.mode])
    except (UnidentifiedImageError, OSError) as err:
        raise ValueError(f"{name}: {path} cannot be decoded as an image: {err}") from err


def _mismatch(path, shape, ref_path, ref_shape):
    if shape[2] != ref_shape[2]:
        return (f"mixed image modes: {path} is {_MODE_NAMES[shape[2]]} but {ref_path} is "
                f"{_MODE_NAMES[ref_shape[2]]}; convert the images to one mode")
    return (f"mixed image sizes: {path} is {shape[1]}x{shape[0]} but {ref_path} is "
            f"{ref_shape[1]}x{ref_shape[0]} (width x height)")
