"""Moving averages of a model's weights (``--ema``), kept by pixel_zoo itself, not by Keras.

One float32 `tf.Variable` per trainable weight, created where the model's are (under a
`tf.distribute` strategy: mirrored like them), started at the model's weights and blended
with them after every optimizer update (`pixel_zoo.training.train_step`). A run's
checkpoint holds them under ``averages``, keyed by each weight's Keras path
(`pixel_zoo.model_dir.make_checkpoint`), which `pixel_zoo.model_dir.load_model` reads.
They live here, in the library, for that reader; only Keras's public API touches them.

The momentum at update ``t`` (0 at the optimizer's first update) is, for
``averaging="exponential"``, ``min(0.999, (1 + t) / (10 + t))``, as
`tf.train.ExponentialMovingAverage` with ``num_updates``: the averages cover about the last
tenth of the updates until 0.999 takes over (update 8,990). Keras's fixed momentum keeps a
share of the initial weights for thousands of steps (0.999: 37% after 1,000 steps).
For ``averaging="uniform"`` it is ``(1 + t) / (2 + t)``: the averages are the plain mean of
the starting weights and the weights after every update, as in stochastic weight averaging
(Izmailov et al., "Averaging Weights Leads to Wider Optima and Better Generalization",
2018), for a run from trained weights (``--init_from``) at a constant learning rate.

Example:
    >>> with strategy.scope():
    ...     averages = WeightAverages(model, averaging="exponential")
    >>> optimizer.apply_gradients(zip(grads, model.trainable_variables))
    >>> averages.update(optimizer.iterations)      # cross-replica context
    >>> with averages.swapped_in():
    ...     evaluate(model)                        # with the averages; trained weights return
"""

import contextlib

import tensorflow as tf

AVERAGING = ("exponential", "uniform")
EMA_MOMENTUM = 0.999  # the exponential averages' momentum once warmed up


class WeightAverages:
    """Moving averages of ``model``'s trainable weights, started at their current values.

    Create it where the model was built (inside its strategy's scope), after the model is
    built. Call `update`, `start` and `swapped_in` in cross-replica context (outside
    ``strategy.run``), on every worker.

    Args:
      model: a built Keras model.
      averaging: "exponential" or "uniform" (see the module docstring).

    Example:
        >>> averages = WeightAverages(model, averaging="uniform")
        >>> tf.train.Checkpoint(averages=averages.by_path).write("/tmp/averages")
    """

    def __init__(self, model, averaging="exponential"):
        if averaging not in AVERAGING:
            raise ValueError(f"averaging must be one of {AVERAGING}, got {averaging!r}.")
        self.averaging = averaging
        variables = model.trainable_variables
        # The tf.Variables behind the Keras ones (MirroredVariables under a strategy).
        self.weights = [variable.value for variable in variables]
        self.strategy = tf.distribute.get_strategy()
        self.averages = [tf.Variable(tf.cast(weight, tf.float32), trainable=False,
                                     name="average") for weight in self.weights]
        self.by_path = {variable.path: average
                        for variable, average in zip(variables, self.averages)}
        if len(self.by_path) != len(self.averages):
            raise ValueError("Two trainable weights share a path: their averages would be "
                             "saved as one.")

    def start(self):
        """Restarts the averages at the model's weights (after new weights are loaded)."""
        self._assign(self.averages, self.weights, lambda average, weight: weight)

    def momentum(self, iterations):
        """The momentum of the update that brought the optimizer to ``iterations`` updates."""
        t = tf.cast(iterations, tf.float32) - 1.0  # 0 at the first update
        if self.averaging == "uniform":
            return (1.0 + t) / (2.0 + t)
        return tf.minimum(EMA_MOMENTUM, (1.0 + t) / (10.0 + t))

    def update(self, iterations, applied=True):
        """Blends the weights into the averages after an optimizer update.

        Args:
          iterations: the optimizer's ``iterations`` after the update.
          applied: False (a bool tensor, in a `tf.function`) where the optimizer skipped
            the update (a `keras.optimizers.LossScaleOptimizer` skips steps with
            non-finite gradients): the averages stay as they are.
        """
        momentum = self.momentum(iterations)

        def blend():
            self._assign(self.averages, self.weights, lambda average, weight:
                         momentum * average + (1.0 - momentum) * weight)

        if applied is True:
            blend()
        else:
            tf.cond(applied, blend, lambda: None)

    def copy_to_model(self):
        """Sets the model's weights to the averages."""
        self._assign(self.weights, self.averages, lambda weight, average: average)

    @contextlib.contextmanager
    def swapped_in(self):
        """Runs the block with the averages as the model's weights, then restores them."""
        trained = [tf.identity(weight) for weight in self.weights]
        self.copy_to_model()
        try:
            yield
        finally:
            for weight, value in zip(self.weights, trained):
                weight.assign(value)

    def _assign(self, targets, sources, value):
        """``target = value(target, source)`` for each pair, on each device of the strategy
        (from that device's copies, so mirrored variables stay identical)."""
        def assign(target, source):  # one device's copies
            return target.assign(tf.cast(value(target, tf.cast(source, tf.float32)),
                                         target.dtype))

        for target, source in zip(targets, sources):
            self.strategy.extended.update(target, assign, args=(source,), group=False)


def kept_in_optimizer(run_config):
    """Whether a run's ``config.json`` (the dict) names an optimizer that kept the averages
    itself (Keras's ``use_ema``), as runs trained with ``--ema`` before `WeightAverages` did.

    Example:
        >>> kept_in_optimizer(pixel_zoo.model_dir.read_config("/tmp/run"))
        False
    """
    optimizer = run_config.get("optimizer", {}).get("config", {})
    inner = optimizer.get("inner_optimizer")  # a LossScaleOptimizer's
    return bool((inner["config"] if inner else optimizer).get("use_ema"))
