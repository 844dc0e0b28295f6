"""Configs and `.keras` files round trip to the same model."""

import keras
import numpy as np
import pytest
from test_case import MODEL_NAMES, tiny_model

import pixel_zoo as pz


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_keras_file_round_trip_gives_identical_log_prob(name, tmp_path):
    model = tiny_model(name, (4, 5, 3), num_levels=5)
    images = np.random.default_rng(0).integers(0, 5, (3, 4, 5, 3)).astype(np.uint8)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(loaded.log_prob(images), model.log_prob(images))
    np.testing.assert_array_equal(loaded.sample(2, seed=1), model.sample(2, seed=1))


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_model_config_round_trip(name):
    # PixelCNN++ has no hidden output layer to size.
    sizes = {} if name == "pixelcnn_pp" else {"output_units": 10}
    model = tiny_model(name, (4, 4, 1), num_levels=2, **sizes)
    clone = type(model).from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    assert clone.count_params() == model.count_params()


def test_build_rejects_unknown_model():
    with pytest.raises(ValueError, match="Unknown model 'pixelcnnn'"):
        pz.models.build("pixelcnnn")


def test_presets_set_sizes_and_arguments_override_them():
    model = pz.models.build("row_lstm", image_shape=(4, 4, 1), num_levels=2, preset="cpu_small",
                            hidden_units=8)
    assert (model.num_layers, model.hidden_units) == (2, 8)
    with pytest.raises(ValueError, match="Unknown preset 'huge'"):
        pz.models.build("row_lstm", preset="huge")
