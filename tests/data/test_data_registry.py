import logging
import sys
import time
import types

import numpy as np
import pytest

from pixel_zoo import data
from pixel_zoo.data import registry, tfds_source
from pixel_zoo.data.splits import UnknownSplitError
from pixel_zoo.data.tfds_source import TfdsUnavailableError, UnknownTfdsDatasetError


def test_dataset_names():
    names = data.dataset_names()
    assert {"binarized_mnist", "mnist", "fashion_mnist", "cifar10_jpeg", "cifar10"} <= set(names)
    assert "npz:PATH" in names and "folder:PATH" in names


def test_unknown_dataset_lists_names():
    with pytest.raises(ValueError, match=r"unknown dataset 'no_such_dataset_xyz': not one of "
                                         r"binarized_mnist, mnist"):
        data.load_split("no_such_dataset_xyz", "train")


def test_unknown_split_lists_valid_splits(tmp_path):
    np.savez(tmp_path / "binarized_mnist.npz", train=np.zeros((2, 3, 3), np.uint8),
             valid=np.zeros((1, 3, 3), np.uint8))
    with pytest.raises(ValueError, match=r"unknown split 'validation'; valid splits: 'train', "
                                         r"'valid' \('test' is held out\)$"):
        data.load_split("binarized_mnist", "validation", data_dir=str(tmp_path))
    with pytest.raises(UnknownSplitError, match="unknown split 'test'"):  # held out
        data.load_split("binarized_mnist", "test", data_dir=str(tmp_path))
    assert data.load_split("binarized_mnist", "valid", data_dir=str(tmp_path)).num_levels == 2


def _no_tfds(name, split, num_levels=256):
    raise AssertionError("tensorflow-datasets must not be tried")


@pytest.mark.parametrize("name", ["binarized_mnist", "mnist", "cifar10_jpeg"])
def test_a_missing_data_folder_fails_at_once_without_tfds(name, tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "load_tfds_split", _no_tfds)
    missing = tmp_path / "no_such_folder"
    start = time.perf_counter()
    with pytest.raises(FileNotFoundError) as err:
        data.load_split(name, "train", data_dir=str(missing))
    assert time.perf_counter() - start < 1.0
    assert f"the data folder {missing} does not exist" in str(err.value)
    assert "--data_dir, --data or $PIXEL_ZOO_DATA" in str(err.value)
    with pytest.raises(FileNotFoundError, match="the data folder is an empty path"):
        data.load_split(name, "train", data_dir="")  # --data "$PIXEL_ZOO_DATA", unset


def test_a_missing_local_copy_fails_at_once_without_tfds(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "load_tfds_split", _no_tfds)
    with pytest.raises(FileNotFoundError) as err:
        data.load_split("binarized_mnist", "train", data_dir=str(tmp_path))
    assert str(err.value).startswith(
        f"binarized_mnist: {tmp_path}/binarized_mnist.npz is missing. Put the copy there or "
        "point a data folder (--data_dir, --data or $PIXEL_ZOO_DATA) at the folder")
    with pytest.raises(FileNotFoundError, match=r"mnist: .*/mnist/\*-ubyte.gz is missing"):
        data.load_split("mnist", "train", data_dir=str(tmp_path))


def test_without_a_data_folder_tfds_is_tried_with_one_clear_error(monkeypatch):
    def unavailable(name, split, num_levels=256):
        raise TfdsUnavailableError("ConnectionError: no route to host")

    monkeypatch.setattr(registry, "load_tfds_split", unavailable)
    with pytest.raises(FileNotFoundError) as err:
        data.load_split("binarized_mnist", "train")
    assert str(err.value) == (
        "binarized_mnist: tensorflow-datasets could not load 'binarized_mnist' (no internet?): "
        "ConnectionError: no route to host. For a local copy, set a data folder (--data_dir, "
        "--data or $PIXEL_ZOO_DATA).")
    with pytest.raises(FileNotFoundError, match="cifar10: tensorflow-datasets could not load"):
        data.load_split("cifar10", "train")


def test_unknown_dataset_suggests_the_closest_name(monkeypatch):
    def unknown(name, split, num_levels=256):
        raise UnknownTfdsDatasetError(name)

    monkeypatch.setattr(registry, "load_tfds_split", unknown)
    with pytest.raises(ValueError, match="Did you mean 'binarized_mnist'"):
        data.load_split("binarized_mnst", "train")


def test_a_failed_tfds_download_says_so_first_and_removes_its_partial_files(
        tmp_path, monkeypatch, caplog):
    """A stand-in tensorflow_datasets module fails the way an offline download does."""
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    earlier = tmp_path / "downloads" / "other.tmp.1234"  # another process's download
    earlier.mkdir(parents=True)

    def download_and_prepare():
        (tmp_path / "downloads" / "url.tmp.5678").mkdir()
        (tmp_path / "downloads" / "url.tmp.5678" / "part").write_text("x")
        (tmp_path / "fake" / "1.0.0.incomplete3FX").mkdir(parents=True)
        raise ConnectionError("offline")

    builder = types.SimpleNamespace(info=types.SimpleNamespace(features={"image": None}),
                                    download_and_prepare=download_and_prepare)
    fake = types.SimpleNamespace(builder=lambda name: builder, core=types.SimpleNamespace(
        DatasetNotFoundError=LookupError))
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", fake)
    with caplog.at_level(logging.WARNING), pytest.raises(TfdsUnavailableError, match="offline"):
        tfds_source.load_tfds_split("fake", "train")
    assert f"Preparing 'fake' with tensorflow-datasets in {tmp_path}" in caplog.text
    assert tfds_source.partial_downloads(str(tmp_path)) == [str(earlier)]


def test_cifar10_jpeg_needs_its_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no image folder .*cifar10_jpeg/train"):
        data.load_split("cifar10_jpeg", "valid", data_dir=str(tmp_path))
    with pytest.raises(FileNotFoundError, match="needs a data folder"):
        data.load_split("cifar10_jpeg", "valid")
