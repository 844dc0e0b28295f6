r"""Chooses a background model's perturbation rate with in-distribution data only.

Ren et al. tuned mu on a held-out OOD set (NotMNIST for Fashion-MNIST). Without one, this
script builds a synthetic OOD set from the in-distribution validation images themselves:
the same images turned upside down. They keep every low-level statistic (the black
background, the intensity histogram, the local texture), so the raw likelihood cannot tell
them apart, while their content is foreign: the case the likelihood ratio is for, made
without the test OOD data (MNIST). Uniform noise is reported beside it. The rate whose
background gives the higher AUROC on the flipped images wins.

    python bench/ood_perturb_rate.py --model_dir=/work/runs/pixelcnn_fashion_mnist \
        --background_dirs=/work/runs/bg_mu0.1,/work/runs/bg_mu0.2 \
        --data_dir=$PIXEL_ZOO_DATA --num=2000

Prints one row per background run: its perturb_rate and l2_regularization, its step, and
the AUROCs of the likelihood ratio; then the raw likelihood's.
"""

import numpy as np
from absl import app, flags

import pixel_zoo as pz
from pixel_zoo import model_dir as model_dir_lib

_MODEL_DIR = flags.DEFINE_string("model_dir", None, "The in-distribution model's run.")
_BACKGROUND_DIRS = flags.DEFINE_list("background_dirs", None, "Background model runs.")
_DATA_DIR = flags.DEFINE_string("data_dir", None, "Local data folder.")
_NUM = flags.DEFINE_integer("num", 2000, "Validation images (the first NUM).")
flags.mark_flags_as_required(["model_dir", "background_dirs"])


def main(argv):
    del argv
    config = model_dir_lib.read_config(_MODEL_DIR.value)
    model = model_dir_lib.load_model(_MODEL_DIR.value, use_ema=False)
    valid = pz.data.load_split(config["dataset"], "valid", _DATA_DIR.value).images[:_NUM.value]
    out_sets = {"upside down": np.flip(valid, axis=1),
                "noise:uniform": pz.ood.load_images("noise:uniform", model.image_shape,
                                                    model.num_levels, num=_NUM.value)}
    print(f"{config['dataset']} valid (first {len(valid)}) in; AUROC per out set")
    print("| background | step | " + " | ".join(out_sets) + " |")
    print("|---|---|" + "---|" * len(out_sets))
    result = None
    for background_dir in _BACKGROUND_DIRS.value:
        training = model_dir_lib.read_config(background_dir)["training"]
        background = model_dir_lib.load_model(background_dir, use_ema=False)
        result = pz.ood.evaluate(pz.ood.LikelihoodRatio(model, background), valid, out_sets)
        step = model_dir_lib.latest_checkpoint(background_dir).rsplit("-", 1)[-1]
        figures = " | ".join(f"{result['auroc'][out]['likelihood_ratio']:.4f}"
                             for out in out_sets)
        print(f"| ratio, mu={training.get('perturb_rate')}, "
              f"L2={training.get('l2_regularization')} | {step} | {figures} |")
    print("| raw likelihood (NLL) | | " + " | ".join(
        f"{result['auroc'][out]['nll']:.4f}" for out in out_sets) + " |")


if __name__ == "__main__":
    app.run(main)
