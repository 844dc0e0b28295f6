"""``--init_from``: a new run that starts from a zoo entry's (or a file's) trained weights.

The weights are loaded into the freshly built model before the first step (the optimizer
starts fresh; pair it with ``--warmup_steps``). What they are is written to
``MODEL_DIR/init_from.json``: the source, the weights' sha256, the steps they had been
trained for and, for a zoo entry, its card's training history, which the new entry's
card continues (`pixel_zoo.zoo.provenance`). It is written when the run starts, so
publishing the run over the same zoo name later still knows the history before it.

Example:
    >>> parent = load_initial_weights(model, config)    # config.init_from = "zoo:NAME"
    >>> parent["steps"], parent["sha256"][:8]
    (5600, '3f1c2a9b')
"""

import json
import os
import pathlib

from pixel_zoo.training.config import ConfigError
from pixel_zoo.zoo import provenance, registry
from pixel_zoo.zoo.loading import sha256_of

ZOO_PREFIX = "zoo:"
PARENT_FILE = "init_from.json"


def load_initial_weights(model, config):
    """Loads ``config.init_from``'s weights into the built ``model``; returns their provenance.

    Raises:
      ConfigError: an unknown zoo name, a missing file, a zoo entry of another family,
        or weights that do not fit the model the flags build.
    """
    source = config.init_from
    if source.startswith(ZOO_PREFIX):
        path, parent = _zoo_weights(source[len(ZOO_PREFIX):], config)
    else:
        path, parent = _file_weights(source)
    try:
        model.load_weights(path)
    except (OSError, ValueError) as error:
        raise ConfigError(
            f"--init_from={source}: its weights do not fit the model these flags build "
            f"({type(error).__name__}: {error}). {parent['built_as']}"
        ) from error
    return parent


def write_parent(model_dir, parent):
    """Writes ``MODEL_DIR/init_from.json``."""
    os.makedirs(model_dir, exist_ok=True)
    with open(os.path.join(model_dir, PARENT_FILE), "w") as file:
        json.dump(parent, file, indent=2, sort_keys=True)


def read_parent(model_dir):
    """The provenance `write_parent` wrote, or None for a run started from scratch."""
    path = os.path.join(model_dir, PARENT_FILE)
    if not os.path.isfile(path):
        return None
    with open(path) as file:
        return json.load(file)


def _zoo_weights(name, config):
    try:
        entry = registry.get(name)
    except ValueError as error:
        raise ConfigError(f"--init_from={ZOO_PREFIX}{name}: {error}") from error
    built_as = (f"{name} is a {entry.model} built with {entry.hyperparameters} "
                f"for {entry.image_shape} images of {entry.num_levels} levels.")
    if entry.model != config.model:
        raise ConfigError(f"--init_from={ZOO_PREFIX}{name} needs --model={entry.model}: "
                          f"{built_as}")
    path = entry.weights_path
    sha256 = sha256_of(path) if path.is_file() else None
    if sha256 != entry.sha256:
        raise ConfigError(f"--init_from={ZOO_PREFIX}{name}: {path} is missing or does not "
                          f"match the card's sha256.")
    return path, {
        "init_from": f"{ZOO_PREFIX}{name}", "sha256": sha256,
        "steps": entry.training.get("steps", 0), "metrics": entry.metrics,
        "history": provenance.entry_segments(entry), "built_as": built_as,
    }


def _file_weights(source):
    path = pathlib.Path(source)
    if not path.is_file():
        raise ConfigError(f"--init_from={source}: no such file; give zoo:NAME or a "
                          ".weights.h5 file saved by model.save_weights().")
    sha256 = sha256_of(path)
    return path, {
        "init_from": path.name, "sha256": sha256, "steps": 0, "metrics": {},
        "history": [provenance.untracked_segment(f"weights file {path.name} (sha256 {sha256})")],
        "built_as": f"{path.name} must come from model.save_weights() of this architecture.",
    }
