"""The training loop: one custom loop for every `tf.distribute` strategy.

A custom loop (``strategy.run`` on a distributed dataset, the loss averaged with
`tf.nn.compute_average_loss` over the global batch) rather than Keras ``fit``, which
fails under `MultiWorkerMirroredStrategy` in TF 2.21.

Resuming: the batches are a fixed sequence given the seed (the data layer reshuffles
each epoch from it), and the checkpointed step is also the data position, so a resumed
run skips the ``step`` batches it has trained on and sees what the crashed run would have.

Example:
    >>> strategy = distribute.make_strategy("auto")
    >>> train(TrainConfig(model_dir="/tmp/run", model="pixelcnn", train_steps=1000,
    ...                   data_dir="/work/shared/data"), strategy)
    {'step': 1000, 'nats': 96.3, 'bits_per_dim': 0.1772, 'num_images': 1600}
"""

import contextlib
import dataclasses
import signal
import time

import keras
import tensorflow as tf
from absl import logging

from pixel_zoo import data
from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.averages import WeightAverages
from pixel_zoo.evaluation import Evaluator, eval_dataset
from pixel_zoo.layers import weight_norm
from pixel_zoo.progress import ProgressLog
from pixel_zoo.provenance import history
from pixel_zoo.provenance import parent as parent_lib
from pixel_zoo.training import (
    distillation,
    distribute,
    divergence,
    initialization,
    preemption,
    resume,
    run_setup,
)
from pixel_zoo.training.checkpointing import Checkpointer
from pixel_zoo.training.config import ConfigError
from pixel_zoo.training.optimizer import make_optimizer
from pixel_zoo.training.run_lock import RunLock
from pixel_zoo.training.summaries import SummaryWriters, write_samples
from pixel_zoo.training.train_step import make_train_step


def train(config, strategy=None):
    """Trains, or resumes training, ``config.model`` on ``config.dataset`` in ``config.model_dir``.

    Writes ``config.json`` (on the first call only), checkpoints every ``checkpoint_every`` steps and at the end,
    training summaries every ``log_every`` steps, and validation summaries with a sample
    grid every ``eval_every`` steps and at the end (see `pixel_zoo.model_dir`). A fresh
    run also validates at step 0. Each call appends a line to ``history.jsonl``
    (`pixel_zoo.provenance.history`). A rerun resumes from the newest checkpoint that reads,
    and must keep the flags that fix the data position and the setup
    (`pixel_zoo.training.resume`). One trainer at a time holds a run folder
    (`pixel_zoo.training.run_lock`); SIGTERM and SIGINT end the current step with a
    checkpoint (`pixel_zoo.training.preemption`).

    Args:
      config: a `TrainConfig`.
      strategy: a `tf.distribute.Strategy` (`distribute.make_strategy`); default: the
        current one.

    Returns:
      The last validation: ``{"step", "nats", "bits_per_dim", "num_images"}``.

    Raises:
      ConfigError: a setting that cannot work (unknown dataset, missing data, a batch that
        does not split over the replicas, another model in ``model_dir``, a resumed run's
        flags changed), before training.
      CheckpointWriteError: a checkpoint could not be written; the ones before are kept.
      FloatingPointError: the loss or the weights became NaN or infinite; the checkpoints
        from before are kept, and no later one is written.
      TrainingInterrupted: SIGTERM or SIGINT arrived; the step it ended is checkpointed
        (`pixel_zoo.training.preemption`).
    """
    strategy = strategy or tf.distribute.get_strategy()
    with RunLock(config.model_dir, enabled=distribute.is_chief(strategy)):
        return _Run(config, strategy).run()


class _Run:
    """One call of `train`: the objects it builds, then its loop."""

    def __init__(self, config, strategy):
        replicas = strategy.num_replicas_in_sync
        if config.batch_size % replicas:
            raise ConfigError(
                f"batch_size {config.batch_size} does not split evenly over {replicas} "
                f"replicas; use a multiple of {replicas}."
            )
        self.time_start, self.timer = history.now(), time.perf_counter()
        self.load = history.LoadMonitor()
        stored = run_setup.stored_config(config.model_dir)
        if stored:
            resume.check_unchanged(config, stored["training"])
            resume.check_averages_layout(config.model_dir, stored)
        train_data, valid_data = run_setup.load_split(config, "train"), run_setup.load_split(config, "valid")
        keras.utils.set_random_seed(config.seed)
        with strategy.scope():
            self.model = run_setup.build_model(config, train_data)
            self.optimizer = make_optimizer(
                config, resume.schedule_steps(config, stored and stored["training"]))
            self.optimizer.build(self.model.trainable_variables)
            self.averages = WeightAverages(self.model, config.averaging) if config.ema else None
            step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
            teacher = distillation.load_teacher(
                config.distill_from, train_data.image_shape, train_data.num_levels,
            ) if config.distill_from else None
        if stored:
            run_setup.check_same_run(config, stored, self.model)
        self.config, self.strategy = config, strategy
        self.checkpointer = Checkpointer(
            config.model_dir,
            model_dir_lib.make_checkpoint(self.model, self.optimizer, step, self.averages),
            strategy,
        )
        self.start = self.checkpointer.restore()
        self.is_chief = distribute.is_chief(strategy)
        if self.start:
            logging.info("Resuming from the checkpoint at step %d in %s", self.start,
                         config.model_dir)
        elif config.init_from:
            self.initialize_from(config)
        if self.is_chief and not stored:  # Kept as first written: history.jsonl has the rest.
            model_dir_lib.write_config(
                config.model_dir, self.model, self.optimizer, dataset=config.dataset,
                training=dataclasses.asdict(config), num_replicas=replicas,
            )
        conditional = self.model.num_classes is not None
        batches = data.make_dataset(
            train_data, config.batch_size, shuffle=True, repeat=True, seed=config.seed,
            with_labels=conditional, drop_remainder=True,
        )
        batches = data.perturb_dataset(
            batches, config.perturb_rate, train_data.num_levels, config.seed,
        )
        if not (self.start or config.init_from):
            self.initialize_from_data(batches)
        batches = batches.skip(self.start)
        self.batches = iter(strategy.experimental_distribute_dataset(batches))
        self.train_step = make_train_step(strategy, self.model, self.optimizer, step, config,
                                           teacher, self.averages)
        self.evaluator = Evaluator(strategy, self.model, eval_dataset(
            valid_data, config.batch_size, config.eval_batches, conditional))
        self.writers = SummaryWriters(config.model_dir, enabled=self.is_chief)
        self.progress = ProgressLog(config.batch_size, config.train_steps, self.model.image_shape,
                                    start=self.start)
        # Time in training steps, this run's earlier invocations included (--eval_minutes).
        self.trained_before = history.training_seconds(config.model_dir) if self.start else 0.0
        self.trained_seconds = self.trained_before
        self.minute_marks = sorted(60 * minutes for minutes in config.eval_minutes
                                   if 60 * minutes > self.trained_seconds)

    def initialize_from(self, config):
        """Starts from ``config.init_from``'s weights (and moving averages), kept on record."""
        parent = initialization.load_initial_weights(self.model, config)
        if self.averages:
            self.averages.start()
        if self.is_chief:
            parent_lib.write_parent(config.model_dir, parent)
        logging.info("Starting from %s (%d steps trained before)", parent["init_from"],
                     parent["steps"])

    def initialize_from_data(self, batches):
        """A new weight-normalized model's data-dependent init, from the first training batch."""
        if not weight_norm.weight_normalized_layers(self.model):
            return
        first = next(iter(batches))
        with self.strategy.scope():
            count = weight_norm.initialize_from_data(
                self.model, *(first if isinstance(first, tuple) else (first,)))
        if self.averages:
            self.averages.start()
        logging.info("Data-dependent init of %d weight-normalized layers", count)

    def run(self):
        """Trains to ``train_steps``; returns the last validation. Appends to history.jsonl."""
        outcome = "interrupted"
        try:
            result = self.train()
            outcome = "finished" if result["step"] >= self.config.train_steps else "time limit"
            return result
        except preemption.TrainingInterrupted as interrupted:
            outcome = f"interrupted ({interrupted.signal_name}) at step {interrupted.step}"
            raise
        except Exception as error:
            outcome = f"{type(error).__name__}: {error}"
            raise
        finally:
            if self.is_chief:
                history.append(
                    self.config.model_dir, self.config, self.start,
                    max(self.start, self.checkpointer.saved_step or 0), self.time_start,
                    time.perf_counter() - self.timer, outcome, self.strategy,
                    self.load.summary(), self.trained_seconds - self.trained_before)

    def train(self):
        """The loop of `run`."""
        config = self.config
        with contextlib.closing(self.writers), preemption.catch_signals() as signals:
            if self.start == 0 and config.eval_every:
                self.validate(0, with_samples=False)
            if self.start >= config.train_steps:
                logging.info("Already trained to step %d (train_steps=%d); validating only.",
                             self.start, config.train_steps)
            step, losses, timer = self.start, [], time.perf_counter()
            deadline = timer + 60 * config.time_limit_minutes
            while step < config.train_steps:
                # Losses stay tensors until a log, checkpoint or validation needs them:
                # reading each one would stall an accelerator after every step.
                losses.append(self.train_step(self.batches))
                step += 1
                self.progress.advance(step)
                out_of_time, marked, interrupted = self.clock_events(
                    deadline, time.perf_counter() - timer, signals.received)
                last = step == config.train_steps or out_of_time or interrupted
                log_now = step % config.log_every == 0 or last
                save_now = _every(step, config.checkpoint_every) or last
                validate_now = (marked or _every(step, config.eval_every)) and not last
                if not (log_now or save_now or validate_now):
                    continue
                seconds = time.perf_counter() - timer
                self.trained_seconds += seconds
                self.progress.record(divergence.finite_losses(
                    losses, step, self.checkpointer.saved_step, config.model_dir), seconds)
                losses = []
                if log_now:
                    self.load.sample()
                    metrics = self.progress.flush(step)
                    metrics["learning_rate"] = float(
                        tf.convert_to_tensor(self.optimizer.learning_rate))
                    self.writers.scalars("train", step, metrics)
                if save_now:
                    self.save(step)
                if interrupted:  # Exit quickly: a preempted machine gives seconds.
                    raise preemption.TrainingInterrupted(
                        signals.received or signal.SIGTERM, step)
                if validate_now:
                    self.validate(step)
                if last:
                    break
                timer = time.perf_counter()
            return self.validate(step)

    def clock_events(self, deadline, seconds_since_recorded, signal_received):
        """(past ``--time_limit_minutes``, past an ``--eval_minutes`` mark, a stopping
        signal received), as every worker agrees (`distribute.any_worker`: with several
        workers, one small collective per step)."""
        config = self.config
        out_of_time = bool(config.time_limit_minutes) and time.perf_counter() >= deadline
        marked = self.reached_mark(seconds_since_recorded)
        return distribute.any_worker(self.strategy, out_of_time, marked,
                                     signal_received is not None)

    def reached_mark(self, seconds_since_recorded):
        """Whether the training time passed the next ``--eval_minutes`` mark (then dropped)."""
        reached = False
        while self.minute_marks and (
                self.trained_seconds + seconds_since_recorded >= self.minute_marks[0]):
            self.minute_marks.pop(0)
            reached = True
        return reached

    def save(self, step):
        """Checkpoints ``step``, unless a weight is NaN or Inf."""
        divergence.check_weights(self.model, step, self.checkpointer.saved_step,
                                 self.config.model_dir)
        self.checkpointer.save(step)

    def validate(self, step, with_samples=True):
        """Evaluates (with the EMA weights, if kept), samples a grid, writes the summaries."""
        config = self.config
        with self.averages.swapped_in() if self.averages else contextlib.nullcontext():
            metrics = self.evaluator()
            if self.is_chief and with_samples and config.num_samples:
                write_samples(self.model, config, step, self.writers)
        self.writers.scalars("valid", step, {
            "nats": metrics["nats"], "bits_per_dim": metrics["bits_per_dim"],
            "training_minutes": self.trained_seconds / 60})
        self.writers.flush()
        logging.info("validation at step %d: %.2f nats  %.4f bits/dim  (%d images)",
                     step, metrics["nats"], metrics["bits_per_dim"], metrics["num_images"])
        return {"step": step, **metrics}


def _every(step, interval):
    return interval and step % interval == 0


