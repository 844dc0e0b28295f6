r"""Prints the negative log-likelihood of a training run's latest checkpoint on a split.

    python -m trainers.evaluate --model_dir=/tmp/runs/pixelcnn_mnist
    # valid: 92.41 nats/image, 0.1701 bits/dim over 10000 images

The dataset is the run's; the data folder is --data_dir, else $PIXEL_ZOO_DATA, else the
run's own. Runs with --ema are evaluated with their moving-average weights.
"""

import os

from absl import app, flags

from pixel_zoo import console, training

_MODEL_DIR = flags.DEFINE_string("model_dir", None, "The training run's folder.")
_SPLIT = flags.DEFINE_enum("split", "valid", ["train", "valid"], "The split to score.")
_DATA_DIR = flags.DEFINE_string("data_dir", os.environ.get("PIXEL_ZOO_DATA"),
                                "Folder of local dataset copies (default: $PIXEL_ZOO_DATA).")
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 64, "Images per batch.")
_EVAL_BATCHES = flags.DEFINE_integer("eval_batches", 0, "Batches to score; 0: the whole split.")
_USE_EMA = flags.DEFINE_bool("use_ema", True, "Use the EMA weights of a run trained with --ema.")
flags.mark_flag_as_required("model_dir")


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    result = training.evaluate_model_dir(
        _MODEL_DIR.value, _SPLIT.value, _DATA_DIR.value, _BATCH_SIZE.value,
        _EVAL_BATCHES.value, _USE_EMA.value,
    )
    print(f"{_SPLIT.value}: {result['nats']:.2f} nats/image, {result['bits_per_dim']:.4f} "
          f"bits/dim over {result['num_images']} images")


if __name__ == "__main__":
    console.run(main)
