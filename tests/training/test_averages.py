"""The moving averages of the weights (`pixel_zoo.averages`): the momentum formula in the train
step under 1 and 2 replicas and a LossScaleOptimizer's skipped steps, the numbers of the
optimizer that kept them before, checkpoints, `load_model`, and runs from before them."""

import dataclasses
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from test_case import tiny_model

from pixel_zoo import averages as averages_lib
from pixel_zoo import model_dir, optimizers
from pixel_zoo.averages import WeightAverages
from pixel_zoo.training import ConfigError, TrainConfig, train
from pixel_zoo.training.train_step import make_train_step

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def momentum(averaging, t):
    """The momentum of update ``t`` (0 at the first), as the averages' docstring gives it."""
    return (1 + t) / (2 + t) if averaging == "uniform" else min(0.999, (1 + t) / (10 + t))


def train_and_average(strategy, averaging, make_optimizer, steps=8, before_step=None):
    """A tiny pixelcnn trained ``steps`` steps by `make_train_step` under ``strategy``.

    Returns the largest gap between its averages and the formula applied in numpy to the
    weights after each update, the optimizer's ``iterations`` after each step, and
    whether every device holds the same averages, and (`WeightAverages.swapped_in`) the
    averages as its weights, then its trained weights again.
    """
    config = TrainConfig(model_dir="unused", batch_size=4, ema=True, averaging=averaging)
    with strategy.scope():
        model = tiny_model("pixelcnn", (4, 4, 1), num_levels=2)
        optimizer = make_optimizer()
        optimizer.build(model.trainable_variables)
        averages = WeightAverages(model, averaging)
        step = tf.Variable(0, dtype=tf.int64)
    images = np.random.default_rng(0).integers(0, 2, (16, 4, 4, 1)).astype(np.uint8)
    batches = iter(strategy.experimental_distribute_dataset(
        tf.data.Dataset.from_tensor_slices(images).batch(4, drop_remainder=True).repeat()))
    train_step = make_train_step(strategy, model, optimizer, step, config, averages=averages)
    expected = [weight.numpy() for weight in model.trainable_variables]
    gap, iterations = 0.0, []
    for index in range(steps):
        if before_step:
            before_step(index, optimizer)
        train_step(batches)
        iterations.append(int(optimizer.iterations.numpy()))
        if iterations[-1] > (iterations[-2] if index else 0):  # not skipped
            rate = momentum(averaging, iterations[-1] - 1)
            expected = [rate * average + (1 - rate) * weight.numpy()
                        for average, weight in zip(expected, model.trainable_variables)]
        gap = max(gap, *(np.max(np.abs(average.numpy() - value))
                         for average, value in zip(averages.averages, expected)))
    trained = values(model.trainable_variables)
    with averages.swapped_in():
        swapped = on_every_device(strategy, model.trainable_variables, values(averages.averages))
    agree = (on_every_device(strategy, averages.averages, values(averages.averages)) and swapped
             and on_every_device(strategy, model.trainable_variables, trained))
    return float(gap), iterations, agree


def values(variables):
    return [variable.numpy() for variable in variables]


def on_every_device(strategy, variables, expected):
    """Whether each device's copy of each variable equals its ``expected`` value."""
    return all(np.array_equal(copy.numpy(), value)
               for variable, value in zip(variables, expected)
               for copy in strategy.experimental_local_results(
                   variable.value if isinstance(variable, keras.Variable) else variable))


@pytest.mark.parametrize("averaging", ["exponential", "uniform"])
def test_the_train_step_averages_follow_the_formula(averaging):
    gap, iterations, agree = train_and_average(tf.distribute.get_strategy(), averaging,
                                               lambda: keras.optimizers.Adam(0.05))
    assert iterations == list(range(1, 9)) and agree
    assert gap < 1e-6  # the weights move by ~0.05 a step: an update off by one is 1e-2 off


def test_steps_a_loss_scale_optimizer_skips_leave_the_averages_and_their_count_alone():
    def overflow(index, optimizer):  # an infinite loss scale: non-finite gradients
        if index in (3, 4, 5):
            optimizer.dynamic_scale.assign(np.inf if index < 5 else 2.0 ** 15)

    gap, iterations, _ = train_and_average(
        tf.distribute.get_strategy(), "exponential",
        lambda: keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(0.05)),
        steps=10, before_step=overflow)
    assert iterations == [1, 2, 3, 3, 3, 4, 5, 6, 7, 8]
    assert gap < 1e-6


_REPLICAS = """
import json, sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
sys.path[:0] = ["tests", "tests/training"]
import keras
from test_averages import train_and_average
results = {}
for averaging in ("exponential", "uniform"):
    gap, iterations, agree = train_and_average(
        tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]), averaging,
        lambda: keras.optimizers.Adam(0.05), steps=5)
    results[averaging] = [gap, iterations[-1], agree]
print(json.dumps(results))
"""


def test_two_replicas_keep_the_formula_and_the_same_averages():
    # Logical CPUs must be set before TensorFlow starts: a process of its own.
    result = subprocess.run([sys.executable, "-c", _REPLICAS], capture_output=True, text=True,
                            timeout=300, cwd=ROOT, check=False,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(result.stdout.splitlines()[-1])
    assert set(results) == {"exponential", "uniform"}
    for name, (gap, iterations, agree) in results.items():
        assert gap < 1e-6 and iterations == 5 and agree, (name, gap, iterations, agree)


def dense_layer():
    layer = keras.layers.Dense(2)
    layer.build((None, 2))
    layer.kernel.assign([[1.0, -2.0], [0.5, 3.0]])
    layer.bias.assign([0.25, -0.75])
    return layer


# The averages of commit 50b0d44's AdamWithEMAWarmup (Keras's use_ema, its momentum set in
# Keras's private _update_model_variables_moving_average), started at the weights, on
# dense_layer() after the six updates of the test below.
OLD_OPTIMIZERS_AVERAGES = {
    "exponential": [[[2.6982016563415527, -1.2998546361923218],
                     [-0.2989438474178314, 0.45214760303497314]],
                    [1.9482011795043945, -0.049854591488838196]],
    "uniform": [[[2.1488847732543945, -1.2718055248260498],
                 [0.39723190665245056, 1.5788217782974243]],
                [1.398884654045105, -0.021805554628372192]],
}


@pytest.mark.parametrize("averaging", ["exponential", "uniform"])
def test_the_averages_are_the_old_optimizers(averaging):
    layer = dense_layer()
    adam = keras.optimizers.Adam(0.5)
    averages = WeightAverages(layer, averaging)
    for step in range(6):
        adam.apply_gradients(
            (tf.reshape(tf.range(tf.size(weight), dtype=tf.float32), weight.shape) + step - 2.5,
             weight) for weight in layer.trainable_variables)
        averages.update(adam.iterations)
    for average, old in zip(averages.averages, OLD_OPTIMIZERS_AVERAGES[averaging]):
        np.testing.assert_array_equal(average.numpy(), np.float32(old))


def trained_with_averages(averaging="exponential"):
    """A tiny model, its Adam and averages after three updates of random gradients."""
    model = tiny_model("pixelcnn", (4, 4, 1), num_levels=2)
    adam = keras.optimizers.Adam(0.1)
    averages = WeightAverages(model, averaging)
    rng = np.random.default_rng(0)
    for _ in range(3):
        adam.apply_gradients((rng.normal(size=weight.shape).astype(np.float32), weight)
                             for weight in model.trainable_variables)
        averages.update(adam.iterations)
    return model, adam, averages


def test_swapped_in_uses_the_averages_then_restores_the_weights():
    model, _, averages = trained_with_averages()
    trained = values(model.trainable_variables)
    with averages.swapped_in():
        for weight, average in zip(values(model.trainable_variables), values(averages.averages)):
            np.testing.assert_array_equal(weight, average)
    assert not np.allclose(values(averages.averages)[0], trained[0])
    for weight, value in zip(values(model.trainable_variables), trained):
        np.testing.assert_array_equal(weight, value)
    averages.start()
    for average, value in zip(values(averages.averages), trained):
        np.testing.assert_array_equal(average, value)
    with pytest.raises(ValueError, match="averaging must be one of"):
        WeightAverages(model, "mean")


def save_run(run_dir, model, optimizer, averages, training):
    """A run folder holding ``model``'s config and one checkpoint (step 3)."""
    model_dir.write_config(run_dir, model, optimizer, dataset="npz:x", training=training)
    tf.train.CheckpointManager(
        model_dir.make_checkpoint(model, optimizer, tf.Variable(3, dtype=tf.int64), averages),
        model_dir.checkpoint_dir(run_dir), 1,
    ).save(checkpoint_number=3)


def test_averages_survive_a_checkpoint_keyed_by_weight_path(tmp_path):
    model, adam, averages = trained_with_averages("uniform")
    save_run(str(tmp_path), model, adam, averages, {"ema": True})
    names = {name for name, _ in tf.train.list_variables(
        model_dir.latest_checkpoint(str(tmp_path)))}
    for weight in model.trainable_variables:
        key = weight.path.replace(".", "..").replace("/", ".S")
        assert f"averages/{key}/.ATTRIBUTES/VARIABLE_VALUE" in names, weight.path
    fresh = tiny_model("pixelcnn", (4, 4, 1), num_levels=2, seed=1)
    restored = WeightAverages(fresh, "uniform")
    assert not np.allclose(values(restored.averages)[0], values(averages.averages)[0])
    model_dir.restore_newest(model_dir.make_checkpoint(fresh, averages=restored), str(tmp_path),
                             expect_partial=True)
    for average, saved in zip(values(restored.averages), values(averages.averages)):
        np.testing.assert_array_equal(average, saved)


def test_load_model_returns_the_averages_or_the_trained_weights(tmp_path):
    model, adam, averages = trained_with_averages()
    save_run(str(tmp_path), model, adam, averages, {"ema": True})
    loaded = model_dir.load_model(str(tmp_path))
    assert type(loaded) is type(model)
    for weight, average in zip(values(loaded.trainable_variables), values(averages.averages)):
        np.testing.assert_array_equal(weight, average)
    raw = model_dir.load_model(str(tmp_path), use_ema=False)
    for weight, trained in zip(values(raw.trainable_variables), values(model.trainable_variables)):
        np.testing.assert_array_equal(weight, trained)


def test_a_run_from_before_loads_its_averages_and_is_not_resumed(tmp_path):
    # Before pixel_zoo.averages, AdamWithEMAWarmup kept them (Keras's use_ema), and
    # config.json names it.
    model = tiny_model("pixelcnn", (4, 4, 1), num_levels=2)
    adam = optimizers.AdamWithEMAWarmup(0.1, use_ema=True, averaging="exponential")
    rng = np.random.default_rng(0)
    for _ in range(3):
        adam.apply_gradients((rng.normal(size=weight.shape).astype(np.float32), weight)
                             for weight in model.trainable_variables)
    config = TrainConfig(model_dir=str(tmp_path), ema=True, data_dir="unused")
    save_run(str(tmp_path), model, adam, None, dataclasses.asdict(config))
    trained = values(model.trainable_variables)
    adam.finalize_variable_values(model.trainable_variables)
    for weight, average in zip(values(model_dir.load_model(str(tmp_path)).trainable_variables),
                               values(model.trainable_variables)):
        np.testing.assert_array_equal(weight, average)
    raw = model_dir.load_model(str(tmp_path), use_ema=False)
    np.testing.assert_array_equal(values(raw.trainable_variables)[0], trained[0])
    with pytest.raises(ConfigError, match="trained with --ema by an older pixel_zoo.*"
                                          "--init_from=run:"):
        train(config)
    float16 = keras.optimizers.LossScaleOptimizer(adam)  # --mixed_precision's
    assert averages_lib.kept_in_optimizer(
        {"optimizer": keras.saving.serialize_keras_object(float16)})
    today = {"optimizer": keras.saving.serialize_keras_object(
        keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam()))}
    assert not averages_lib.kept_in_optimizer(today)
