r"""Packages a finished training run as a zoo model: weights, measured card, sample grid.

    python -m trainers.publish --model_dir=/work/zoo_runs/pixelcnn_binarized_mnist \
        --name=pixelcnn_binarized_mnist --training_time="42 min, 2-core CPU" \
        --description="PixelCNN, 8 residual blocks, h=32."
"""

from absl import flags

from pixel_zoo import console
from pixel_zoo.zoo import publishing

_MODEL_DIR = flags.DEFINE_string("model_dir", None, "The finished training run.")
_NAME = flags.DEFINE_string("name", None, "Zoo name: <model>_<data>.")
_DESCRIPTION = flags.DEFINE_string("description", "", "One paragraph for the model card.")
_TRAINING_TIME = flags.DEFINE_string("training_time", "", "Wall time and machine, in words.")
_DATA_DIR = flags.DEFINE_string("data_dir", None, "Local data folder (default: the run's).")
_EMA = flags.DEFINE_bool("ema", True, "Package the run's EMA weights where it kept them.")
flags.mark_flags_as_required(["model_dir", "name"])


def main(argv):
    del argv
    entry = publishing.publish(
        _MODEL_DIR.value, _NAME.value, _DESCRIPTION.value, _TRAINING_TIME.value, _DATA_DIR.value,
        use_ema=_EMA.value,
    )
    print(entry.card())


if __name__ == "__main__":
    console.run(main)
