"""Helpers shared by the tests: tiny models, every image, position influence, a tiny zoo."""

import dataclasses
import itertools

import keras
import numpy as np

import pixel_zoo as pz

MODEL_NAMES = ("pixelcnn", "row_lstm", "diagonal_bilstm", "gated_pixelcnn", "pixelcnn_pp")


def tiny_hyperparameters(name, **hyperparameters):
    """The sizes of a `tiny_model` of family ``name``, with ``hyperparameters`` on top."""
    if name == "pixelcnn_pp":
        # One block per stream and resolution, and two resolutions (down and up
        # paths): its XLA-compiled samplers take seconds, not minutes.
        hyperparameters = {"num_layers": 1, "num_hierarchies": 2, **hyperparameters}
    return {"num_layers": 2, "hidden_units": 6, **hyperparameters}


def tiny_model(name, image_shape, num_levels, seed=0, **hyperparameters):
    """A model small enough to run hundreds of forward passes in a second.

    Seeded: a tiny random network can have dead ReLUs that cut a path.
    """
    keras.utils.set_random_seed(seed)
    return pz.models.build(name, image_shape=image_shape, num_levels=num_levels,
                           **tiny_hyperparameters(name, **hyperparameters))


def register_tiny(folder, name, family="pixelcnn", image_shape=(6, 6, 1), num_levels=2, seed=0,
                  hyperparameters=None, **fields):
    """Registers a `tiny_model` as zoo entry ``name`` (with ``hyperparameters`` on the tiny
    ones, e.g. ``{"num_classes": 3}``, and other `ZooEntry` ``fields`` given), its weights saved
    in ``folder``; returns the entry. Registered again with another ``seed``, the entry has
    other weights (a new version)."""
    hyperparameters = hyperparameters or {}
    path = folder / f"{name}_{seed}.weights.h5"
    tiny_model(family, image_shape, num_levels, seed=seed, **hyperparameters).save_weights(path)
    entry = pz.zoo.ZooEntry(
        name=name, model=family, image_shape=image_shape, num_levels=num_levels,
        hyperparameters=tiny_hyperparameters(family, **hyperparameters), weights=str(path),
        sha256=pz.zoo.sha256_of(path), **fields)
    pz.zoo.register(entry)
    return entry


def all_images(image_shape, num_levels):
    """Every image of ``image_shape`` with values below ``num_levels``, uint8."""
    size = int(np.prod(image_shape))
    values = np.array(list(itertools.product(range(num_levels), repeat=size)), np.uint8)
    return values.reshape((-1, *image_shape))


def position_influence(model, image, tolerance=1e-6):
    """``influence[p, q]``: changing input position ``p`` moves the logits of position ``q``.

    Positions are flat indices in raster order, then channel order. Changes
    below ``tolerance`` are float round-off: the CPU kernels may sum in a
    different order for different rows of a batch.
    """
    flat = image.reshape(-1)
    num_positions = flat.size
    batch = np.repeat(flat[None], num_positions + 1, axis=0)
    for position in range(num_positions):
        batch[position + 1, position] = (flat[position] + 1) % model.num_levels
    logits = np.asarray(model(batch.reshape((-1, *image.shape))))
    logits = logits.reshape(num_positions + 1, num_positions, -1)
    change = np.abs(logits[1:] - logits[:1]).max(axis=-1)  # (P, P)
    return change > tolerance


def receptive_field(model, image_shape, num_images=3, seed=0):
    """``field[p, q]``: position ``p`` moves the logits of ``q`` for at least one random image.

    Several images, because a ReLU that happens to be off for one image can
    hide a dependence that the architecture has.
    """
    rng = np.random.default_rng(seed)
    images = rng.integers(0, model.num_levels, (num_images, *image_shape)).astype(np.uint8)
    return np.logical_or.reduce([position_influence(model, image) for image in images])


def tiny_zoo(tmp_path, monkeypatch):
    """Sends published cards and weights to ``tmp_path``, and models the test registers to
    a registry of its own; returns the dataset name of a tiny binary npz (40 train, 12 valid
    6x6 images) written there."""
    from pixel_zoo.zoo import registry  # pylint: disable=import-outside-toplevel
    from trainers.publishing import card  # pylint: disable=import-outside-toplevel

    monkeypatch.setattr(registry, "_REGISTERED", {})
    monkeypatch.setattr(card, "CARDS_DIR", tmp_path / "cards")
    monkeypatch.setattr(card, "WEIGHTS_DIR", tmp_path / "weights")
    (tmp_path / "weights").mkdir()
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "tiny.npz", train=rng.integers(0, 2, (40, 6, 6)).astype(np.uint8),
             valid=rng.integers(0, 2, (12, 6, 6)).astype(np.uint8))
    return f"npz:{tmp_path / 'tiny.npz'}"


def tiny_entry(tmp_path, monkeypatch, name):
    """A 2-step pixelcnn run on the `tiny_zoo` dataset, published as zoo entry ``name`` and
    registered for this test only; returns ``(entry, the run's TrainConfig)``."""
    # pylint: disable=import-outside-toplevel
    from pixel_zoo.training import TrainConfig, train
    from pixel_zoo.zoo import registry
    from trainers import publishing

    config = TrainConfig(model_dir=str(tmp_path / name), dataset=tiny_zoo(tmp_path, monkeypatch),
                         num_layers=1, hidden_units=4, batch_size=8, train_steps=2,
                         eval_every=0, num_samples=0)
    train(config)
    entry = publishing.publish(config.model_dir, name, "A tiny entry.", num_samples=1)
    monkeypatch.setattr(registry, "_REGISTERED", {})  # publish registered it for good
    pz.zoo.register(dataclasses.replace(entry, weights=str(tmp_path / "weights" / entry.weights)))
    return entry, config
