"""Training speed: images/sec of one Adam step for every family and for tfd.PixelCNN.

Run (about 3 minutes on 2 CPU cores):

    python bench/training.py

Prints one markdown table: parameters, the median wall time of one training
step (forward, backward, Adam update, compiled with `tf.function`) after a
warm-up step, images per second, and the speed relative to the reference,
``tfd.PixelCNN(image_shape=(28, 28, 1), num_resnet=1, num_hierarchies=2,
num_filters=32, high=1)``. The models take their timed steps in turns, one step
each per round, so that a busy stretch of the machine slows all alike. The data is random binary noise shaped like
binarized MNIST (28x28x1, 2 levels): throughput does not depend on the values.
The families use their ``paper_mnist`` presets (7 layers, h=16), and PixelCNN++,
which has no MNIST paper model, its ``peer_size`` one (1 block per resolution, 2
resolutions, 43 filters, 5 logistics: the reference's size).

    python bench/training.py --models=pixelcnn_pp      # PixelCNN++ against the reference
    python bench/training.py --dtype_policies=float32,mixed_bfloat16   # also in bfloat16
    python bench/training.py --results=bench/results/speed_training.json   # docs/benchmarks.md
"""

import os
import time

import keras
import numpy as np
import report  # bench/report.py
import tensorflow as tf
import tensorflow_probability as tfp
import tf_keras
from absl import app, flags

import pixel_zoo as pz

_MODELS = flags.DEFINE_list("models", pz.models.model_names(), "Families to measure.")
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 32, "Images per step.")
_STEPS = flags.DEFINE_integer(
    "steps", 10, "Timed steps per model (after one warm-up), one of each model in turn.")
_SKIP_TFP = flags.DEFINE_boolean("skip_tfp", False, "Leave out tfd.PixelCNN.")
_DTYPE_POLICIES = flags.DEFINE_list(
    "dtype_policies", ["float32"],
    "Keras dtype policies to measure each family under, e.g. float32,mixed_bfloat16 "
    "(`--mixed_precision --mixed_precision_dtype=bfloat16` in trainers.train).")

IMAGE_SHAPE = (28, 28, 1)
PRESETS = {"pixelcnn_pp": "peer_size"}  # Else "paper_mnist".


def compiled_step(loss_fn, variables, optimizer):
    """A `tf.function` Adam step minimising ``loss_fn()`` over ``variables``, run once
    (compiled and warmed up)."""

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            loss = loss_fn()
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    train_step()
    return train_step


def median_seconds(train_steps, rounds):
    """Median seconds of each of ``train_steps``, timed round-robin (one step of each per
    round), so that a slow stretch of a shared machine weighs on all of them alike."""
    times = [[] for _ in train_steps]
    for _ in range(rounds):
        for train_step, record in zip(train_steps, times):
            start = time.perf_counter()
            train_step().numpy()
            record.append(time.perf_counter() - start)
    return [float(np.median(record)) for record in times]


def step_seconds(loss_fn, variables, optimizer, steps):
    """Median seconds of one compiled step minimising ``loss_fn()`` over ``variables``."""
    return median_seconds([compiled_step(loss_fn, variables, optimizer)], steps)[0]


def count(variables):
    return sum(int(np.prod(variable.shape)) for variable in variables)


REFERENCE = "tfd.PixelCNN (reference)"


def contestants(images):
    """``(name, params, compiled step)``: the reference (unless skipped), then each family
    under each dtype policy."""
    if not _SKIP_TFP.value:
        reference = tfp.distributions.PixelCNN(
            image_shape=IMAGE_SHAPE, num_resnet=1, num_hierarchies=2, num_filters=32, high=1
        )
        float_images = tf.cast(images, tf.float32)
        reference.log_prob(float_images[:1])  # Creates the variables.
        variables = reference.trainable_variables
        yield REFERENCE, count(variables), compiled_step(
            lambda: -tf.reduce_mean(reference.log_prob(float_images)), variables,
            tf_keras.optimizers.Adam(1e-3),
        )
    for name in _MODELS.value:
        for policy in _DTYPE_POLICIES.value:
            model = pz.models.build(name, IMAGE_SHAPE, 2, preset=PRESETS.get(name, "paper_mnist"),
                                    dtype_policy=policy)
            label = name if policy == "float32" else f"{name} ({policy})"
            yield label, model.count_params(), compiled_step(
                lambda model=model: -tf.reduce_mean(model.log_prob(images)),
                model.trainable_variables, keras.optimizers.Adam(1e-3),
            )


def main(argv):
    del argv
    tf.get_logger().setLevel("ERROR")  # Retracing notes for each new model and batch size.
    batch_size, steps = _BATCH_SIZE.value, _STEPS.value
    images = tf.constant(
        np.random.default_rng(0).integers(0, 2, (batch_size, *IMAGE_SHAPE)), tf.uint8
    )
    print(
        f"TensorFlow {tf.__version__}, {os.cpu_count()} CPU cores (shared: expect noise), "
        f"batch {batch_size}, median of {steps} steps of each, taken in turns.\n"
    )
    table = report.Table(f"Training: one Adam step at batch {batch_size}", [
        "| model | params | step (s) | images/s | vs tfd.PixelCNN |", "|---|---|---|---|---|"])
    names, params, train_steps = zip(*contestants(images))
    seconds = median_seconds(train_steps, steps)
    reference_seconds = seconds[0] if names[0] == REFERENCE else None
    for name, count, step_seconds in zip(names, params, seconds):
        relative = f"{reference_seconds / step_seconds:.2f}x" if reference_seconds else "n/a"
        table.add(f"| {name} | {count:,} | {step_seconds:.3f} | {batch_size / step_seconds:.0f} "
                  f"| {relative} |")
    table.save()


if __name__ == "__main__":
    app.run(main)
