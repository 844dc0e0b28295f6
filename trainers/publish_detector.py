r"""Makes a zoo entry an OOD detector: its background model, measured AUROCs, and a plot.

Both entries must be published first (``trainers/publish.py``); the background model is
trained with ``--perturb_rate`` (see `pixel_zoo.ood`):

    python -m trainers.publish_detector --name=pixelcnn_fashion_mnist \
        --background=pixelcnn_fashion_mnist_background --in=fashion_mnist:test \
        --out=mnist:test --out=noise:uniform --out=cifar10_jpeg:valid \
        --data_dir=$PIXEL_ZOO_DATA
"""

import os

from absl import flags

from pixel_zoo import console
from trainers import publishing

_NAME = flags.DEFINE_string("name", None, "The in-distribution zoo entry.")
_BACKGROUND = flags.DEFINE_string("background", None, "The background model's zoo entry.")
_IN = flags.DEFINE_string("in", None, "In-distribution DATASET:SPLIT.")
_OUT = flags.DEFINE_multi_string("out", None, "Out-of-distribution DATASET:SPLIT or "
                                              "noise:uniform; repeatable.")
_DATA_DIR = flags.DEFINE_string("data_dir", os.environ.get("PIXEL_ZOO_DATA"),
                                "Local data folder (default: $PIXEL_ZOO_DATA).")
_NUM = flags.DEFINE_integer("num", None, "The first NUM images of each set (default: all).")
_REFERENCE = flags.DEFINE_string(
    "reference", None, "In-distribution DATASET:SPLIT the percentile score ranks against "
                       "(default: the training split of --in's dataset).")
_REFERENCE_NUM = flags.DEFINE_integer("reference_num", 10000,
                                      "The first REFERENCE_NUM images of --reference.")
flags.mark_flags_as_required(["name", "background", "in", "out"])


def main(argv):
    del argv
    entry = publishing.publish_detector(_NAME.value, _BACKGROUND.value, _IN.value, _OUT.value,
                                        _DATA_DIR.value, _NUM.value,
                                        reference_data=_REFERENCE.value,
                                        reference_num=_REFERENCE_NUM.value)
    print(entry.card())


if __name__ == "__main__":
    console.run(main)
