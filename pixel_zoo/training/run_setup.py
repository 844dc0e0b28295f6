"""What a training run is built from: its data, its model, and the checks against the run
already in its folder.

Example:
    >>> train_data = load_split(config, "train")
    >>> model = build_model(config, train_data)
    >>> stored = stored_config(config.model_dir)     # None for a new run
    >>> if stored:
    ...     check_same_run(config, stored, model)
"""

import json

import keras

import pixel_zoo as pz
from pixel_zoo import data
from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.training import precision
from pixel_zoo.training.config import ConfigError


def load_split(config, split):
    try:
        return data.load_split(config.dataset, split, config.data_dir)
    except (FileNotFoundError, ValueError) as error:
        raise ConfigError(f"--dataset={config.dataset} --data_dir={config.data_dir}: {error}") \
            from error


def build_model(config, train_data):
    """The model for ``train_data``'s images, under a mixed-precision policy if asked."""
    hyperparameters = config.model_hyperparameters()
    if config.class_conditional:
        hyperparameters["num_classes"] = _num_classes(config, train_data)
    policy = None
    if config.mixed_precision:
        policy = f"mixed_{config.mixed_precision_dtype}"
        precision.warn_if_emulated(config.mixed_precision_dtype)
    try:
        return pz.models.build(
            config.model, image_shape=train_data.image_shape,
            num_levels=train_data.num_levels, dtype_policy=policy, **hyperparameters,
        )
    except ValueError as error:
        raise ConfigError(f"--model={config.model}: {error}") from error


def _num_classes(config, train_data):
    if train_data.labels is None:
        raise ConfigError(f"--class_conditional needs labels, and {config.dataset} has none.")
    if train_data.class_names:
        return len(train_data.class_names)
    return int(train_data.labels.max()) + 1


def stored_config(model_dir):
    """The ``config.json`` of the run in ``model_dir``, None for a new run."""
    try:
        return model_dir_lib.read_config(model_dir)
    except FileNotFoundError:
        return None


def check_same_run(config, previous, model):
    """Refuses a ``model_dir`` that holds a run of another model or dataset."""
    current = json.loads(json.dumps(keras.saving.serialize_keras_object(model)))
    if previous["model"] != current or previous["dataset"] != config.dataset:
        table = model_dir_lib.difference_table(model_dir_lib.setting_differences(
            previous, {"model": current, "dataset": config.dataset}))
        raise ConfigError(
            f"{config.model_dir} holds a run of another model or dataset; resume it with its "
            f"flags, or use a new --model_dir:\n{table}"
        )
