"""Zoo entries load only verified weights, and registered models load like packaged ones."""

import dataclasses
import pathlib

import numpy as np
import pytest
from test_case import tiny_model

import pixel_zoo as pz
from pixel_zoo.zoo import registry


@pytest.fixture
def registered(tmp_path):
    model = tiny_model("row_lstm", (4, 4, 1), num_levels=2)
    path = tmp_path / "mine.weights.h5"
    model.save_weights(path)
    entry = pz.zoo.ZooEntry(
        name="test_row_lstm", model="row_lstm", image_shape=(4, 4, 1), num_levels=2,
        hyperparameters={"num_layers": 2, "hidden_units": 6}, weights=str(path),
        sha256=pz.zoo.sha256_of(path), dataset="none",
    )
    pz.zoo.register(entry)
    return model, entry


def test_registered_model_loads_with_identical_outputs(registered):
    model, entry = registered
    loaded = pz.zoo.load(entry.name)
    images = np.random.default_rng(0).integers(0, 2, (3, 4, 4, 1)).astype(np.uint8)
    np.testing.assert_array_equal(loaded.log_prob(images), model.log_prob(images))
    assert entry.name in pz.zoo.list_models()
    assert "row_lstm" in pz.zoo.get(entry.name).card()


def test_corrupt_weights_are_refused(registered, tmp_path):
    _, entry = registered
    corrupt = tmp_path / "corrupt.weights.h5"
    corrupt.write_bytes(pathlib.Path(entry.weights).read_bytes()[:-10])
    pz.zoo.register(dataclasses.replace(entry, name="corrupt", weights=str(corrupt)))
    with pytest.raises(ValueError, match="does not match its sha256"):
        pz.zoo.load("corrupt")


def test_missing_weights_and_unknown_names_are_clear(registered, tmp_path):
    _, entry = registered
    pz.zoo.register(dataclasses.replace(entry, name="gone", weights=str(tmp_path / "no.h5")))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        pz.zoo.load("gone")
    with pytest.raises(ValueError, match="No zoo model 'nope'"):
        pz.zoo.load("nope")


def test_a_source_names_a_zoo_entry_only_with_the_zoo_prefix():
    assert registry.zoo_name("zoo:pixelcnn_binarized_mnist") == "pixelcnn_binarized_mnist"
    assert registry.zoo_name("zoo:") == ""  # an empty name, refused by `get` as unknown
    assert registry.zoo_name("runs/zoo:mine") is None
    assert registry.zoo_name("/tmp/mine.weights.h5") is None


def test_explicit_weights_path_overrides_the_packaged_file(registered, tmp_path):
    _, entry = registered
    other = tiny_model("row_lstm", (4, 4, 1), num_levels=2, seed=7)
    path = tmp_path / "other.weights.h5"
    other.save_weights(path)
    loaded = pz.zoo.load(entry.name, weights=path)
    images = np.zeros((1, 4, 4, 1), np.uint8)
    np.testing.assert_array_equal(loaded.log_prob(images), other.log_prob(images))


def test_a_file_that_is_not_a_weights_file_is_named_with_the_fix(registered, tmp_path):
    _, entry = registered
    text = tmp_path / "notes.weights.h5"  # h5py: "file signature not found"
    text.write_text("not weights")
    with pytest.raises(ValueError, match=rf"{entry.name}: {text} is not a weights file of this "
                                         r"model \(OSError: .*\)\. Pass weights= a \.weights\.h5"):
        pz.zoo.load(entry.name, weights=text)


@pytest.mark.parametrize("name", pz.zoo.list_models())
def test_every_packaged_model_loads_and_samples(name):
    entry = pz.zoo.get(name)
    model = pz.zoo.load(name)
    assert model.count_params() > 0
    labels = {"labels": [0, 1]} if entry.hyperparameters.get("num_classes") else {}
    samples = model.sample(2, seed=(1, 2), **labels)
    assert np.isfinite(np.asarray(model.log_prob(samples, **labels))).all()


@pytest.mark.parametrize("name", pz.zoo.list_models())
def test_every_packaged_card_names_folders_by_variable_not_machine_path(name):
    training = pz.zoo.get(name).training
    commands = [training.get("command", "")] + [
        segment["command"] for segment in training.get("history", [])]
    values = [flag.split("=", 1)[1] for command in commands for flag in command.split()
              if flag.startswith("--") and "=" in flag]
    paths = [value for value in values if value.split(":", 1)[-1].startswith(("/", "~"))]
    assert not paths, paths  # e.g. --model_dir=/work/runs/x, --init_from=run:/work/runs/y
