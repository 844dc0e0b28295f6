r"""Packages a training run as a zoo model: weights, measured card, sample grids.

    python -m trainers.publish --model_dir=/work/zoo_runs/pixelcnn_binarized_mnist \
        --name=pixelcnn_binarized_mnist --description="PixelCNN, 8 residual blocks, h=32."

It replaces an entry only where the run is better on the same validation images by more
than noise (the 95% interval of the paired per-image improvement lies above zero, printed
and stored in the card), unless ``--force``.
``--redraw`` draws a published entry's sample and completion grids again from its
packaged weights (no run needed), as publishing draws them today:

    python -m trainers.publish --name=pixelcnn_binarized_mnist --redraw \
        --data_dir=$PIXEL_ZOO_DATA

``--measure_subset`` measures a published entry's figure on the first 100 validation images
from its packaged weights and writes it into its card (CI scores every card's again).
"""

from absl import flags

from pixel_zoo import console
from trainers import publishing

_MODEL_DIR = flags.DEFINE_string("model_dir", None, "The finished training run.")
_NAME = flags.DEFINE_string("name", None, "Zoo name: <model>_<data>.")
_DESCRIPTION = flags.DEFINE_string(
    "description", None, "One paragraph for the model card (default: the current entry's).")
_DATA_DIR = flags.DEFINE_string("data_dir", None, "Local data folder (default: the run's).")
_FORCE = flags.DEFINE_bool("force", False,
                           "Replace the entry even where the run is not better by more than noise.")
_REDRAW = flags.DEFINE_bool("redraw", False,
                            "Only draw the published entry's figures again from its weights.")
_MEASURE_SUBSET = flags.DEFINE_bool(
    "measure_subset", False, "Only measure the published entry's validation-subset figure.")
flags.mark_flags_as_required(["name"])
flags.register_multi_flags_validator(
    ["model_dir", "redraw", "measure_subset"],
    lambda values: values["model_dir"] or values["redraw"] or values["measure_subset"],
    message="--model_dir is required (only --redraw and --measure_subset go without a run).")


def main(argv):
    del argv
    if _REDRAW.value:
        publishing.redraw_figures(_NAME.value, _DATA_DIR.value)
        return
    if _MEASURE_SUBSET.value:
        print(publishing.measure_subset(_NAME.value, _DATA_DIR.value))
        return
    entry = publishing.publish(
        _MODEL_DIR.value, _NAME.value, _DESCRIPTION.value, _DATA_DIR.value, force=_FORCE.value,
    )
    print(entry.card())


if __name__ == "__main__":
    console.run(main)
