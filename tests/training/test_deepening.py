"""Deepening (and widening a PixelCNN++): a larger model starts from a trained one, computing
its distribution."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf
from test_case import tiny_zoo

import pixel_zoo as pz
from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.provenance import parent as parent_lib
from pixel_zoo.provenance import segments
from pixel_zoo.training import (
    ConfigError,
    TrainConfig,
    deepening,
    initialization,
    train,
)

SHAPE = (4, 4, 3)


def build(family, num_layers, hidden_units=4):
    return pz.models.build(family, SHAPE, 4, num_layers=num_layers, hidden_units=hidden_units)


def randomized(model, seed=0):
    """``model`` with every weight random: non-zero biases too, so nothing passes by luck."""
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        variable.assign(rng.normal(0.0, 0.3, variable.shape).astype(np.float32))
    return model


def random_images(image_shape, num=3, num_levels=4):
    return np.random.default_rng(1).integers(0, num_levels, (num, *image_shape)).astype(np.uint8)


@pytest.mark.parametrize("family", ["pixelcnn", "gated_pixelcnn", "row_lstm", "diagonal_bilstm"])
def test_extra_blocks_start_as_identities_and_then_learn(family):
    trained = randomized(build(family, 2))
    deeper = build(family, 4)

    assert deepening.copy_weights(deeper, trained) == 2

    images = random_images(SHAPE)
    np.testing.assert_allclose(deeper.log_prob(images), trained.log_prob(images), rtol=1e-5)
    new_weights = [v for v in deeper.trainable_weights if v.path.split("/")[1] in
                   {block.name for block in deeper.blocks[2:]}]
    with tf.GradientTape() as tape:
        loss = -tf.reduce_mean(deeper.log_prob(images))
    gradients = tape.gradient(loss, new_weights)
    # The zeroed output convolutions get gradients, so training grows the new blocks.
    assert max(float(tf.reduce_max(tf.abs(g))) for g in gradients if g is not None) > 0


def test_the_same_depth_copies_every_weight():
    trained, model = build("pixelcnn", 2), build("pixelcnn", 2)
    assert deepening.copy_weights(model, trained) == 0
    for copied, source in zip(model.get_weights(), trained.get_weights()):
        np.testing.assert_array_equal(copied, source)


def test_other_hyperparameters_fewer_blocks_and_other_families_are_refused():
    trained = build("pixelcnn", 2)
    with pytest.raises(ValueError, match=r"do not fit .*logits_stack/.* \(1, 1, 8, 8\) -> "
                                         r"\(1, 1, 8, 10\)"):
        deepening.copy_weights(pz.models.build("pixelcnn", SHAPE, 4, num_layers=2,
                                               hidden_units=4, output_units=10), trained)
    with pytest.raises(ValueError, match=r"a PixelCNN of 3-channel images splits features "
                                         r"into colour groups.* keeps its hidden_units "
                                         r"\(4, not 5\)"):
        deepening.copy_weights(build("pixelcnn", 2, hidden_units=5), trained)
    gray = (4, 4, 1)
    refused = {"pixelcnn": "before a ReLU", "diagonal_bilstm": "reads the image beside"}
    for family, reason in refused.items():
        narrow, wide = (pz.models.build(family, gray, 4, num_layers=1, hidden_units=units)
                        for units in (3, 5))
        with pytest.raises(ValueError, match=reason):
            deepening.copy_weights(wide, narrow)
    with pytest.raises(ValueError, match=r"hidden_units 4 -> 3 \(fewer\)"):
        deepening.copy_weights(build("pixelcnn", 2, hidden_units=3), trained)
    with pytest.raises(ValueError, match=r"block_1/.* -> none"):
        deepening.copy_weights(build("pixelcnn", 1), trained)
    with pytest.raises(ValueError, match="a PixelCNN cannot start a PixelRNN"):
        deepening.copy_weights(build("row_lstm", 2), trained)


@pytest.mark.parametrize("family", ["gated_pixelcnn", "row_lstm"])
def test_a_wider_grayscale_stack_starts_at_the_trained_distribution_and_learns(family):
    gray = (4, 4, 1)
    trained = randomized(pz.models.build(family, gray, 4, num_layers=1, hidden_units=3))
    wider = pz.models.build(family, gray, 4, num_layers=2, hidden_units=5)

    assert deepening.copy_weights(wider, trained) == 1

    images = random_images(gray)
    np.testing.assert_allclose(wider.log_prob(images), trained.log_prob(images), rtol=1e-5)
    # The trained block's first layer: its new output channels (3 and 4 of each block of
    # 5) start at zero and get gradients, so training grows them.
    first_kernel = wider.blocks[0].trainable_weights[0]
    new_outputs = np.arange(first_kernel.shape[-1]) % 5 >= 3
    assert not np.any(np.asarray(first_kernel)[..., new_outputs])
    with tf.GradientTape() as tape:
        loss = -tf.reduce_mean(wider.log_prob(images))
    gradient = tape.gradient(loss, first_kernel)
    assert float(tf.reduce_max(tf.abs(tf.boolean_mask(gradient, new_outputs, axis=3)))) > 0
    fast = np.asarray(wider.sample(3, seed=(1, 2)))
    np.testing.assert_array_equal(fast, wider.sample(3, seed=(1, 2), method="naive"))


def build_pixel_cnn_pp(channels, num_layers, hidden_units, **settings):
    """Odd sizes: three resolutions of 5, 3 and 2 rows."""
    return pz.models.build("pixelcnn_pp", (5, 5, channels), 4, num_layers=num_layers,
                           hidden_units=hidden_units, **{"num_hierarchies": 3, **settings})


GROWTH = {"deeper": (3, 4), "wider": (1, 6), "deeper_and_wider": (2, 7)}
SETTINGS = {"categorical": {}, "mixture": {"logistic_mixtures": 2},
            "weight_norm": {"logistic_mixtures": 2, "weight_norm": True},
            "class_conditional": {"num_classes": 3}}
GROWN = [*((channels, settings, "deeper_and_wider")
           for channels in (1, 3) for settings in SETTINGS),
         (1, "categorical", "deeper"), (3, "mixture", "deeper"), (1, "weight_norm", "wider"),
         (3, "class_conditional", "wider")]


@pytest.mark.parametrize("channels, settings, growth", GROWN)
def test_a_grown_pixel_cnn_pp_starts_at_the_trained_distribution(channels, settings, growth):
    trained = randomized(build_pixel_cnn_pp(channels, 1, 4, **SETTINGS[settings]))
    num_layers, hidden_units = GROWTH[growth]
    grown = build_pixel_cnn_pp(channels, num_layers, hidden_units, **SETTINGS[settings])

    # New down and up blocks, u and ul streams, on 3 resolutions.
    assert deepening.copy_weights(grown, trained) == 2 * 2 * 3 * (num_layers - 1)

    images = random_images(grown.image_shape)
    labels = np.array([0, 2, 1]) if grown.num_classes else None
    np.testing.assert_allclose(grown.log_prob(images, labels), trained.log_prob(images, labels),
                               rtol=1e-5)


@pytest.mark.parametrize("weight_norm", [False, True], ids=["plain", "weight_norm"])
def test_the_new_blocks_and_channels_of_a_grown_pixel_cnn_pp_learn(weight_norm):
    trained = randomized(build_pixel_cnn_pp(1, 1, 4, weight_norm=weight_norm))
    grown = build_pixel_cnn_pp(1, 2, 6, weight_norm=weight_norm)
    deepening.copy_weights(grown, trained)
    # The first up block is new; the u stream's first layer's features 4 and 5 are.
    zeroed = [grown.up_blocks[0].conv_out, grown.u_input]
    with tf.GradientTape() as tape:
        loss = -tf.reduce_mean(grown.log_prob(random_images(grown.image_shape)))
    gradients = tape.gradient(loss, [layer.scale if weight_norm else layer.kernel
                                     for layer in zeroed])
    assert float(tf.reduce_max(tf.abs(gradients[0]))) > 0
    assert float(tf.reduce_max(tf.abs(gradients[1][..., 4:]))) > 0


def test_a_grown_pixel_cnn_pp_samples_the_same_fast_and_naive():
    settings = {"logistic_mixtures": 2, "num_hierarchies": 2}
    trained = randomized(build_pixel_cnn_pp(3, 1, 4, **settings))
    grown = build_pixel_cnn_pp(3, 2, 6, **settings)
    deepening.copy_weights(grown, trained)
    fast = np.asarray(grown.sample(4, seed=(1, 2)))
    np.testing.assert_array_equal(fast, grown.sample(4, seed=(1, 2), method="naive"))


def test_a_pixel_cnn_pp_grows_only_in_layers_and_units():
    trained = build_pixel_cnn_pp(1, 2, 4)
    refused = {
        r"num_layers 2 -> 1 \(fewer\)": build_pixel_cnn_pp(1, 1, 4),
        r"hidden_units 4 -> 3 \(fewer\)": build_pixel_cnn_pp(1, 2, 3),
        r"num_hierarchies 3 -> 2": build_pixel_cnn_pp(1, 3, 4, num_hierarchies=2),
        r"weight_norm False -> True": build_pixel_cnn_pp(1, 2, 4, weight_norm=True),
        r"head CategoricalHead of 4 units -> LogisticMixtureHead": build_pixel_cnn_pp(
            1, 2, 4, logistic_mixtures=2),
        r"a PixelCNNPP cannot start a PixelCNN\.": pz.models.build("pixelcnn", (5, 5, 1), 4),
    }
    for message, model in refused.items():
        with pytest.raises(ValueError, match=message):
            deepening.copy_weights(model, trained)


def test_the_trainer_grows_a_pixel_cnn_pp_run_from_its_distribution(tmp_path, monkeypatch):
    run = TrainConfig(model_dir=str(tmp_path / "run"), model="pixelcnn_pp",
                      dataset=tiny_zoo(tmp_path, monkeypatch), num_layers=1, hidden_units=4,
                      batch_size=8, train_steps=2, eval_every=0, num_samples=0)
    train(run)
    grown = dataclasses.replace(run, model_dir=str(tmp_path / "grown"),
                                init_from=f"run:{run.model_dir}", num_layers=2, hidden_units=6,
                                train_steps=1, seed=1)
    model = pz.models.build("pixelcnn_pp", (6, 6, 1), 2, **grown.model_hyperparameters())
    assert initialization.load_initial_weights(model, grown)["steps"] == 2
    images = random_images(model.image_shape, num_levels=2)
    np.testing.assert_allclose(model.log_prob(images), model_dir_lib.load_model(
        run.model_dir, use_ema=False).log_prob(images), rtol=1e-5)

    train(grown)
    chain, steps = parent_lib.run_history(grown.model_dir)
    assert steps == 3 and segments.chain_problems(chain, steps) == []
    narrower = dataclasses.replace(grown, model_dir=str(tmp_path / "narrower"),
                                   init_from=f"run:{grown.model_dir}", hidden_units=4)
    with pytest.raises(ConfigError, match=r"do not fit .*hidden_units 6 -> 4 \(fewer\)"):
        train(narrower)
