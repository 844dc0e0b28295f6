"""``--init_from``: a new run that starts from a zoo entry's, a run's or a file's weights.

The weights are loaded into the freshly built model before the first step (the optimizer
starts fresh; pair it with ``--warmup_steps``). What they are is written to
``MODEL_DIR/init_from.json``: the source, the weights' sha256 (for a run: its checkpoint),
the steps they had been trained for and, for a zoo entry or a run, the training history
that the new entry's card continues (`pixel_zoo.provenance`). It is written when the
run starts, so publishing the run over the same zoo name later still knows the history
before it.

The model may have more blocks (``--num_layers``) than the weights it starts from (a
zoo entry or a run of the same family and otherwise the same hyperparameters): the
extra blocks start as identities (`pixel_zoo.training.deepening`), and more
``--hidden_units``, whose new channels start at zero (`pixel_zoo.training.widening`:
pixelcnn_pp; gated_pixelcnn and row_lstm of one-channel images). Training continues
from the same distribution with more capacity.

``run:PATH`` starts from another run folder's latest checkpoint (its raw weights), e.g.
a larger model trained for a curve (``bench/curves.py``) that then becomes a zoo entry:
its whole history (and that of what it started from) comes along.

Example:
    >>> parent = load_initial_weights(model, config)    # config.init_from = "zoo:NAME"
    >>> parent["steps"], parent["sha256"][:8]
    (5600, '3f1c2a9b')
"""

import os
import pathlib

from absl import logging

from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.provenance import history, segments
from pixel_zoo.provenance import parent as parent_lib
from pixel_zoo.training import deepening
from pixel_zoo.training.config import ConfigError
from pixel_zoo.zoo import loading, registry

RUN_PREFIX = history.RUN_PREFIX


def load_initial_weights(model, config):
    """Loads ``config.init_from``'s weights into the built ``model``; returns their provenance.

    Raises:
      ConfigError: an unknown zoo name, a missing file or run, a zoo entry or run of
        another family, or weights that do not fit the model the flags build.
    """
    source = config.init_from
    if registry.zoo_name(source) is not None:
        load, parent = _zoo_weights(registry.zoo_name(source), config)
    elif source.startswith(RUN_PREFIX):
        load, parent = _run_weights(source[len(RUN_PREFIX):], config)
    else:
        load, parent = _file_weights(source)
    try:
        load(model)
    except (OSError, ValueError) as error:
        raise ConfigError(
            f"--init_from={source}: its weights do not fit the model these flags build "
            f"({type(error).__name__}: {error}). {parent['built_as']}"
        ) from error
    return parent


def _copy_weights(model, trained):
    new_blocks = deepening.copy_weights(model, trained)
    if new_blocks:
        logging.info("%d blocks more than the weights started from: they start as identities",
                     new_blocks)
    if model.hidden_units != trained.hidden_units:
        logging.info("%d hidden units instead of %d: the new channels start at zero",
                     model.hidden_units, trained.hidden_units)


def _zoo_weights(name, config):
    try:
        entry = registry.get(name)
    except ValueError as error:
        raise ConfigError(f"--init_from={registry.PREFIX}{name}: {error}") from error
    built_as = (f"{name} is a {entry.model} built with {entry.hyperparameters} "
                f"for {entry.image_shape} images of {entry.num_levels} levels.")
    if entry.model != config.model:
        raise ConfigError(f"--init_from={registry.PREFIX}{name} needs --model={entry.model}: "
                          f"{built_as}")
    path = entry.weights_path
    sha256 = loading.sha256_of(path) if path.is_file() else None
    if sha256 != entry.sha256:
        raise ConfigError(f"--init_from={registry.PREFIX}{name}: {path} is missing or does not "
                          f"match the card's sha256.")

    def load(model):
        trained = loading.build_model(entry)
        trained.load_weights(path)
        _copy_weights(model, trained)

    return load, {
        "init_from": f"{registry.PREFIX}{name}", "sha256": sha256,
        "steps": entry.training.get("steps", 0), "metrics": entry.metrics,
        "history": segments.entry_segments(entry), "built_as": built_as,
    }


def _file_weights(source):
    path = pathlib.Path(source)
    if not path.is_file():
        raise ConfigError(f"--init_from={source}: no such file; give zoo:NAME or a "
                          ".weights.h5 file saved by model.save_weights().")
    sha256 = loading.sha256_of(path)
    return (lambda model: model.load_weights(path)), {
        "init_from": path.name, "sha256": sha256, "steps": 0, "metrics": {},
        "history": [segments.untracked_segment(f"weights file {path.name} (sha256 {sha256})")],
        "built_as": f"{path.name} must come from model.save_weights() of this architecture.",
    }


def _run_weights(run_dir, config):
    source = f"{RUN_PREFIX}{run_dir}"
    try:
        run_config = model_dir_lib.read_config(run_dir)
        checkpoint = model_dir_lib.latest_checkpoint(run_dir)
    except (OSError, ValueError) as error:
        raise ConfigError(f"--init_from={source}: not a training run ({error}).") from error
    if checkpoint is None:
        raise ConfigError(f"--init_from={source}: the run holds no checkpoint.")
    family = run_config["training"]["model"]
    built_as = f"{run_dir} holds a {family} run; its model: {run_config['model']['config']}."
    if family != config.model:
        raise ConfigError(f"--init_from={source} needs --model={family}: {built_as}")
    chain, steps = parent_lib.run_history(run_dir)
    problems = segments.chain_problems(chain, steps)
    if problems:
        raise ConfigError(f"--init_from={source}: its training history does not chain: "
                          f"{'; '.join(problems)}.")
    trained = model_dir_lib.load_model(run_dir, use_ema=False)
    return (lambda model: _copy_weights(model, trained)), {
        "init_from": f"{RUN_PREFIX}{os.path.basename(os.path.normpath(run_dir))}",
        "sha256": loading.sha256_of(pathlib.Path(checkpoint + ".data-00000-of-00001")),
        "steps": steps, "metrics": {}, "history": chain, "built_as": built_as,
    }
