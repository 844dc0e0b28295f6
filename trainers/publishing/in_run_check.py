"""Whether a run's own last validation agrees with float32's figure of the same weights.

A run validates as it trains (`pixel_zoo.training.loop`): at the end of every invocation,
and also every ``eval_every`` steps and ``eval_minutes`` minutes, in its training precision
(``--mixed_precision``: bfloat16 or float16 compute), with the moving averages where it
keeps them (``--ema``), on the first ``eval_batches * batch_size`` validation images (all of
them for ``eval_batches=0``), dropout off. Publishing scores the same weights in float32 on
every image, so the mean of those images' float32 NLLs is the float32 figure of exactly what
the run measured: the two figures can differ only by precision. Summation order and the
float32 event file move them by about 1e-6 relative; bfloat16 arithmetic by 0.05% to 0.4%
(a Fashion-MNIST PixelCNN++: 1539.64 in the run, 1540.39 in float32; the MNIST PixelCNN++
of the zoo on 200 images, its inputs scaled in float32: 553.91 against 551.72).
`RELATIVE_TOLERANCE` sits above those and 9 times below a run whose bfloat16 and float32
functions had parted (an MNIST PixelCNN++ whose bfloat16 inputs were another encoding of
its images, `pixel_zoo.models.base`'s ``scale_images``: 526.43 against 579.50, 9%). A
relative bound because NLLs range from about 80 nats (binarized MNIST) to thousands
(CIFAR-10), and so does the rounding error, which scales with the logits.

A disagreement is logged and recorded, and publishing goes on: the card's figure is
float32's, the precision the zoo scores, samples and serves in, and the paired comparison
still decides whether the weights replace an entry. What it tells is that the run's own
curves (and any choice made on them) measured another function than the one published.

Example:
    >>> record = compare({"precision": "bfloat16", "weights": "ema", "step": 500, "images": 2,
    ...                   "in_run_nats": 526.43}, float32_nlls=[580.0, 579.0, 600.0])
    >>> record["float32_nats"], record["agrees"]
    (579.5, False)
    >>> check("/tmp/runs/pixelcnn_pp", {"raw": raw_nlls, "ema": ema_nlls})  # logs a warning
"""

import os

import numpy as np
from absl import logging

from pixel_zoo.provenance import history
from pixel_zoo.training.summaries import read_scalars

RELATIVE_TOLERANCE = 0.01


def last_validation(model_dir, num_valid_images):
    """What the run's last in-run validation measured, if it validated its latest weights.

    Args:
      model_dir: a training run whose history chains to its latest checkpoint (so that
        the last ``history.jsonl`` record ends at the published weights' step).
      num_valid_images: the validation split's size.

    Returns:
      ``{"precision", "weights" ("raw"/"ema"), "step", "images", "in_run_nats"}``, or
      ``{"skipped": why}`` where the run has no in-run validation of those weights.
    """
    records = history.read(model_dir)
    if not records or "flags" not in records[-1]:
        return {"skipped": "the run's history.jsonl does not record its last invocation's flags"}
    record, flags = records[-1], records[-1]["flags"]
    validations = read_scalars(os.path.join(model_dir, "valid")).get("nats")
    if not validations:
        return {"skipped": "the run wrote no in-run validation (MODEL_DIR/valid has no nats)"}
    step, nats = validations[-1]
    if step != record["steps_to"]:
        return {"skipped": f"the run's last in-run validation is of step {step}, the weights "
                           f"of step {record['steps_to']} (its last invocation: "
                           f"{record['outcome']})"}
    images = flags["eval_batches"] * flags["batch_size"]
    return {"precision": flags["mixed_precision_dtype"] if flags["mixed_precision"] else "float32",
            "weights": "ema" if flags["ema"] else "raw", "step": step,
            "images": min(images, num_valid_images) if images else num_valid_images,
            "in_run_nats": round(nats, 2)}


def compare(validation, float32_nlls):
    """``validation`` (`last_validation`) with the float32 figure of its weights on its images.

    Args:
      validation: `last_validation`'s record; a skipped one is returned as it is.
      float32_nlls: ``[N]`` float32 per-image NLLs of the weights it validated, in split
        order.

    Returns:
      The record plus ``float32_nats`` (the mean over its first ``images``) and ``agrees``
      (within `RELATIVE_TOLERANCE` of it).
    """
    if "skipped" in validation:
        return validation
    float32_nats = float(np.mean(float32_nlls[:validation["images"]]))
    agrees = abs(validation["in_run_nats"] - float32_nats) <= RELATIVE_TOLERANCE * float32_nats
    return {**validation, "float32_nats": round(float32_nats, 2), "agrees": bool(agrees)}


def check(model_dir, nlls):
    """`compare` of the run's last validation with ``nlls`` of the weights it used, logged.

    Args:
      model_dir: the run (see `last_validation`).
      nlls: ``{"raw": [N], "ema": [N]}`` float32 per-image NLLs on the whole validation split
        (``"ema"`` only for a run that kept moving averages).

    Returns:
      The card's ``training.in_run_check``.
    """
    validation = last_validation(model_dir, len(nlls["raw"]))
    if "skipped" in validation:
        logging.info("No in-run check against float32: %s.", validation["skipped"])
        return validation
    record = compare(validation, nlls[validation["weights"]])
    words = (f"the run's last validation (step {record['step']}, {record['weights']} weights, "
             f"first {record['images']} images) in {record['precision']} says "
             f"{record['in_run_nats']:.2f} nats, float32 {record['float32_nats']:.2f}")
    if record["agrees"]:
        logging.info("In-run check: %s.", words)
    else:
        logging.warning(
            "%s: the run's training precision (%s) and float32 disagree by more than %g%% on "
            "the same weights and images, so its own validations measured another function "
            "than the one published. The card's figure is float32's.",
            words[0].upper() + words[1:], record["precision"], 100 * RELATIVE_TOLERANCE)
    return record
