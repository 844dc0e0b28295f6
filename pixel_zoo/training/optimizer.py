"""The optimiser of a run: Adam, its learning-rate schedule and gradient clipping.

The moving averages of the weights (``--ema``) are not the optimizer's: see
`pixel_zoo.averages`.

Example:
    >>> optimizer = make_optimizer(TrainConfig(model_dir="/tmp/run", lr_schedule="cosine"))
    >>> optimizer.build(model.trainable_variables)
"""

import keras
import tensorflow as tf

from pixel_zoo.optimizers import LinearWarmup


def make_optimizer(config, schedule_steps=None):
    """Adam as in the PixelRNN paper (learning rate 1e-3), with the schedule of ``config``.

    Gradient clipping is not Keras's ``global_clipnorm``: under a strategy that clips each
    replica's share of the gradient. The train step calls `clip_by_global_batch_norm`.

    Args:
      config: a `TrainConfig`.
      schedule_steps: the decay schedule's length (default ``config.train_steps``); a
        resumed run keeps its first one (`pixel_zoo.training.resume.schedule_steps`).

    Returns:
      A Keras optimizer, wrapped in a `keras.optimizers.LossScaleOptimizer` for float16
      mixed precision (bfloat16 has float32's range and needs no loss scale).
    """
    learning_rate = config.learning_rate
    schedule_steps = schedule_steps or config.train_steps
    if config.lr_schedule == "exponential":
        learning_rate = keras.optimizers.schedules.ExponentialDecay(
            config.learning_rate, decay_steps=schedule_steps, decay_rate=0.1
        )
    elif config.lr_schedule == "cosine":
        learning_rate = keras.optimizers.schedules.CosineDecay(
            config.learning_rate, decay_steps=schedule_steps
        )
    if config.warmup_steps:
        learning_rate = LinearWarmup(learning_rate, config.warmup_steps)
    optimizer = keras.optimizers.Adam(learning_rate)
    if config.mixed_precision and config.mixed_precision_dtype == "float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def clip_by_global_batch_norm(grads, clip_norm, loss_scale=1.0):
    """Clips one replica's gradients so that the global-batch gradient has norm <= ``clip_norm``.

    In replica context each replica holds its share of the gradient (the loss is averaged
    over the global batch), and the optimizer sums the shares. Clipping is linear, so
    scaling every share by the factor the sum needs clips the sum.

    Args:
      grads: this replica's gradients (times ``loss_scale``); None ones stay None.
      clip_norm: the largest global norm; 0 or None returns ``grads`` unchanged.
      loss_scale: the factor the loss was multiplied by (mixed precision).

    Returns:
      The scaled gradients. A non-finite norm gives non-finite gradients, which a
      `LossScaleOptimizer` skips.
    """
    if not clip_norm:
        return grads
    present = [grad for grad in grads if grad is not None]  # None: a weight the loss skips
    summed = tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, present)
    norm = tf.linalg.global_norm(summed) / tf.cast(loss_scale, tf.float32)
    factor = tf.minimum(1.0, clip_norm / norm)
    return [None if grad is None else grad * tf.cast(factor, grad.dtype) for grad in grads]
