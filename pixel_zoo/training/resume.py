"""Which flags a resumed run may change, and the refusal that names the others.

A run's batches are a fixed sequence given its seed and batch size, and its checkpoint
holds one model and one optimizer, so resuming with another ``--batch_size``, ``--seed``,
``--dataset``, model size, learning rate or schedule would train on the wrong data
position or another setup. Those are refused with a table of stored and requested values.
The flags in `MAY_CHANGE` only say how long to train and what to log, validate and save;
each invocation's values are kept in ``MODEL_DIR/history.jsonl`` (`pixel_zoo.provenance.history`).

The learning-rate schedule's length is the ``train_steps`` of the first invocation, kept in
``config.json``: a rerun with more ``--train_steps`` continues the same schedule (an
exponential decay keeps decaying, a cosine stays at 0 past its end) instead of jumping to
a stretched one.

Example:
    >>> check_unchanged(TrainConfig(model_dir="/tmp/run", batch_size=16),
    ...                 {"batch_size": 32, "model_dir": "/tmp/run", ...})
    ConfigError: /tmp/run holds a run with other settings ...
      setting     stored  requested
      batch_size  32      16
"""

import dataclasses

from absl import logging

from pixel_zoo import averages
from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.training.config import ConfigError, TrainConfig

MAY_CHANGE = frozenset({
    "model_dir", "data_dir", "train_steps", "time_limit_minutes", "log_every", "eval_every",
    "eval_minutes", "eval_batches", "checkpoint_every", "num_samples",
})


def check_unchanged(config, stored):
    """Raises `ConfigError` naming each flag of ``config`` that differs from the ``stored`` run.

    Args:
      config: the requested `TrainConfig`.
      stored: the run's first flags (``config.json``'s ``"training"``); a flag missing
        there (a run from an older version) counts as its default.
    """
    defaults = {field.name: field.default for field in dataclasses.fields(TrainConfig)}
    changed = [
        (name, stored.get(name, defaults[name]), value)
        for name, value in dataclasses.asdict(config).items()
        if name not in MAY_CHANGE and stored.get(name, defaults[name]) != value
    ]
    if not changed:
        return
    table = model_dir_lib.difference_table(
        (name, repr(old), repr(new)) for name, old, new in changed)
    raise ConfigError(
        f"{config.model_dir} holds a run with other settings, and resuming it with these "
        f"would train on the wrong data or another setup:\n{table}\n"
        f"Rerun with the stored values, or use a new --model_dir. (May change on a rerun: "
        f"{', '.join(sorted(MAY_CHANGE - {'model_dir'}))}.)"
    )


def check_averages_layout(model_dir, stored):
    """Refuses to resume a run whose checkpoints keep the moving averages inside the optimizer.

    Runs trained with ``--ema`` before `pixel_zoo.averages` kept them in Keras's optimizer
    (``use_ema``): its checkpoint's optimizer does not restore into today's Adam, and the
    averages are not where today's checkpoint has them. Their weights and averages still
    load (`pixel_zoo.model_dir.load_model`), and ``--init_from`` continues them.

    Args:
      model_dir: the run's folder.
      stored: its ``config.json`` (`pixel_zoo.model_dir.read_config`).

    Example:
        >>> check_averages_layout("/tmp/old_run", read_config("/tmp/old_run"))
        ConfigError: /tmp/old_run was trained with --ema by an older pixel_zoo ...
    """
    if averages.kept_in_optimizer(stored):
        raise ConfigError(
            f"{model_dir} was trained with --ema by an older pixel_zoo, which kept the moving "
            "averages inside the optimizer; this one keeps them beside it and cannot resume "
            f"that checkpoint. Continue it in a new --model_dir with --init_from=run:{model_dir} "
            "--ema (a fresh optimizer, and averages started at its raw weights), or resume "
            "it with the pixel_zoo that trained it. Evaluating, sampling and exporting it "
            "still read its averages.")


def schedule_steps(config, stored):
    """The learning-rate schedule's length: the first invocation's ``train_steps``."""
    steps = stored.get("train_steps", config.train_steps) if stored else config.train_steps
    if config.lr_schedule != "constant" and config.train_steps > steps:
        logging.warning(
            "--train_steps=%d goes past the %s schedule's %d steps (the first call's "
            "train_steps), which it continues: %s.", config.train_steps, config.lr_schedule,
            steps, "the learning rate stays 0" if config.lr_schedule == "cosine"
            else "the learning rate keeps decaying")
    return steps
