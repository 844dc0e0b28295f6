"""Dataset names and the dispatch from a name to the reader that loads it."""

from __future__ import annotations

import os

from pixel_zoo.data.folder import load_folder_split
from pixel_zoo.data.idx import has_idx_files, load_idx_split
from pixel_zoo.data.image_data import ImageData
from pixel_zoo.data.npz import load_npz_split
from pixel_zoo.data.splits import resolve_split
from pixel_zoo.data.tfds_source import (
    TfdsNotPreparedError,
    TfdsUnavailableError,
    UnknownTfdsDatasetError,
    is_prepared,
    load_tfds_split,
    tfds_data_dir,
)
from pixel_zoo.suggestions import did_you_mean

_NPZ, _FOLDER = "npz:", "folder:"
_IDX_DATASETS = ("mnist", "fashion_mnist")


def dataset_names() -> tuple[str, ...]:
    """The recognised dataset names, for flag help and error messages.

    Besides these, any tensorflow-datasets image dataset name is accepted (e.g.
    ``"downsampled_imagenet/32x32"``); ``npz:PATH`` and ``folder:PATH`` take a path.

    Example:
        >>> dataset_names()[:3]
        ('binarized_mnist', 'mnist', 'fashion_mnist')
    """
    return ("binarized_mnist", *_IDX_DATASETS, "cifar10_jpeg", "cifar10", _NPZ + "PATH",
            _FOLDER + "PATH")


def load_split(name: str, split: str, data_dir: str | None = None,
               download: bool = True) -> ImageData:
    """Loads one split of a dataset into memory.

    Names (with a ``data_dir``, the local copy must be there: a missing folder or file fails
    at once; without one, the tensorflow-datasets copy is read):

    * ``binarized_mnist``: ``data_dir/binarized_mnist.npz`` (arrays ``train``, ``valid``;
      ``num_levels=2``, no labels), else tfds ``binarized_mnist`` (train / validation).
    * ``mnist``, ``fashion_mnist``: the IDX files ``data_dir/<name>/*-ubyte.gz`` ("train" =
      the first 50,000 of ``train-*``, "valid" its last 10,000, "test" = ``t10k-*``), else
      tfds, split the same way; with labels, ``num_levels=256``.
    * ``cifar10_jpeg``: the image folder ``data_dir/cifar10_jpeg/train``, read as
      ``folder:``; "valid" is every 10th image (5,000), "train" the rest.
    * ``npz:PATH``: arrays ``train`` / ``valid`` (or ``test``) and optional ``<split>_labels``.
    * ``folder:PATH``: ``PATH/<class>/*.png|jpg|jpeg`` or ``PATH/*.png|jpg|jpeg``.
    * anything else (e.g. ``cifar10``, ``downsampled_imagenet/32x32``): tensorflow-datasets,
      ``num_levels=256``, labels if the dataset has a ``label`` feature.

    A tensorflow-datasets copy is downloaded and prepared (in ``$TFDS_DATA_DIR``, default
    ``~/tensorflow_datasets``) only with ``download=True``, the default here as in
    ``tfds.load``; offline, tfds retries for minutes before it fails. With
    ``download=False`` (the ``pixel-zoo`` command's default; its ``--download`` turns it
    on) only a copy tfds prepared before is read, and without one the error says at once
    where data was looked for and how to provide it.

    Splits are "train", "valid" and "test". Choose weights, settings and thresholds on
    "valid"; "test" is for final figures. Where a dataset has no validation split of its own
    (``mnist``, ``fashion_mnist``, tfds datasets without ``validation``), "valid" is the
    last 10,000 training images and "train" the rest. For ``binarized_mnist`` and
    ``cifar10_jpeg`` the test split is held out here and "test" is an error.

    Args:
        name: dataset name, see above and :func:`dataset_names`.
        split: "train", "valid" or "test" (see above).
        data_dir: folder holding local copies (e.g. ``/work/shared/data``); None skips local
            copies and reads tensorflow-datasets (``cifar10_jpeg`` then cannot be found).
        download: whether tensorflow-datasets may download a dataset it has not prepared.

    Returns:
        ImageData with uint8 images ``[N, H, W, C]``.

    Raises:
        FileNotFoundError: ``data_dir`` or the local copy in it is missing, or tfds could not
            provide the dataset; the message names what was looked for and the flags and
            variable that set it.
        ValueError: unknown dataset or split, or malformed files (the message names them).

    Example:
        >>> d = load_split("binarized_mnist", "train", "/work/shared/data")  # doctest: +SKIP
        >>> d.images.shape, d.num_levels  # doctest: +SKIP
        ((50000, 28, 28, 1), 2)
    """
    return _reader(name, split, data_dir, download)()


def check_split(name: str, split: str, data_dir: str | None = None,
                download: bool = True) -> None:
    """Raises as `load_split` would on a wrong name, split, folder or missing copy, reading
    no images (and importing neither TensorFlow nor tensorflow-datasets).

    Some problems only reading finds (a malformed file, an ``npz`` without the split's
    array) are left to `load_split`.

    Example:
        >>> check_split("binarized_mnist", "test", "/work/shared/data")  # doctest: +SKIP
        UnknownSplitError: binarized_mnist: unknown split 'test'; valid splits: 'train', ...
    """
    _reader(name, split, data_dir, download)


def _reader(name, split, data_dir, download):
    """The function that reads a split, after every check that needs no reading."""
    if name.startswith(_NPZ):
        resolve_split(name, split, has_test=True)  # whether it has "test", the file says
        path = name[len(_NPZ):]
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{name}: no file {path}")
        return lambda: load_npz_split(name, path, split)
    if name.startswith(_FOLDER):
        resolve_split(name, split, has_test=False)
        return lambda: load_folder_split(name, name[len(_FOLDER):], split)
    if data_dir is not None:
        _check_data_dir(data_dir)
    local = None if data_dir is None else os.path.join(data_dir, name)
    resolve_split(name, split, has_test=name != "cifar10_jpeg" and not (
        name == "binarized_mnist" and local is not None))
    if name == "cifar10_jpeg":
        if local is None:
            raise FileNotFoundError(f"cifar10_jpeg: needs {_DATA_DIR_SETTINGS} (it has no "
                                    "tensorflow-datasets fallback)")
        return lambda: load_folder_split(name, os.path.join(local, "train"), split)
    if name == "binarized_mnist" and local is not None:
        if not os.path.isfile(local + ".npz"):
            raise FileNotFoundError(_no_local_copy(name, local + ".npz"))
        return lambda: load_npz_split(name, local + ".npz", split)
    if name in _IDX_DATASETS and local is not None:
        if not has_idx_files(local):
            raise FileNotFoundError(_no_local_copy(name, os.path.join(local, "*-ubyte.gz")))
        return lambda: load_idx_split(name, local, split)
    if not download and not is_prepared(name):
        raise _not_downloaded(name)
    return lambda: _from_tfds(name, split, 2 if name == "binarized_mnist" else 256, download)


_DATA_DIR_SETTINGS = "a data folder (--data_dir, --data or $PIXEL_ZOO_DATA)"


def _check_data_dir(data_dir):
    """Fails at once on a data folder that is not there (an unset variable, a typo)."""
    if not data_dir:
        raise FileNotFoundError(f"the data folder is an empty path: set {_DATA_DIR_SETTINGS} "
                                "to a folder, or leave it unset to use tensorflow-datasets.")
    if not os.path.isdir(data_dir):
        raise FileNotFoundError(f"the data folder {data_dir} does not exist; fix "
                                f"{_DATA_DIR_SETTINGS}, or leave it unset to use "
                                "tensorflow-datasets.")


def _no_local_copy(name, looked_for):
    return (f"{name}: {looked_for} is missing. Put the copy there or point "
            f"{_DATA_DIR_SETTINGS} at the folder that holds it; or leave it unset and download "
            "it with tensorflow-datasets (--download).")


_LOCAL_COPIES = {"binarized_mnist": "binarized_mnist.npz", "mnist": "mnist/*-ubyte.gz",
                 "fashion_mnist": "fashion_mnist/*-ubyte.gz"}


def _not_downloaded(name):
    """The error for a tfds dataset that is not prepared, where downloading was not asked for."""
    where = f"tensorflow-datasets has no copy in {tfds_data_dir()}"
    download = "pass --download (download=True) to download it with tensorflow-datasets"
    if name in _LOCAL_COPIES:
        return FileNotFoundError(
            f"{name}: no data folder is set and {where}. Point {_DATA_DIR_SETTINGS} at the "
            f"folder that holds {_LOCAL_COPIES[name]}, or {download}.")
    if name in dataset_names():
        return FileNotFoundError(f"{name}: {where}; {download}.")
    return ValueError(f"unknown dataset {name!r}: not one of {', '.join(dataset_names())} nor "
                      f"a tensorflow-datasets dataset in {tfds_data_dir()} (with --download, "
                      f"any tensorflow-datasets name).{did_you_mean(name, dataset_names())}")


def _from_tfds(name, split, num_levels, download):
    """Loads from tfds; a failure names the settings for a local copy."""
    try:
        return load_tfds_split(name, split, num_levels, download=download)
    except UnknownTfdsDatasetError as err:
        raise ValueError(f"unknown dataset {name!r}: not one of {', '.join(dataset_names())} "
                         f"nor a tensorflow-datasets name.{did_you_mean(name, dataset_names())}"
                         ) from err
    except TfdsNotPreparedError as err:  # is_prepared saw a copy that tfds does not take
        raise _not_downloaded(name) from err
    except TfdsUnavailableError as err:
        raise FileNotFoundError(f"{name}: tensorflow-datasets could not load {name!r} "
                                f"(no internet?): {err}. For a local copy, set "
                                f"{_DATA_DIR_SETTINGS}.") from err
