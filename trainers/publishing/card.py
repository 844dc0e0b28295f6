"""Turning a finished training run into a packaged zoo entry: weights, figures, model card."""

import dataclasses

from absl import logging

from pixel_zoo import data, evaluation
from pixel_zoo import metrics as metrics_lib
from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.data.splits import UnknownSplitError
from pixel_zoo.provenance import history, parent
from pixel_zoo.provenance import segments as segments_lib
from pixel_zoo.zoo import registry
from pixel_zoo.zoo.entry import CARDS_DIR, WEIGHTS_DIR, ZooEntry
from pixel_zoo.zoo.loading import build_model, load, sha256_of
from trainers.publishing import comparison, figures, in_run_check

HYPERPARAMETERS = ("num_layers", "hidden_units", "output_units", "num_classes",
                   "logistic_mixtures", "num_hierarchies", "dropout", "weight_norm")


def build_arguments(model):
    """The `pz.models.build` arguments (besides shape and levels) that rebuild ``model``:
    every one of `HYPERPARAMETERS` its config holds, defaults included, so a family's
    later change of default cannot change a packaged entry."""
    config = model.get_config()
    return {key: config[key] for key in HYPERPARAMETERS
            if config.get(key) is not None and (key != "logistic_mixtures" or config[key])}


class WorseThanPublished(ValueError):
    """Publishing would replace a zoo entry with weights not better than its by more than noise."""


# The card's subset figure: its mean NLL on the first images of the validation split,
# which a test scores again for every packaged entry.
SUBSET_IMAGES = 100


def publish(model_dir, name, description=None, data_dir=None, num_samples=16, seed=1,
            force=False):
    """Writes ``zoo/weights/NAME.weights.h5``, ``NAME.json`` and two figures in ``zoo/cards``.

    Every figure in the card is measured or read here: the validation NLL on the whole
    split, for the raw weights and (for a run with ``--ema``) the moving averages, of
    which the card ships the better one, saying so; the mean NLL on the split's first
    `SUBSET_IMAGES` images (``valid_subset``); the NLL on the test split where the
    dataset has one that is not held out (``test_nats``: nothing is chosen on it); where
    an entry of that name exists, the paired comparison with its weights on every
    validation image (`trainers.publishing.comparison`, ``improvement``); the training
    history from the run's ``history.jsonl`` (continuing the zoo entry it started from),
    checked to chain from step 0 to the trained steps (`pixel_zoo.provenance`), and
    its compute; whether the run's own last validation, in its training precision, agrees
    with the float32 figure of the same weights on the same images (``in_run_check``,
    `trainers.publishing.in_run_check`: a warning where not). The figures: ``NAME.png``,
    ``NAME_completions.png`` (`.figures`).

    Args:
      model_dir: a training run.
      name: the zoo name, ``<model>_<data>``.
      description: one paragraph for the model card; None keeps the current entry's
        (none for a new entry).
      data_dir: local data folder (default: the run's).
      num_samples: images in the card's sample grid.
      seed: the sample grid's seed.
      force: replace an entry of the same name even where the run is not better.

    Returns:
      The new `ZooEntry`.

    Raises:
      WorseThanPublished: ``name``'s current entry was trained on another dataset, or
        the 95% interval of the run's paired improvement over it does not lie above
        zero, and not ``force``; nothing is written.
      ValueError: the run's history does not chain to its steps.

    Example:
        >>> publish("/tmp/runs/pixelcnn", "pixelcnn_binarized_mnist", "A PixelCNN ...")
    """
    config = model_dir_lib.read_config(model_dir)
    training = config["training"]
    valid = data.load_split(config["dataset"], "valid", data_dir or training["data_dir"])
    kinds = ("raw", "ema") if training.get("ema") else ("raw",)
    models = {kind: model_dir_lib.load_model(model_dir, use_ema=kind == "ema") for kind in kinds}
    nlls = {kind: evaluation.per_image_nll(model, valid) for kind, model in models.items()}
    chosen = min(kinds, key=lambda kind: nlls[kind].mean())
    model = models[chosen]
    current = _current_entry(name)
    improvement = _improvement(current, config["dataset"], valid, nlls[chosen], force)
    history_record = _training_record(model_dir, training)
    in_run = in_run_check.check(model_dir, nlls)

    weights = f"{name}.weights.h5"
    model.save_weights(WEIGHTS_DIR / weights)
    figures.draw(model, name, valid, CARDS_DIR, num_samples, seed)

    nats = float(nlls[chosen].mean())
    bits = float(metrics_lib.bits_per_dim(-nats, model.image_shape))
    metrics = {
        "valid_nats": round(nats, 2),
        "valid_bits_per_dim": round(bits, 4),
        "valid_images": len(valid.images),
        "parameters": model.count_params(),
    }
    metrics.update({f"valid_nats_{kind}": round(float(nlls[kind].mean()), 2) for kind in kinds})
    metrics["valid_subset"] = {"num_images": min(SUBSET_IMAGES, len(valid.images)),
                               "nats": round(float(nlls[chosen][:SUBSET_IMAGES].mean()), 4)}
    metrics.update(_test_figures(model, config["dataset"], data_dir or training["data_dir"]))
    if improvement:
        metrics["improvement"] = improvement
    if description is None:
        description = current.description if current else ""
    entry = ZooEntry(
        name=name,
        model=training["model"],
        image_shape=tuple(model.image_shape),
        num_levels=model.num_levels,
        weights=weights,
        sha256=sha256_of(WEIGHTS_DIR / weights),
        hyperparameters=build_arguments(model),
        dataset=config["dataset"],
        metrics=metrics,
        training={**history_record, "weights": _weights_choice(
            chosen, nlls, training.get("averaging", "exponential")), "in_run_check": in_run},
        description=description,
        samples_image=f"{name}.png",
        completions_image=f"{name}_completions.png",
    )
    entry.to_json(CARDS_DIR / f"{name}.json")
    return entry


def measure_subset(name, data_dir=None):
    """Measures a published entry's ``valid_subset`` figure from its packaged weights and
    writes it into its card (for entries published before cards had one).

    Example:
        >>> measure_subset("pixelcnn_binarized_mnist", "/work/shared/data")["nats"]
        82.1234
    """
    entry = registry.get(name)
    valid = data.load_split(entry.dataset, "valid", data_dir).subset(slice(SUBSET_IMAGES))
    nats = evaluation.per_image_nll(load(name), valid)
    subset = {"num_images": len(nats), "nats": round(float(nats.mean()), 4)}
    dataclasses.replace(entry, metrics={**entry.metrics, "valid_subset": subset}).to_json(
        CARDS_DIR / f"{name}.json")
    return subset


def redraw_figures(name, data_dir=None, num_samples=16, seed=1):
    """Draws a published entry's figures again from its packaged weights, as `publish`
    draws them today (`trainers.publishing.figures.draw`, e.g. at the current grid scale); the
    card and weights stay as they are.

    Example:
        >>> redraw_figures("pixelcnn_binarized_mnist", data_dir="/work/shared/data")
    """
    entry = registry.get(name)
    valid = data.load_split(entry.dataset, "valid", data_dir)
    figures.draw(load(name), name, valid, CARDS_DIR, num_samples, seed)


def _test_figures(model, dataset, data_dir):
    """The chosen weights' NLL on the dataset's test split, where it has one that is not held
    out (MNIST's and Fashion-MNIST's t10k): a final figure, measured after every choice."""
    try:
        test = data.load_split(dataset, "test", data_dir)
    except UnknownSplitError:  # "test" is held out (binarized_mnist, cifar10_jpeg)
        return {}
    nats = float(evaluation.per_image_nll(model, test).mean())
    bits = float(metrics_lib.bits_per_dim(-nats, model.image_shape))
    return {"test_nats": round(nats, 2), "test_bits_per_dim": round(bits, 4),
            "test_images": len(test.images)}


def _current_entry(name):
    """Zoo entry ``name`` as its card says, or None where there is none."""
    path = CARDS_DIR / f"{name}.json"
    return ZooEntry.from_json(path) if path.is_file() else None


def _improvement(current, dataset, valid, new_nll, force):
    """The paired improvement of ``new_nll`` over the ``current`` entry (None: no entry).

    Raises `WorseThanPublished` unless ``force`` where the entry was trained on another
    dataset or the improvement's interval does not lie above zero.
    """
    if current is None:
        return None
    name = current.name
    if current.dataset != dataset:
        if force:
            return None
        raise WorseThanPublished(
            f"zoo entry {name} was trained on {current.dataset}, this run on {dataset}: "
            "publish it under another name, or pass --force to replace it.")
    previous = build_model(current)
    previous.load_weights(WEIGHTS_DIR / current.weights)
    previous_nll = evaluation.per_image_nll(previous, valid)
    improvement = {"over_sha256": current.sha256,
                   "previous_valid_nats": round(float(previous_nll.mean()), 2),
                   **comparison.paired_improvement(previous_nll, new_nll)}
    low, high = improvement["interval95_nats"]
    logging.info("%s: %.2f -> %.2f nats on %d validation images; paired improvement %.4f "
                 "nats, 95%% interval [%.4f, %.4f]", name, improvement["previous_valid_nats"],
                 new_nll.mean(), len(new_nll), improvement["mean_nats"], low, high)
    if not force and not comparison.is_better(improvement):
        raise WorseThanPublished(
            f"zoo entry {name} scores {improvement['previous_valid_nats']:.2f} nats on "
            f"validation and this run {new_nll.mean():.2f}: the paired improvement's 95% "
            f"interval [{low:.4f}, {high:.4f}] nats does not lie above zero, so keeping the "
            "entry (--force replaces it anyway).")
    return improvement


def _training_record(model_dir, training):
    """The card's ``training``: command, steps, chained history and its compute in words."""
    started_from = parent.read_parent(model_dir)
    segments, steps = parent.run_history(model_dir)
    problems = segments_lib.chain_problems(segments, steps)
    if problems:
        raise ValueError(f"{model_dir}: its training history does not chain: "
                         f"{'; '.join(problems)} ({history.history_path(model_dir)}).")
    record = {"command": segments[-1]["command"], "steps": steps,
              "time": segments_lib.describe(segments)}
    if started_from:
        record["init_from"] = started_from["init_from"]
    return {**record, "history": segments}


AVERAGES = {
    "exponential": "moving averages (EMA, momentum up to 0.999)",
    "uniform": "uniform average of the starting weights and every step's (weight averaging)",
}


def _weights_choice(chosen, nlls, averaging):
    if len(nlls) == 1:
        return "raw (the run kept no moving averages)"
    other = "raw" if chosen == "ema" else "ema"
    words = {"ema": AVERAGES[averaging], "raw": "raw weights"}
    return (f"{words[chosen]}: {nlls[chosen].mean():.2f} nats on validation against "
            f"{nlls[other].mean():.2f} for the {words[other]}, chosen on validation")
