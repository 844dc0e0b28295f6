"""The Keras optimizer pieces that a run's ``config.json`` names, registered for loading.

`pixel_zoo.model_dir.load_model` rebuilds a run's optimizer from its config to read the
moving averages of its weights, in processes that never import the training code
(``trainers.sample``, ``pixel-zoo``): these classes live here, where it imports them.
`pixel_zoo.training.optimizer.make_optimizer` puts them together.

Example:
    >>> schedule = LinearWarmup(keras.optimizers.schedules.CosineDecay(1e-3, 5000), 100)
    >>> adam = AdamWithEMAWarmup(schedule, use_ema=True, ema_momentum=0.999)
"""

import keras
import tensorflow as tf
from keras import ops

AVERAGING = ("exponential", "uniform")


@keras.saving.register_keras_serializable(package="pixel_zoo")
class AdamWithEMAWarmup(keras.optimizers.Adam):
    """Adam whose moving averages of the weights (``use_ema``) warm up, or are uniform.

    Keras averages with a fixed ``ema_momentum`` from the first step, so in a run from
    scratch the averages keep a share of the initial weights for thousands of steps
    (0.999: 37% after 1,000 steps, 5% after 3,000): they score far worse than the
    trained weights. Here, with ``averaging="exponential"``, the momentum at step ``t``
    is ``min(ema_momentum, (1 + t) / (10 + t))``, as `tf.train.ExponentialMovingAverage`
    with ``num_updates``: the averages cover about the last tenth of the steps until
    ``ema_momentum`` takes over (step 8,990 for 0.999).

    With ``averaging="uniform"`` the momentum is ``(1 + t) / (2 + t)``: the averages are
    the plain mean of the starting weights and the weights after every step, as in
    stochastic weight averaging (Izmailov et al., "Averaging Weights Leads to Wider
    Optima and Better Generalization", 2018), for a run that starts from trained weights
    (``--init_from``) at a constant learning rate.

    Args:
      averaging: "exponential" or "uniform" (see above).
      **kwargs: `keras.optimizers.Adam`'s.

    Example:
        >>> adam = AdamWithEMAWarmup(1e-3, use_ema=True, ema_momentum=0.999)
        >>> adam.apply_gradients(zip(grads, model.trainable_variables))
        >>> swa = AdamWithEMAWarmup(5e-4, use_ema=True, averaging="uniform")
    """

    def __init__(self, *args, averaging="exponential", **kwargs):
        if averaging not in AVERAGING:
            raise ValueError(f"averaging must be one of {AVERAGING}, got {averaging!r}.")
        super().__init__(*args, **kwargs)
        self.averaging = averaging

    def _update_model_variables_moving_average(self, trainable_variables):
        if not self.use_ema:
            return
        step = ops.cast(self.iterations, "float32")  # 0 at the first update
        if self.averaging == "uniform":
            momentum = (1.0 + step) / (2.0 + step)
        else:
            momentum = ops.minimum(self.ema_momentum, (1.0 + step) / (10.0 + step))
        for variable, average in zip(trainable_variables,
                                     self._model_variables_moving_average):
            if average is not None:
                rate = ops.cast(momentum, variable.dtype)
                average.assign(rate * average + (1.0 - rate) * variable)

    def get_config(self):
        return {**super().get_config(), "averaging": self.averaging}


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
