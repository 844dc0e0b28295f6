"""Saving and resuming a run's checkpoints, on one machine or several workers.

Example:
    >>> checkpointer = Checkpointer(model_dir, model_dir_lib.make_checkpoint(model, opt, step),
    ...                             strategy)
    >>> checkpointer.restore()        # the step of the latest checkpoint, 0 if none
    >>> checkpointer.save(step=100)   # MODEL_DIR/checkpoints/ckpt-100
"""

import os
import shutil
import tempfile

import tensorflow as tf

from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.training import distribute


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
        self.manager = (tf.train.CheckpointManager(checkpoint, self.directory, max_to_keep)
                        if self.is_chief else None)
        self.saved_step = None

    def restore(self):
        """Restores the latest checkpoint, if any; returns its step (0 without one)."""
        path = tf.train.latest_checkpoint(self.directory)
        if path is None:
            return 0
        self.checkpoint.restore(path).assert_existing_objects_matched()
        self.saved_step = int(self.checkpoint.step)
        return self.saved_step

    def save(self, step):
        """Saves the current state as checkpoint ``step``."""
        if self.is_chief:
            self.manager.save(checkpoint_number=step)
        else:
            scratch = tempfile.mkdtemp(prefix="pixel_zoo_checkpoint_")
            self.checkpoint.write(os.path.join(scratch, "ckpt"))
            shutil.rmtree(scratch, ignore_errors=True)
        self.saved_step = step
