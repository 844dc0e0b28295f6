r"""Packages a training run as a zoo model: weights, measured card, sample grids.

    python -m trainers.publish --model_dir=/work/zoo_runs/pixelcnn_binarized_mnist \
        --name=pixelcnn_binarized_mnist --description="PixelCNN, 8 residual blocks, h=32."

It refuses to replace an entry that scores better on validation unless ``--force``.
``--redraw`` draws a published entry's sample and completion grids again from its
packaged weights (no run needed), as publishing draws them today:

    python -m trainers.publish --name=pixelcnn_binarized_mnist --redraw \
        --data_dir=$PIXEL_ZOO_DATA
"""

from absl import flags

from pixel_zoo import console
from pixel_zoo.zoo import publishing

_MODEL_DIR = flags.DEFINE_string("model_dir", None, "The finished training run.")
_NAME = flags.DEFINE_string("name", None, "Zoo name: <model>_<data>.")
_DESCRIPTION = flags.DEFINE_string(
    "description", None, "One paragraph for the model card (default: the current entry's).")
_DATA_DIR = flags.DEFINE_string("data_dir", None, "Local data folder (default: the run's).")
_FORCE = flags.DEFINE_bool("force", False,
                           "Replace the entry even where it scores better on validation.")
_REDRAW = flags.DEFINE_bool("redraw", False,
                            "Only draw the published entry's figures again from its weights.")
flags.mark_flags_as_required(["name"])
flags.register_multi_flags_validator(
    ["model_dir", "redraw"], lambda values: values["model_dir"] or values["redraw"],
    message="--model_dir is required (only --redraw goes without a run).")


def main(argv):
    del argv
    if _REDRAW.value:
        publishing.redraw_figures(_NAME.value, _DATA_DIR.value)
        return
    entry = publishing.publish(
        _MODEL_DIR.value, _NAME.value, _DESCRIPTION.value, _DATA_DIR.value, force=_FORCE.value,
    )
    print(entry.card())


if __name__ == "__main__":
    console.run(main)
