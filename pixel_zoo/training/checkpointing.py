"""Saving and resuming a run's checkpoints, on one machine or several workers.

Resuming survives a damaged newest checkpoint (a truncated file, what a full disk or an
interrupted copy leaves): `Checkpointer.restore` tries the checkpoints newest first, logs
what is wrong with each one it skips, and resumes from the newest that reads. A save that
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
        paths = model_dir_lib.checkpoints(os.path.dirname(self.directory))
        for path in reversed(paths):
            try:
                self.checkpoint.restore(path).assert_existing_objects_matched()
            except (tf.errors.OpError, ValueError, IndexError, AssertionError) as error:
                logging.warning("Skipping the damaged checkpoint %s (%s); %s. Trying the one "
                                "before it.", path, _first_line(error), diagnose(path))
                continue
            # Under a strategy the step is a MirroredVariable, which int() does not take.
            self.saved_step = int(self.checkpoint.step.numpy())
            return self.saved_step
        if paths:
            raise ConfigError(
                f"None of the {len(paths)} checkpoints in {self.directory} reads (see the "
                "warnings above). Restore them from a copy, or move the folder aside to "
                "train from scratch."
            )
        return 0

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


def diagnose(path):
    """What is wrong with checkpoint ``path``: the first file that does not read, and why.

    Reads every tensor, so call it only for a checkpoint that failed to restore.

    Example:
        >>> diagnose("/tmp/run/checkpoints/ckpt-6")
        'ckpt-6.data-00000-of-00001 (812 bytes): tensor model/... does not read: ...'
    """
    folder, prefix = os.path.split(path)
    try:
        reader = tf.train.load_checkpoint(path)
    except (tf.errors.OpError, ValueError) as error:
        return f"{_file_and_size(folder, prefix + '.index')}: {_first_line(error)}"
    for name in sorted(reader.get_variable_to_shape_map()):
        try:
            reader.get_tensor(name)
        except (tf.errors.OpError, ValueError, IndexError) as error:
            data_files = sorted(file for file in tf.io.gfile.listdir(folder)
                                if file.startswith(prefix + ".data-"))
            files = ", ".join(_file_and_size(folder, file) for file in data_files)
            return f"{files or 'no data file'}: tensor {name} does not read: {_first_line(error)}"
    return "every file reads; the checkpoint does not match this run's objects"


def _file_and_size(folder, name):
    path = os.path.join(folder, name)
    if not tf.io.gfile.exists(path):
        return f"{name} (missing)"
    return f"{name} ({tf.io.gfile.stat(path).length} bytes)"


def _first_line(error):
    return f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[0]}"
