"""Datasets from tensorflow-datasets (imported lazily: only this path needs it)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil

import numpy as np
from absl import logging

from pixel_zoo.data.image_data import ImageData
from pixel_zoo.data.splits import TEST, TRAIN, VALID, carve, resolve_split


class TfdsUnavailableError(Exception):
    """tensorflow-datasets could not provide a dataset (not installed, no internet, ...)."""


class TfdsNotPreparedError(TfdsUnavailableError):
    """tensorflow-datasets has not prepared a dataset, and downloading it was not asked for."""


class UnknownTfdsDatasetError(ValueError):
    """tensorflow-datasets has no dataset of that name."""


def load_tfds_split(name: str, split: str, num_levels: int = 256,
                    download: bool = True) -> ImageData:
    """Reads one split of a tensorflow-datasets image dataset into memory.

    "valid" reads the dataset's ``validation`` split if it has one; else it is the last
    10,000 images of ``train`` and "train" the rest (`pixel_zoo.data.splits.carve`), as
    for MNIST and Fashion-MNIST. "test" reads ``test``, for final figures only. The image
    feature must be ``image``; labels are read from a ``label`` feature when there is one
    (with its class names). With ``download``, the dataset is downloaded and prepared in
    tfds' own data dir (``$TFDS_DATA_DIR`` or ``~/tensorflow_datasets``) on first use; a log
    line says so before it starts, and what a failed attempt leaves (partial downloads,
    ``*.tmp.*`` and ``*.incomplete*``, and the folders it made) is removed. Without it, only
    a copy prepared before is read.

    Args:
        name: tfds name, optionally with config and version, e.g. ``"downsampled_imagenet/32x32"``.
        split: "train", "valid" or "test" (see above).
        num_levels: intensity levels of the images (2 for ``binarized_mnist``).
        download: whether to download and prepare the dataset if it is not prepared.

    Returns:
        ImageData for the split.

    Raises:
        UnknownTfdsDatasetError: tfds has no dataset ``name`` (a ValueError).
        ValueError: an unknown split, or no ``image`` feature.
        TfdsNotPreparedError: without ``download``, tfds has not prepared the dataset.
        TfdsUnavailableError: tfds failed to import, download or prepare the dataset; the
            message carries tfds' error.

    Example:
        >>> d = load_tfds_split("cifar10", "valid")  # doctest: +SKIP
        >>> d.images.shape, d.class_names[0]  # doctest: +SKIP
        ((10000, 32, 32, 3), 'airplane')
    """
    resolve_split(name, split, has_test=True)  # reject junk before any download
    try:
        import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel
    except ImportError as err:
        raise TfdsUnavailableError(
            f"cannot import tensorflow_datasets ({err}); install it with "
            "pip install 'pixel_zoo[tfds]'") from err
    try:
        builder = tfds.builder(name)
    except tfds.core.DatasetNotFoundError as err:
        raise UnknownTfdsDatasetError(f"tensorflow-datasets has no dataset {name!r}") from err
    features = builder.info.features
    if "image" not in features:
        raise ValueError(f"{name}: tfds dataset has no 'image' feature (it has {list(features)})")
    root = tfds_data_dir()
    if download:
        logging.warning("Preparing %r with tensorflow-datasets in %s (downloads it the first "
                        "time; offline, it retries for minutes: stop it and use a local copy "
                        "instead).", name, root)
        partial_before, folders_before = set(partial_downloads(root)), set(_folders(root))
        try:
            builder.download_and_prepare()
        except Exception as err:  # tfds raises many kinds (network, missing extras, ...)
            # Only this attempt's leftovers: partial files, then the folders it made if empty.
            _remove(set(partial_downloads(root)) - partial_before)
            _remove_if_empty(set(_folders(root)) - folders_before)
            raise TfdsUnavailableError(f"{type(err).__name__}: {err}") from err
    elif not builder.is_prepared():
        raise TfdsNotPreparedError(f"tensorflow-datasets has not prepared {name!r} in {root}, "
                                   "and download=False")
    splits = builder.info.splits
    split = resolve_split(name, split, has_test="test" in splits)
    carved = split != TEST and "validation" not in splits
    source = {TRAIN: "train", VALID: "validation", TEST: "test"}[TRAIN if carved else split]
    arrays = tfds.as_numpy(builder.as_dataset(split=source, batch_size=-1))
    labels, class_names = None, None
    if "label" in features:
        labels = arrays["label"].astype(np.int32)
        class_names = tuple(getattr(features["label"], "names", None) or ()) or None
    data = ImageData(arrays["image"].astype(np.uint8), labels, num_levels, class_names)
    return data.subset(carve(split, len(data.images))) if carved else data


def tfds_data_dir() -> str:
    """tensorflow-datasets' data folder: ``$TFDS_DATA_DIR``, else ``~/tensorflow_datasets``."""
    return os.environ.get("TFDS_DATA_DIR") or os.path.expanduser("~/tensorflow_datasets")


def is_prepared(name: str) -> bool:
    """Whether tfds' data folder holds a prepared copy of ``name`` (a ``dataset_info.json``
    under ``<folder>/<name>/``), found without importing tensorflow-datasets.

    Example:
        >>> is_prepared("mnist"), is_prepared("downsampled_imagenet/32x32")  # doctest: +SKIP
        (True, False)
    """
    folder = os.path.join(tfds_data_dir(), *name.replace(":", "/").split("/"))
    infos = glob.glob(os.path.join(glob.escape(folder), "**", "dataset_info.json"),
                      recursive=True)
    return any(".incomplete" not in info for info in infos)


def _folders(root):
    """Every folder under ``root``, and ``root`` itself if it exists."""
    return [path for path, _, _ in os.walk(root)]


def _remove_if_empty(folders):
    for folder in sorted(folders, reverse=True):  # a folder's subfolders first
        with contextlib.suppress(OSError):
            os.rmdir(folder)  # fails, as wanted, on a folder that is not empty


def _remove(paths):
    for path in sorted(paths):  # a folder before its contents
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.exists(path):
            os.remove(path)


def partial_downloads(root: str) -> list[str]:
    """The unfinished files and folders tfds leaves under ``root`` when a download fails."""
    patterns = ("**/*.tmp.*", "**/*.incomplete*")
    return [path for pattern in patterns
            for path in glob.glob(os.path.join(root, pattern), recursive=True)]
