r"""Writes a PNG grid of samples from a training run's latest checkpoint.

    python -m trainers.sample --model_dir=/tmp/runs/pixelcnn_mnist --num=16 --seed=1 \
        --out=/tmp/samples.png

A seed gives the same images every time. Runs with --ema sample with their moving-average
weights; a class-conditional run draws the classes 0, 1, 2, ... in turn.
"""

import os

import numpy as np
from absl import app, flags

from pixel_zoo import console, images, model_dir

_MODEL_DIR = flags.DEFINE_string("model_dir", None, "The training run's folder.")
_NUM = flags.DEFINE_integer("num", 16, "Images to sample.")
_SEED = flags.DEFINE_integer("seed", 0, "Random seed.")
_TEMPERATURE = flags.DEFINE_float("temperature", 1.0, "Logits are divided by it (1: the model).")
_OUT = flags.DEFINE_string("out", None, "The PNG file (default: MODEL_DIR/samples.png).")
_SCALE = flags.DEFINE_integer("scale", None, "Zoom of each pixel (default: images ~128 px wide).")
_USE_EMA = flags.DEFINE_bool("use_ema", True, "Use the EMA weights of a run trained with --ema.")
flags.mark_flag_as_required("model_dir")


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    model = model_dir.load_model(_MODEL_DIR.value, use_ema=_USE_EMA.value)
    labels = np.arange(_NUM.value) % model.num_classes if model.num_classes else None
    samples = model.sample(_NUM.value, seed=_SEED.value, temperature=_TEMPERATURE.value,
                           labels=labels)
    out = _OUT.value or os.path.join(_MODEL_DIR.value, "samples.png")
    print(images.save_grid(samples, out, model.num_levels, scale=_SCALE.value))


if __name__ == "__main__":
    console.run(main)
