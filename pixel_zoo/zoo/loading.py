"""Loading zoo models: verify the weights file, then build and fill a model."""

import hashlib
import pathlib

from pixel_zoo import models
from pixel_zoo.zoo import registry


def sha256_of(path):
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_model(entry):
    """The entry's architecture with freshly initialised weights."""
    return models.build(
        entry.model, image_shape=entry.image_shape, num_levels=entry.num_levels,
        name=entry.name, **entry.hyperparameters,
    )


def load(name, weights=None):
    """A zoo model ready for ``log_prob`` and ``sample``.

    The weights file is checked against the entry's sha256 before anything is
    built, so a missing or corrupt file raises and nothing is half-loaded.

    Args:
      name: a name from `pz.zoo.list_models()`.
      weights: a ``.weights.h5`` path to use instead of the packaged file (it
        is loaded without the sha256 check, which describes the packaged file).

    Returns:
      A built `pz.models.AutoregressiveImageModel`.

    Raises:
      FileNotFoundError: the weights file does not exist.
      ValueError: an unknown name, a packaged file that fails its sha256 check, or
        ``weights`` that are not this model's weights file.

    Example:
        >>> model = pz.zoo.load("pixelcnn_binarized_mnist")
        >>> digits = model.sample(16, seed=(1, 2))
    """
    entry = registry.get(name)
    path = pathlib.Path(weights) if weights else entry.weights_path
    if not path.is_file():
        raise FileNotFoundError(f"{name}: weights file {path} does not exist.")
    if weights is None and sha256_of(path) != entry.sha256:
        raise ValueError(
            f"{name}: {path} does not match its sha256 {entry.sha256}: the file is "
            "corrupt or was replaced; reinstall pixel_zoo or pass weights=PATH."
        )
    model = build_model(entry)
    try:
        model.load_weights(path)
    except (OSError, ValueError) as error:  # h5py: not an HDF5 file; Keras: other weights
        raise ValueError(
            f"{name}: {path} is not a weights file of this model ({type(error).__name__}: "
            f"{error}). Pass weights= a .weights.h5 file saved by model.save_weights() from a "
            f"{entry.model} built like the entry, or leave weights out to use the packaged file."
        ) from error
    return model
