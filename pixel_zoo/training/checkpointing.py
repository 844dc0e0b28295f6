"""Saving and resuming a run's checkpoints, on one machine or several workers.

Resuming survives a damaged newest checkpoint (a truncated file, what a full disk or an
interrupted copy leaves): `Checkpointer.restore` resumes from the newest that reads, as
every reader of a run does (`pixel_zoo.model_dir.restore_newest`). A save that
fails raises `CheckpointWriteError` and leaves the earlier checkpoints in place (the
checkpoint files are complete before ``MODEL_DIR/checkpoints/checkpoint`` names them).

Example:
    >>> checkpointer = Checkpointer(model_dir, model_dir_lib.make_checkpoint(model, opt, step),
    ...                             strategy)
    >>> checkpointer.restore()        # the step of the newest good checkpoint, 0 if none
    >>> checkpointer.save(step=100)   # MODEL_DIR/checkpoints/ckpt-100
"""

import os
import shutil
import tempfile

import tensorflow as tf
from absl import logging

from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.training import distribute
from pixel_zoo.training.config import ConfigError


class CheckpointWriteError(OSError):
    """A checkpoint could not be written (a full disk, a lost mount); older ones are kept."""


class Checkpointer:
    """Writes ``MODEL_DIR/checkpoints/ckpt-<step>``, keeping the newest ``max_to_keep``.

    Under `MultiWorkerMirroredStrategy` every worker must take part in a save; only the
    chief writes to ``model_dir``, the others write to a scratch folder they delete.
    Every worker restores from the chief's folder, so ``model_dir`` must be on storage
    they all see.

    Args:
      model_dir: the run's folder.
      checkpoint: the run's `tf.train.Checkpoint` (`pixel_zoo.model_dir.make_checkpoint`).
      strategy: the run's strategy.
      max_to_keep: checkpoints kept.
    """

    def __init__(self, model_dir, checkpoint, strategy, max_to_keep=3):
        self.checkpoint = checkpoint
        self.directory = model_dir_lib.checkpoint_dir(model_dir)
        self.is_chief = distribute.is_chief(strategy)
        self.manager = self._make_manager(max_to_keep) if self.is_chief else None
        self.saved_step = None

    def _make_manager(self, max_to_keep):
        try:
            return tf.train.CheckpointManager(self.checkpoint, self.directory, max_to_keep)
        except ValueError as error:  # An empty state file (a garbled one TF itself ignores).
            state = os.path.join(self.directory, "checkpoint")
            logging.warning("Removing the damaged checkpoint state file %s (%s); the "
                            "checkpoints are found from their files.", state, error)
            os.remove(state)
            return tf.train.CheckpointManager(self.checkpoint, self.directory, max_to_keep)

    def restore(self):
        """Restores the newest checkpoint that reads; returns its step (0 without one).

        A damaged checkpoint is logged (which files, what is wrong) and skipped for the
        one before it.

        Raises:
          ConfigError: there are checkpoints and none reads; training from scratch would
            replace them, so that is left to the user.
        """
        try:
            path = model_dir_lib.restore_newest(self.checkpoint, os.path.dirname(self.directory))
        except model_dir_lib.NoReadableCheckpointError as error:
            raise ConfigError(str(error)) from error
        if path is None:
            return 0
        # Under a strategy the step is a MirroredVariable, which int() does not take.
        self.saved_step = int(self.checkpoint.step.numpy())
        return self.saved_step

    def save(self, step):
        """Saves the current state as checkpoint ``step``.

        Raises:
          CheckpointWriteError: the files could not be written; the checkpoints from
            before are kept and still listed.
        """
        try:
            if self.is_chief:
                self.manager.save(checkpoint_number=step)
            else:
                scratch = tempfile.mkdtemp(prefix="pixel_zoo_checkpoint_")
                self.checkpoint.write(os.path.join(scratch, "ckpt"))
                shutil.rmtree(scratch, ignore_errors=True)
        except (OSError, tf.errors.OpError) as error:
            kept = ("No earlier checkpoint exists." if self.saved_step is None else
                    f"The checkpoint of step {self.saved_step} is kept.")
            raise CheckpointWriteError(
                f"Could not write the checkpoint of step {step} in {self.directory} "
                f"({type(error).__name__}: {error}). Is the disk full? {kept} Free some space "
                "and rerun the same command to resume."
            ) from error
        self.saved_step = step
