"""Training pieces that need no dataset: config, strategy flags, optimizer, model_dir, outputs."""

import dataclasses
import os

import numpy as np
import pytest
import tensorflow as tf
from absl import flags
from PIL import Image
from test_case import tiny_model

from pixel_zoo import images, model_dir
from pixel_zoo.progress import ProgressBar, ProgressLog
from pixel_zoo.training import (
    ConfigError,
    TrainConfig,
    make_strategy,
    optimizer,
    summaries,
)
from trainers import config_flags


def test_make_grid_tiles_and_scales_levels():
    batch = np.array([[[[0]]], [[[1]]], [[[2]]]], np.uint8)  # 3 images of 1x1x1
    grid = images.make_grid(batch, num_levels=3, scale=1, gutter=1)
    assert grid.shape == (5, 5, 1)  # a 2x2 grid of 1x1 images
    assert grid[1, 1, 0] == 0 and grid[1, 3, 0] == 128 and grid[3, 1, 0] == 255  # rounded


def test_default_grid_of_16_digits_is_about_500_pixels_with_grey_gutters():
    batch = np.ones((16, 28, 28, 1), np.uint8)
    grid = images.make_grid(batch, num_levels=2)
    assert grid.shape == (458, 458, 1)  # 4 images of 4 x 28 pixels + 5 gutters of 2
    assert (grid[:2] == images.GUTTER_LEVEL).all() and (grid[2:114, 2:114] == 255).all()
    assert (grid[2:114, 114:116] == images.GUTTER_LEVEL).all()
    assert images.make_grid(batch, num_levels=2, scale=2, gutter=0).shape == (224, 224, 1)
    with pytest.raises(ValueError, match="scale must be >= 1"):
        images.make_grid(batch, num_levels=2, scale=0)


def test_save_grid_writes_a_png(tmp_path):
    batch = np.ones((4, 3, 3, 3), np.uint8)
    path = images.save_grid(batch, str(tmp_path / "a" / "grid.png"), num_levels=2, scale=1)
    with Image.open(path) as picture:
        assert picture.format == "PNG" and picture.size == (9, 9) and picture.mode == "RGB"


@pytest.mark.parametrize("changes, message", [
    ({"model": "pixelcnnn"}, "Unknown model 'pixelcnnn'"),
    ({"batch_size": 0}, "batch_size must be at least 1"),
    ({"learning_rate": -1.0}, "learning_rate must be positive"),
    ({"lr_schedule": "linear"}, "lr_schedule must be one of"),
    ({"averaging": "mean"}, "averaging must be one of"),
    ({"averaging": "uniform"}, "averages the --ema weights: set ema too"),
    ({"distill_weight": 0.0}, r"distill_weight must be in \(0, 1\]"),
    ({"distill_weight": 0.5}, "weighs the teacher of distill_from: set it too"),
    ({"distill_from": "zoo:x", "class_conditional": True}, "trains an unconditional model"),
    ({"model_dir": ""}, "model_dir is required"),
    ({"time_limit_minutes": -1.0}, "time_limit_minutes must be >= 0"),
    ({"logistic_mixtures": -1}, "logistic_mixtures must be at least 0"),
    ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
    ({"mixed_precision_dtype": "float8"}, "mixed_precision_dtype must be one of"),
])
def test_train_config_rejects_bad_settings(changes, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(**{"model_dir": "/tmp/run", **changes})


def test_train_config_flags_come_from_its_fields():
    values = flags.FlagValues()
    config_flags.define_flags(TrainConfig, defaults={"data_dir": "/data"}, flag_values=values)
    for field in dataclasses.fields(TrainConfig):  # an enum's help starts with its choices
        assert values[field.name].help.endswith(field.metadata["help"]), field.name
    values(["train", "--model_dir=/tmp/run"])
    assert TrainConfig.from_flags(values) == TrainConfig(model_dir="/tmp/run", data_dir="/data")
    values.unparse_flags()
    values(["train", "--model_dir=/tmp/run", "--model=row_lstm", "--num_layers=3", "--ema",
            "--dropout=0.1", "--lr_schedule=cosine", "--eval_minutes=5,10", "--data_dir=/other"])
    assert TrainConfig.from_flags(values) == TrainConfig(
        model_dir="/tmp/run", model="row_lstm", num_layers=3, ema=True, dropout=0.1,
        lr_schedule="cosine", eval_minutes=(5.0, 10.0), data_dir="/other")
    for command_line, message in [([], "--model_dir must have a value"),
                                  (["--model_dir=/tmp/run", "--lr_schedule=linear"],
                                   "--lr_schedule=linear: value should be one of")]:
        values.unparse_flags()
        with pytest.raises(flags.IllegalFlagValueError, match=message):
            values(["train", *command_line])


@pytest.mark.parametrize("name, cpu_replicas, message", [
    ("parameter_server", 0, "Unknown strategy"),
    ("multi_worker", 2, "cpu_replicas works with"),
    ("auto", -1, "cpu_replicas must be >= 0"),
])
def test_make_strategy_rejects_bad_settings_before_touching_devices(name, cpu_replicas, message):
    with pytest.raises(ConfigError, match=message):
        make_strategy(name, cpu_replicas)


def test_clipping_bounds_the_global_norm():
    grads = [tf.constant([3.0, 0.0]), tf.constant([4.0])]  # global norm 5
    clipped = optimizer.clip_by_global_batch_norm(grads, clip_norm=1.0)
    assert np.isclose(float(tf.linalg.global_norm(clipped)), 1.0)
    scaled = optimizer.clip_by_global_batch_norm([g * 8.0 for g in grads], 1.0, loss_scale=8.0)
    assert np.isclose(float(tf.linalg.global_norm(scaled)), 8.0)  # still times the loss scale
    assert optimizer.clip_by_global_batch_norm(grads, clip_norm=0.0) is grads
    assert optimizer.clip_by_global_batch_norm([None, *grads], clip_norm=1.0)[0] is None


def test_model_dir_without_config_or_checkpoint_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a pixel_zoo training run"):
        model_dir.load_model(str(tmp_path))
    model_dir.write_config(str(tmp_path), tiny_model("pixelcnn", (4, 4, 1), num_levels=2))
    with pytest.raises(FileNotFoundError, match="holds no checkpoint"):
        model_dir.load_model(str(tmp_path))


def test_summaries_round_trip_scalars_and_write_images(tmp_path):
    writers = summaries.SummaryWriters(str(tmp_path))
    writers.scalars("train", 1, {"nats": 2.5, "learning_rate": 1e-3})
    writers.scalars("train", 2, {"nats": 1.5})
    writers.image("valid", 2, "samples", np.zeros((5, 5, 1), np.uint8))
    writers.close()
    scalars = summaries.read_scalars(str(tmp_path / "train"))
    assert scalars["nats"] == [(1, 2.5), (2, 1.5)]
    assert np.isclose(scalars["learning_rate"][0][1], 1e-3)
    assert os.listdir(tmp_path / "valid")
    assert summaries.read_scalars(str(tmp_path / "valid")) == {}


def test_progress_log_averages_an_interval():
    progress = ProgressLog(batch_size=10, train_steps=100, image_shape=(2, 2, 1))
    progress.record([3.0, 1.0], seconds=0.5)
    metrics = progress.flush(step=2)
    assert metrics["nats"] == 2.0 and metrics["images_per_sec"] == 40.0
    assert np.isclose(metrics["bits_per_dim"], 2.0 / (4 * np.log(2.0)))



def test_progress_bar_shows_steps_and_images_per_sec_and_is_off_unless_on_a_terminal(capsys):
    assert not ProgressBar(10).enabled  # pytest captures the output: not a terminal
    ProgressLog(batch_size=8, train_steps=4, image_shape=(2, 2, 1)).advance(1)
    assert capsys.readouterr().out == ""
    bar = ProgressBar(4, enabled=True)
    for step in range(1, 5):
        bar.update(step, {"images_per_sec": 640.0, "nats": 120.0})
    out = capsys.readouterr().out
    assert "4/4" in out and "step" in out and "images_per_sec: 640.0000" in out, out
