"""Making a zoo entry an OOD detector: its reference, AUROCs and plot, written into its card."""

import dataclasses

from pixel_zoo import ood
from pixel_zoo.ood import plot as ood_plot
from pixel_zoo.zoo import registry
from pixel_zoo.zoo.entry import CARDS_DIR
from pixel_zoo.zoo.loading import load


def publish_detector(name, background, in_data, out_data, data_dir=None, num=None,
                     batch_size=256, reference_data=None, reference_num=10000):
    """Makes zoo entry ``name`` an OOD detector against zoo entry ``background``.

    Measures the detector's reference on ``reference_data`` (`pixel_zoo.ood.
    LikelihoodRatio.with_reference`), then the AUROCs of each of its scores (likelihood
    ratio, raw likelihood, percentile) for ``in_data`` against each of ``out_data``; writes
    them, the reference's quantiles, ``background`` and the sha256 of both entries' weights
    into ``name``'s card, and draws ``cards/NAME_ood.png`` (`pixel_zoo.ood.plot`).

    Args:
      name: the in-distribution zoo entry.
      background: the zoo entry trained on perturbed inputs (``--perturb_rate``).
      in_data: ``DATASET:SPLIT`` of in-distribution images (`pixel_zoo.ood.load_images`).
      out_data: ``DATASET:SPLIT`` or ``noise:uniform`` names of out-of-distribution sets.
      data_dir: local data folder.
      num: the first ``num`` images of each set (None: all; 10,000 noise images).
      batch_size: images per forward pass.
      reference_data: ``DATASET:SPLIT`` of the in-distribution images the percentile
        score ranks against; None: the training split of ``in_data``'s dataset.
      reference_num: the first ``reference_num`` images of ``reference_data``.

    Returns:
      The updated `ZooEntry`.

    Example:
        >>> publish_detector("pixelcnn_fashion_mnist", "pixelcnn_fashion_mnist_background",
        ...                  "fashion_mnist:test", ["mnist:test", "noise:uniform"])
    """
    detector = ood.LikelihoodRatio(load(name), load(background))
    spec = {"image_shape": detector.image_shape, "num_levels": detector.num_levels,
            "data_dir": data_dir, "num": num}
    reference_data = reference_data or in_data.rpartition(":")[0] + ":train"
    reference_images = ood.load_images(reference_data, **{**spec, "num": reference_num})
    detector = detector.with_reference(reference_images, batch_size)
    in_images = ood.load_images(in_data, **spec)
    out_sets = {out: ood.load_images(out, **spec) for out in out_data}
    result = ood.evaluate(detector, in_images, out_sets, batch_size)
    plot = f"{name}_ood.png"
    ood_plot.plot(result, in_data, CARDS_DIR / plot)
    command = " ".join([f"python -m trainers.publish_detector --name={name}",
                        f"--background={background} --in={in_data}",
                        *(f"--out={out}" for out in out_data),
                        *([f"--num={num}"] if num else []),
                        f"--reference={reference_data} --reference_num={reference_num}",
                        "--data_dir=$PIXEL_ZOO_DATA"])
    entry = dataclasses.replace(registry.get(name), background=background, ood={
        "in": in_data,
        "reference": {"data": reference_data, "num_images": len(reference_images),
                      "quantiles": {kind: quantiles.tolist()  # unrounded: exact ranks
                                    for kind, quantiles in detector.reference.items()}},
        "num_images": {in_data: len(in_images),
                       **{out: len(images) for out, images in out_sets.items()}},
        "auroc": {out: {kind: round(value, 4) for kind, value in aurocs.items()
                        if kind != "bits_per_dim"}  # the NLL's AUROC: the same ranking
                  for out, aurocs in result["auroc"].items()},
        "command": command,
        "plot": plot,
        "weights_sha256": {model: registry.get(model).sha256 for model in (name, background)},
    })
    entry.to_json(CARDS_DIR / f"{name}.json")
    return entry
