r"""Chooses an OOD detector's background model with in-distribution data only.

Ren et al. tuned their background model on a held-out OOD set (NotMNIST for
Fashion-MNIST). Without one, this script builds a synthetic OOD set from the
in-distribution validation images themselves: the same images turned upside down. They
keep every low-level statistic (the black background, the intensity histogram, the local
texture), so the raw likelihood cannot tell them apart, while their content is foreign:
the case the likelihood ratio is for, made without the test OOD data (MNIST). Uniform
noise is reported beside it. The background (perturbation rate, regularisation, training
length) whose ratio gives the higher AUROC on the flipped images wins.

    python bench/ood_perturb_rate.py --model=zoo:pixelcnn_fashion_mnist \
        --backgrounds=zoo:pixelcnn_fashion_mnist_background,runs/bg_longer \
        --num=2000 --results=bench/results/ood_background.json

``--model`` and each of ``--backgrounds`` name a zoo entry (``zoo:NAME``) or a training
run's folder (its raw weights). Prints one row per background: its perturbation rate,
L2 regularisation and training steps, and the AUROCs of the likelihood ratio; then the
raw likelihood's. With ``--results`` the table goes to docs/ood.md (``python -m
trainers.readme_tables``), with the model's weights sha256 (a zoo entry's), so docs/ say
whether the table was measured with the zoo's current weights or an earlier version's.
"""

import os

import numpy as np
import report  # bench/report.py
from absl import app, flags

import pixel_zoo as pz
from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.provenance import parent as parent_lib
from pixel_zoo.zoo import registry

_MODEL = flags.DEFINE_string("model", None, "The in-distribution model: zoo:NAME or a run.")
_BACKGROUNDS = flags.DEFINE_list("backgrounds", None, "Background models: zoo:NAME or runs.")
_DATA_DIR = flags.DEFINE_string("data_dir", os.environ.get("PIXEL_ZOO_DATA"),
                                "Local data folder (default: $PIXEL_ZOO_DATA).")
_NUM = flags.DEFINE_integer("num", 2000, "Validation images (the first NUM).")
flags.mark_flags_as_required(["model", "backgrounds"])


def load(source):
    """``(model, dataset, training settings, steps)`` of a zoo entry or a run's raw weights."""
    if registry.zoo_name(source) is not None:
        entry = registry.get(registry.zoo_name(source))
        command = entry.training.get("command", "")
        settings = {name: _flag(command, name) for name in ("perturb_rate", "l2_regularization")}
        return pz.zoo.load(entry.name), entry.dataset, settings, entry.training.get("steps")
    config = model_dir_lib.read_config(source)
    training = config["training"]
    steps = int(model_dir_lib.latest_checkpoint(source).rsplit("-", 1)[-1])
    parent = parent_lib.read_parent(source)
    return (model_dir_lib.load_model(source, use_ema=False), config["dataset"], training,
            steps + (parent["steps"] if parent else 0))


def _flag(command, name):
    """The value of ``--name=`` in a recorded command line (None if absent)."""
    for part in command.split():
        if part.startswith(f"--{name}="):
            return float(part.split("=", 1)[1])
    return None


def weights_sha256(source):
    """The sha256 of a zoo entry's weights file (None for a run's folder)."""
    name = registry.zoo_name(source)
    return registry.get(name).sha256 if name is not None else None


def main(argv):
    del argv
    model, dataset, _, _ = load(_MODEL.value)
    valid = pz.data.load_split(dataset, "valid", _DATA_DIR.value).images[:_NUM.value]
    out_sets = {"upside down": np.flip(valid, axis=1),
                "noise:uniform": pz.ood.load_images("noise:uniform", model.image_shape,
                                                    model.num_levels, num=_NUM.value)}
    table = report.Table(
        f"Choosing the background of {_MODEL.value}: {dataset} valid (first {len(valid)}) in",
        ["| score | background | steps | " + " | ".join(f"{out} AUROC" for out in out_sets)
         + " |", "|---|---|---|" + "---|" * len(out_sets)])
    result = None
    for source in _BACKGROUNDS.value:
        background, _, training, steps = load(source)
        result = pz.ood.evaluate(pz.ood.LikelihoodRatio(model, background), valid, out_sets)
        table.add(f"| ratio | {source} (mu={training.get('perturb_rate')}, "
                  f"L2={training.get('l2_regularization')}) | {steps:,} | " + " | ".join(
                      f"{result['auroc'][out]['likelihood_ratio']:.4f}" for out in out_sets)
                  + " |")
    table.add("| raw likelihood (NLL) | | | " + " | ".join(
        f"{result['auroc'][out]['nll']:.4f}" for out in out_sets) + " |")
    table.save(model={"source": _MODEL.value, "weights_sha256": weights_sha256(_MODEL.value)})


if __name__ == "__main__":
    app.run(main)
