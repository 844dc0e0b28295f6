"""Parameter count and training-step time of every family at the papers' sizes.

Run (takes a few minutes on 2 CPU cores; the CIFAR-size Diagonal BiLSTM dominates):

    python bench/model_sizes.py --batch_size 16 --steps 5

Prints one row per (family, preset): parameters, and the median wall time of
one Adam step (forward, backward, update; compiled with `tf.function`) on a
random batch, after one warm-up step.
"""

import time

import numpy as np
import tensorflow as tf
from absl import app, flags

import pixel_zoo as pz
from pixel_zoo.models import presets

_BATCH_SIZE = flags.DEFINE_integer("batch_size", 16, "Images per step.")
_STEPS = flags.DEFINE_integer("steps", 5, "Timed steps per model (after one warm-up).")
_MODELS = flags.DEFINE_list("models", pz.models.model_names(), "Families to measure.")

SETTINGS = [  # (preset, image_shape, num_levels)
    ("paper_mnist", (28, 28, 1), 2),
    ("paper_cifar10", (32, 32, 3), 256),
]


def step_seconds(model, images, steps):
    """Median seconds of one compiled Adam step on ``images``."""
    optimizer = tf.keras.optimizers.Adam(1e-3)

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            loss = -tf.reduce_mean(model.log_prob(images))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    train_step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        train_step().numpy()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main(argv):
    del argv
    print(f"| model | preset | image | params | step (s), batch {_BATCH_SIZE.value} |")
    print("|---|---|---|---|---|")
    for preset, image_shape, num_levels in SETTINGS:
        for name in _MODELS.value:
            if preset not in presets.preset_names(name):
                continue
            model = pz.models.build(name, image_shape, num_levels, preset=preset)
            rng = np.random.default_rng(0)
            images = tf.constant(
                rng.integers(0, num_levels, (_BATCH_SIZE.value, *image_shape)), tf.uint8
            )
            seconds = step_seconds(model, images, _STEPS.value)
            shape = "x".join(map(str, image_shape))
            print(
                f"| {name} | {preset} | {shape}, {num_levels} levels | "
                f"{model.count_params():,} | {seconds:.3f} |",
                flush=True,
            )


if __name__ == "__main__":
    app.run(main)
