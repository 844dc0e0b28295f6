"""Exports a trained or zoo model as a TF Serving SavedModel (EXPORT_DIR/MODEL_NAME/VERSION).

From the repository root:

    python -m export.export_saved_model --model_dir=/tmp/runs/pixelcnn_mnist \\
        --export_dir=/tmp/serving --model_name=pixelcnn_mnist --version=1
    python -m export.export_saved_model --zoo_model=pixelcnn_binarized_mnist \\
        --export_dir=/tmp/serving
"""

import os

from absl import app, flags

from pixel_zoo import export_lib, model_dir, zoo

_MODEL_DIR = flags.DEFINE_string(
    "model_dir", None, "A training run's folder: its config.json and latest checkpoint."
)
_ZOO_MODEL = flags.DEFINE_string("zoo_model", None, "A pretrained zoo model's name.")
_EXPORT_DIR = flags.DEFINE_string(
    "export_dir", None, "The folder TF Serving reads; the model goes to its MODEL_NAME/VERSION."
)
_MODEL_NAME = flags.DEFINE_string(
    "model_name", None, "The served name. Default: the zoo name or the model_dir's last folder."
)
_VERSION = flags.DEFINE_integer("version", 1, "The version number TF Serving sees.")
_MAX_NUM = flags.DEFINE_integer(
    "max_num", export_lib.DEFAULT_MAX_NUM, "The most images one `sample` request may ask for."
)
flags.mark_flags_as_mutual_exclusive(["model_dir", "zoo_model"], required=True)
flags.mark_flag_as_required("export_dir")


def main(argv):
    del argv  # Unused.
    if _ZOO_MODEL.value:
        model = zoo.load(_ZOO_MODEL.value)
        default_name = _ZOO_MODEL.value
    else:
        model = model_dir.load_model(_MODEL_DIR.value)
        default_name = os.path.basename(os.path.normpath(_MODEL_DIR.value))
    path = export_lib.export_model(
        model, _EXPORT_DIR.value, _MODEL_NAME.value or default_name, _VERSION.value,
        _MAX_NUM.value,
    )
    print(f"Exported {path}")


if __name__ == "__main__":
    app.run(main)
