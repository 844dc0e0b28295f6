"""The Keras optimizer pieces that a run's ``config.json`` names, registered for loading.

`pixel_zoo.model_dir.load_model` rebuilds an older run's optimizer from its config to read
the moving averages it kept (`AdamWithEMAWarmup`), in processes that never import the
training code (``trainers.sample``, ``pixel-zoo``): these classes live here, where it
imports them. `pixel_zoo.training.optimizer.make_optimizer` puts the schedule together.

Example:
    >>> schedule = LinearWarmup(keras.optimizers.schedules.CosineDecay(1e-3, 5000), 100)
    >>> adam = keras.optimizers.Adam(schedule)
"""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="pixel_zoo")
class AdamWithEMAWarmup(keras.optimizers.Adam):
    """Deprecated: the optimizer of runs trained before `pixel_zoo.averages` kept the averages.

    Those runs kept their moving averages of the weights inside this optimizer (Keras's
    ``use_ema``), and their ``config.json`` names it: `pixel_zoo.model_dir.load_model`
    rebuilds it from there to read them. It is `keras.optimizers.Adam` taking (and
    dropping) the ``averaging`` setting it had; the warm-up it gave the averages is now
    `pixel_zoo.averages.WeightAverages`'s, and training makes a plain Adam.

    Example:
        >>> old = keras.saving.deserialize_keras_object(read_config(run)["optimizer"])
        >>> old.build(model.trainable_variables)     # then restore the run's checkpoint
    """

    def __init__(self, *args, averaging=None, **kwargs):
        del averaging  # WeightAverages' setting now (--averaging)
        super().__init__(*args, **kwargs)


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
