"""``--init_from``: a run started from a zoo entry's (or a run's) weights, whose card continues
its history."""

import dataclasses
import json

import keras
import numpy as np
import pytest
from test_case import tiny_entry

import pixel_zoo as pz
from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.provenance import parent as parent_lib
from pixel_zoo.provenance import segments as provenance
from pixel_zoo.training import ConfigError, initialization, optimizer, run_setup, train
from pixel_zoo.zoo import registry
from trainers import publishing


@pytest.fixture
def parent_entry(tmp_path, monkeypatch):
    """A 2-step run published as zoo entry ``tiny_parent`` and registered; its config."""
    return tiny_entry(tmp_path, monkeypatch, "tiny_parent")


def test_a_run_from_a_zoo_entry_starts_at_its_weights_and_continues_its_history(
        parent_entry, tmp_path):
    entry, parent_config = parent_entry
    # With dropout, which the entry did not train with: it adds no weights.
    config = dataclasses.replace(parent_config, model_dir=str(tmp_path / "child"),
                                 init_from="zoo:tiny_parent", warmup_steps=2, seed=1,
                                 dropout=0.25)
    model = pz.zoo.build_model(entry)
    parent = initialization.load_initial_weights(model, config)
    for loaded, packaged in zip(model.get_weights(), pz.zoo.load("tiny_parent").get_weights()):
        np.testing.assert_array_equal(loaded, packaged)
    assert parent["steps"] == 2 and parent["sha256"] == entry.sha256

    train(dataclasses.replace(config, train_steps=3))
    assert parent_lib.read_parent(config.model_dir)["init_from"] == "zoo:tiny_parent"
    child = publishing.publish(config.model_dir, "tiny_parent", "Child.", num_samples=1,
                               force=True)
    segments = child.training["history"]
    assert [(s["steps_from"], s["steps_to"]) for s in segments] == [(0, 2), (2, 5)]
    assert child.training["steps"] == 5 and child.training["init_from"] == "zoo:tiny_parent"
    assert child.hyperparameters["dropout"] == 0.25
    assert provenance.chain_problems(segments, 5) == []
    assert "--init_from=zoo:tiny_parent" in segments[1]["command"]
    assert "2 recorded invocations" in child.training["time"]


def test_a_run_from_another_run_brings_its_weights_and_whole_history(parent_entry, tmp_path):
    _, parent_config = parent_entry
    middle = dataclasses.replace(parent_config, model_dir=str(tmp_path / "middle"),
                                 init_from="zoo:tiny_parent", train_steps=3, seed=1)
    train(middle)
    config = dataclasses.replace(parent_config, model_dir=str(tmp_path / "child"),
                                 init_from=f"run:{middle.model_dir}", seed=2)
    model = pz.zoo.build_model(registry.get("tiny_parent"))
    parent = initialization.load_initial_weights(model, config)
    trained = model_dir_lib.load_model(middle.model_dir, use_ema=False)
    for loaded, expected in zip(model.get_weights(), trained.get_weights()):
        np.testing.assert_array_equal(loaded, expected)
    assert parent["init_from"] == "run:middle" and parent["steps"] == 5

    train(config)
    child = publishing.publish(config.model_dir, "tiny_parent", "Child.", num_samples=1,
                               force=True)
    segments = child.training["history"]
    assert [(s["steps_from"], s["steps_to"]) for s in segments] == [(0, 2), (2, 5), (5, 7)]
    assert child.training["init_from"] == "run:middle"
    assert "--init_from=run:$INIT_RUN_DIR " in segments[2]["command"]
    assert not any(folder in json.dumps(segments) for folder in ("/middle", "/child"))


def test_a_deeper_model_starts_from_an_entry_at_its_distribution(parent_entry, tmp_path):
    entry, parent_config = parent_entry
    config = dataclasses.replace(parent_config, model_dir=str(tmp_path / "deeper"),
                                 init_from="zoo:tiny_parent", num_layers=3)
    model = pz.models.build(entry.model, entry.image_shape, entry.num_levels,
                            **{**entry.hyperparameters, "num_layers": 3})
    parent = initialization.load_initial_weights(model, config)
    images = np.random.default_rng(0).integers(
        0, entry.num_levels, (4, *entry.image_shape)).astype(np.uint8)
    np.testing.assert_allclose(model.log_prob(images),
                               pz.zoo.load("tiny_parent").log_prob(images), rtol=1e-5)
    assert parent["steps"] == 2 and parent["init_from"] == "zoo:tiny_parent"


def test_a_deeper_runs_averages_start_at_the_weights_it_starts_from(parent_entry, tmp_path):
    _, parent_config = parent_entry
    config = dataclasses.replace(parent_config, model_dir=str(tmp_path / "deeper"),
                                 init_from="zoo:tiny_parent", num_layers=3, train_steps=1,
                                 ema=True)
    train_data = run_setup.load_split(config, "train")
    keras.utils.set_random_seed(config.seed)  # the new blocks' random weights, as the run's
    start = run_setup.build_model(config, train_data)
    initialization.load_initial_weights(start, config)
    train(config)
    trained, averaged = (model_dir_lib.load_model(config.model_dir, use_ema=use_ema)
                         for use_ema in (False, True))
    # One update, of momentum 0.1: a tenth of the weights it started from (the entry's, and
    # identity blocks), not of the model's random init.
    for first, weight, average in zip(start.trainable_variables, trained.trainable_variables,
                                      averaged.trainable_variables):
        np.testing.assert_allclose(average, 0.1 * first.numpy() + 0.9 * weight.numpy(),
                                   atol=1e-6)


def test_weights_that_do_not_fit_the_flags_are_refused_with_the_entry_sizes(parent_entry, tmp_path):
    _, parent_config = parent_entry
    other_size = dataclasses.replace(parent_config, model_dir=str(tmp_path / "wide"),
                                     init_from="zoo:tiny_parent", hidden_units=5)
    with pytest.raises(ConfigError, match=r"(?s)do not fit .*built with \{.*'hidden_units': 4"):
        train(other_size)
    other_family = dataclasses.replace(other_size, model="row_lstm", hidden_units=4)
    with pytest.raises(ConfigError, match="needs --model=pixelcnn"):
        train(other_family)
    with pytest.raises(ConfigError, match="No zoo model 'tiny_parnet'.*tiny_parent"):
        train(dataclasses.replace(other_size, init_from="zoo:tiny_parnet"))
    with pytest.raises(ConfigError, match="no such file"):
        train(dataclasses.replace(other_size, init_from=str(tmp_path / "missing.weights.h5")))
    with pytest.raises(ConfigError, match="run:.*not a training run"):
        train(dataclasses.replace(other_size, init_from=f"run:{tmp_path / 'missing'}"))
    with pytest.raises(ConfigError, match="run:.*needs --model=pixelcnn"):
        train(dataclasses.replace(other_family, init_from=f"run:{parent_config.model_dir}"))


def test_linear_warmup_scales_any_schedule_and_round_trips():
    warmup = optimizer.LinearWarmup(1e-3, warmup_steps=100)
    assert [round(float(warmup(step)), 8) for step in (0, 49, 99, 500)] == [1e-5, 5e-4, 1e-3, 1e-3]
    cosine = optimizer.LinearWarmup(
        keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=1000), 10)
    restored = optimizer.LinearWarmup.from_config(cosine.get_config())
    for step in (0, 5, 500, 1000):
        assert float(restored(step)) == pytest.approx(float(cosine(step)))
