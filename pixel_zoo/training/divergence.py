"""The NaN guard: a run whose loss or weights become NaN or infinite stops before it
checkpoints them, keeping the last good checkpoint, and says what to try.

Example:
    >>> finite_losses([tf.constant(120.5)], step=1, saved_step=None, model_dir="/tmp/run")
    [120.5]
    >>> check_weights(model, step=100, saved_step=50, model_dir="/tmp/run")   # or raises
"""

import math

import tensorflow as tf

from pixel_zoo import model_dir as model_dir_lib


def finite_losses(losses, step, saved_step, model_dir):
    """The floats of the ``losses`` of the steps up to ``step``.

    Raises:
      FloatingPointError: one is NaN or Inf (naming its step and the checkpoint kept).
    """
    values = [float(loss) for loss in losses]
    for index, value in enumerate(values):
        if not math.isfinite(value):
            _stop(f"the training loss became {value} at step {step - len(values) + index + 1}",
                  saved_step, model_dir)
    return values


def check_weights(model, step, saved_step, model_dir):
    """Raises `FloatingPointError` where a trainable weight of ``model`` is NaN or Inf."""
    if not all(bool(tf.reduce_all(tf.math.is_finite(weight)))
               for weight in model.trainable_variables):
        _stop(f"the weights became NaN or infinite by step {step}", saved_step, model_dir)


def _stop(problem, saved_step, model_dir):
    kept = ("No checkpoint was written." if saved_step is None else
            f"The last good checkpoint (step {saved_step}) is kept in "
            f"{model_dir_lib.checkpoint_dir(model_dir)}.")
    raise FloatingPointError(
        f"Stopping: {problem}. {kept} Try a lower --learning_rate, --grad_clip, or leaving "
        "out --mixed_precision.")
