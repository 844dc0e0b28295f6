"""Parameter count and training-step time of every family at the papers' sizes.

Run (takes a few minutes on 2 CPU cores; the CIFAR-size Diagonal BiLSTM dominates):

    python bench/model_sizes.py --batch_size 16 --steps 5

Prints one row per (family, preset): parameters, and the median wall time of
one Adam step (forward, backward, update; compiled with `tf.function`) on a
random batch, after one warm-up step.
"""

import numpy as np
import tensorflow as tf
from absl import app, flags

# bench/training.py, beside this script: its step timer and its --models, --batch_size and
# --steps flags.
from training import step_seconds

import pixel_zoo as pz
from pixel_zoo.models import presets

FLAGS = flags.FLAGS

SETTINGS = [  # (preset, image_shape, num_levels)
    ("paper_mnist", (28, 28, 1), 2),
    ("paper_cifar10", (32, 32, 3), 256),
]


def main(argv):
    del argv
    print(f"| model | preset | image | params | step (s), batch {FLAGS.batch_size} |")
    print("|---|---|---|---|---|")
    for preset, image_shape, num_levels in SETTINGS:
        for name in FLAGS.models:
            if preset not in presets.preset_names(name):
                continue
            model = pz.models.build(name, image_shape, num_levels, preset=preset)
            rng = np.random.default_rng(0)
            images = tf.constant(
                rng.integers(0, num_levels, (FLAGS.batch_size, *image_shape)), tf.uint8
            )
            seconds = step_seconds(
                lambda: -tf.reduce_mean(model.log_prob(images)),  # noqa: B023
                model.trainable_variables, tf.keras.optimizers.Adam(1e-3), FLAGS.steps,
            )
            shape = "x".join(map(str, image_shape))
            print(
                f"| {name} | {preset} | {shape}, {num_levels} levels | "
                f"{model.count_params():,} | {seconds:.3f} |",
                flush=True,
            )


if __name__ == "__main__":
    app.run(main)
