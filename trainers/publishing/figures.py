"""An entry's figures: a grid of samples and the PixelRNN paper's completion grid."""

import pathlib

import numpy as np

from pixel_zoo import images


def completions_grid(model, split_data, path, num_images=6, num_completions=4, seed=1):
    """Writes the PixelRNN paper's occlusion figure: bottom halves removed and completed.

    Each row: a validation image with its bottom half blacked out, ``num_completions``
    completions of it, and the image itself. The images are spread evenly over the
    split (a class-sorted folder gives one of several classes).
    """
    known_rows = model.image_shape[0] // 2
    chosen = np.linspace(0, len(split_data.images) - 1, num_images).astype(int)
    originals = split_data.images[chosen]
    labels = {}
    if model.num_classes is not None:
        labels = {"labels": np.repeat(split_data.labels[chosen], num_completions)}
    completions = np.asarray(model.complete(
        np.repeat(originals, num_completions, axis=0), known_rows=known_rows, seed=seed,
        **labels,
    )).reshape(num_images, num_completions, *model.image_shape)
    occluded = originals.copy()
    occluded[:, known_rows:] = 0
    rows = np.concatenate([occluded[:, None], completions, originals[:, None]], axis=1)
    return images.save_grid(rows.reshape(-1, *model.image_shape), path, model.num_levels,
                            columns=num_completions + 2)


def draw(model, name, valid, cards_dir, num_samples=16, seed=1):
    """Writes an entry's two figures into ``cards_dir``: ``NAME.png``, ``num_samples``
    samples (labels cycling through the classes for a class-conditional model), and
    ``NAME_completions.png`` (`completions_grid` of ``valid``).

    Example:
        >>> draw(pz.zoo.load("row_lstm_binarized_mnist"), "row_lstm_binarized_mnist",
        ...      valid, pathlib.Path("/tmp/cards"))
    """
    conditional = model.num_classes is not None
    labels = ({"labels": [index % model.num_classes for index in range(num_samples)]}
              if conditional else {})
    samples = model.sample(num_samples, seed=seed, **labels)
    images.save_grid(samples, pathlib.Path(cards_dir) / f"{name}.png", model.num_levels)
    completions_grid(model, valid, pathlib.Path(cards_dir) / f"{name}_completions.png", seed=seed)
