"""The optimiser of a run: Adam, its learning-rate schedule, gradient clipping, EMA weights.

Example:
    >>> optimizer = make_optimizer(TrainConfig(model_dir="/tmp/run", ema=True))
    >>> optimizer.build(model.trainable_variables)
    >>> with ema_weights(optimizer, model):
    ...     evaluate()            # runs with the moving averages; training weights come back
"""

import contextlib

import keras
import tensorflow as tf
from keras import ops

EMA_MOMENTUM = 0.999


def make_optimizer(config, schedule_steps=None):
    """Adam as in the PixelRNN paper (learning rate 1e-3), with the schedule and EMA of ``config``.

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
    optimizer = AdamWithEMAWarmup(
        learning_rate, use_ema=config.ema, ema_momentum=EMA_MOMENTUM
    )
    if config.mixed_precision and config.mixed_precision_dtype == "float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


@keras.saving.register_keras_serializable(package="pixel_zoo")
class AdamWithEMAWarmup(keras.optimizers.Adam):
    """Adam whose moving averages of the weights (``use_ema``) warm up.

    Keras averages with a fixed ``ema_momentum`` from the first step, so in a run from
    scratch the averages keep a share of the initial weights for thousands of steps
    (0.999: 37% after 1,000 steps, 5% after 3,000): they score far worse than the
    trained weights. Here the momentum at step ``t`` is
    ``min(ema_momentum, (1 + t) / (10 + t))``, as `tf.train.ExponentialMovingAverage`
    with ``num_updates``: the averages cover about the last tenth of the steps until
    ``ema_momentum`` takes over (step 8,990 for 0.999).

    Example:
        >>> adam = AdamWithEMAWarmup(1e-3, use_ema=True, ema_momentum=0.999)
        >>> adam.apply_gradients(zip(grads, model.trainable_variables))
    """

    def _update_model_variables_moving_average(self, trainable_variables):
        if not self.use_ema:
            return
        step = ops.cast(self.iterations, "float32")  # 0 at the first update
        momentum = ops.minimum(self.ema_momentum, (1.0 + step) / (10.0 + step))
        for variable, average in zip(trainable_variables,
                                     self._model_variables_moving_average):
            if average is not None:
                rate = ops.cast(momentum, variable.dtype)
                average.assign(rate * average + (1.0 - rate) * variable)


@keras.saving.register_keras_serializable(package="pixel_zoo")
class LinearWarmup(keras.optimizers.schedules.LearningRateSchedule):
    """Scales a learning rate (a number or a schedule) up linearly over the first steps.

    The rate at step ``s`` is ``schedule(s) * min(1, (s + 1) / warmup_steps)``: a run
    started from trained weights (``--init_from``) with a fresh Adam takes small steps
    while Adam's moment estimates settle.

    Example:
        >>> warmup = LinearWarmup(1e-3, warmup_steps=100)
        >>> float(warmup(0)), float(warmup(49)), float(warmup(500))
        (1e-05, 0.0005, 0.001)
    """

    def __init__(self, schedule, warmup_steps):
        if isinstance(schedule, dict):  # from_config
            schedule = keras.optimizers.schedules.deserialize(schedule)
        self.schedule = schedule
        self.warmup_steps = int(warmup_steps)

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        rate = self.schedule(step) if callable(self.schedule) else self.schedule
        return tf.cast(rate, tf.float32) * tf.minimum(1.0, (step + 1.0) / self.warmup_steps)

    def get_config(self):
        schedule = self.schedule
        if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
            schedule = keras.optimizers.schedules.serialize(schedule)
        return {"schedule": schedule, "warmup_steps": self.warmup_steps}


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


def start_averages(optimizer, model):
    """Starts the moving averages at the model's weights, so they are never all-zero ones.

    Keras creates them as zeros and fills them at the first step: a validation before it
    (a fresh run's step 0) would score all-zero weights. Call it after ``optimizer.build``;
    a restored checkpoint overwrites them. Does nothing for an optimizer without EMA.
    """
    if not _uses_ema(optimizer):
        return
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    # Keras keeps the averages in this list, one per trainable variable, in their order.
    for average, variable in zip(inner._model_variables_moving_average,
                                 model.trainable_variables):
        average.assign(variable)


@contextlib.contextmanager
def ema_weights(optimizer, model):
    """Runs the block with the model's moving-average weights, then restores the trained ones.

    Does nothing for an optimizer without EMA. Call it in cross-replica context (outside
    ``strategy.run``), on every worker.
    """
    if not _uses_ema(optimizer):
        yield
        return
    variables = model.trainable_variables
    trained = [tf.identity(variable.value) for variable in variables]
    optimizer.finalize_variable_values(variables)
    try:
        yield
    finally:
        for variable, value in zip(variables, trained):
            variable.assign(value)


def _uses_ema(optimizer):
    return getattr(optimizer, "inner_optimizer", optimizer).use_ema
