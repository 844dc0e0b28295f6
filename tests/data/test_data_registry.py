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


def _no_tfds(name, split, num_levels=256, download=True):
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
    def unavailable(name, split, num_levels=256, download=True):
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
    def unknown(name, split, num_levels=256, download=True):
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
    assert not (tmp_path / "fake").exists()  # the attempt's folders, left empty, go too


def test_cifar10_jpeg_needs_its_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no image folder .*cifar10_jpeg/train"):
        data.load_split("cifar10_jpeg", "valid", data_dir=str(tmp_path))
    with pytest.raises(FileNotFoundError, match="needs a data folder"):
        data.load_split("cifar10_jpeg", "valid")


def _fake_tfds(monkeypatch, prepared):
    """A stand-in tensorflow_datasets whose one dataset, "fake", is prepared or not; returns
    the list of the names whose download was started."""
    downloads = []
    splits = {"train": None, "test": None}
    arrays = {"image": np.ones((12_000, 2, 2, 1), np.uint8), "label": np.zeros(12_000, int)}
    builder = types.SimpleNamespace(
        info=types.SimpleNamespace(features={"image": None}, splits=splits),
        is_prepared=lambda: prepared, download_and_prepare=lambda: downloads.append("fake"),
        as_dataset=lambda split, batch_size: arrays)
    fake = types.SimpleNamespace(builder=lambda name: builder, as_numpy=lambda arrays: arrays,
                                 core=types.SimpleNamespace(DatasetNotFoundError=LookupError))
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", fake)
    return downloads


def test_without_download_tfds_reads_only_a_prepared_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    downloads = _fake_tfds(monkeypatch, prepared=False)
    with pytest.raises(tfds_source.TfdsNotPreparedError, match="has not prepared 'fake'"):
        tfds_source.load_tfds_split("fake", "train", download=False)
    assert downloads == []
    tfds_source.load_tfds_split("fake", "train")  # download=True: the library's default
    assert downloads == ["fake"]
    downloads = _fake_tfds(monkeypatch, prepared=True)
    assert tfds_source.load_tfds_split("fake", "train", download=False).images.shape == (
        2_000, 2, 2, 1)  # the first 2,000 of 12,000: "valid" is the last 10,000
    assert downloads == []


def test_without_download_a_missing_copy_is_one_error_and_nothing_is_created(tmp_path,
                                                                            monkeypatch):
    # Offline, a download retries for minutes, and leaves folders in ~/tensorflow_datasets.
    root = tmp_path / "tensorflow_datasets"
    monkeypatch.setenv("TFDS_DATA_DIR", str(root))
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)  # importing it fails
    start = time.perf_counter()
    with pytest.raises(FileNotFoundError) as err:
        data.load_split("binarized_mnist", "valid", download=False)
    assert time.perf_counter() - start < 1.0
    assert str(err.value) == (
        f"binarized_mnist: no data folder is set and tensorflow-datasets has no copy in {root}. "
        "Point a data folder (--data_dir, --data or $PIXEL_ZOO_DATA) at the folder that holds "
        "binarized_mnist.npz, or pass --download (download=True) to download it with "
        "tensorflow-datasets.")
    with pytest.raises(FileNotFoundError, match="cifar10: tensorflow-datasets has no copy"):
        data.check_split("cifar10", "train", download=False)
    with pytest.raises(ValueError, match=r"unknown dataset 'binarized_mnst': .* Did you mean "
                                         r"'binarized_mnist'"):
        data.check_split("binarized_mnst", "train", download=False)
    assert not root.exists()


def test_a_copy_tfds_prepared_before_is_read_without_download(tmp_path, monkeypatch):
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    downloads = _fake_tfds(monkeypatch, prepared=True)
    (tmp_path / "fake" / "1.0.0").mkdir(parents=True)
    assert not tfds_source.is_prepared("fake")
    (tmp_path / "fake" / "1.0.0" / "dataset_info.json").write_text("{}")
    assert tfds_source.is_prepared("fake") and tfds_source.is_prepared("fake:1.0.0")
    assert len(data.load_split("fake", "test", download=False).images) == 12_000
    assert downloads == []


def test_check_split_reads_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "load_npz_split", lambda *args: pytest.fail("read"))
    np.savez(tmp_path / "binarized_mnist.npz", train=np.zeros((2, 3, 3), np.uint8))
    data.check_split("binarized_mnist", "valid", str(tmp_path))
    with pytest.raises(UnknownSplitError, match="'test' is held out"):
        data.check_split("binarized_mnist", "test", str(tmp_path))
    with pytest.raises(UnknownSplitError, match="unknown split 'tset'"):
        data.check_split("mnist", "tset", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="no file /nowhere.npz"):
        data.check_split("npz:/nowhere.npz", "train")
