"""The distributed training step: the global batch's loss, gradients, the optimizer's update
and the moving averages' (`pixel_zoo.averages`).

Example:
    >>> train_step = make_train_step(strategy, model, optimizer, step, config, averages=averages)
    >>> train_step(iter(strategy.experimental_distribute_dataset(batches)))   # nats/image
"""

import tensorflow as tf

from pixel_zoo.evaluation import nll
from pixel_zoo.training import distillation
from pixel_zoo.training.optimizer import clip_by_global_batch_norm


def make_train_step(strategy, model, optimizer, step, config, teacher=None, averages=None):
    """A `tf.function` taking a distributed iterator: one step on the next global batch.

    With a ``teacher`` (``--distill_from``) the step minimizes the distillation loss
    (`pixel_zoo.training.distillation`). With ``averages`` (a `WeightAverages`) the step
    blends the updated weights into them, in cross-replica context after the replicas'
    update; a step the optimizer skips (a `keras.optimizers.LossScaleOptimizer` with
    non-finite gradients) leaves them as they are. Returns the mean nats per image over
    the global batch (the plain NLL: no L2 term, no distillation).
    """

    def replica_step(batch):
        with tf.GradientTape() as tape:
            if teacher is not None:
                objective, per_image = distillation.distilled_nll(
                    model, teacher, batch, config.distill_weight)
            else:
                objective = per_image = nll(model, batch, training=True)  # (B / replicas,)
            loss = tf.nn.compute_average_loss(per_image, global_batch_size=config.batch_size)
            objective = tf.nn.compute_average_loss(objective,
                                                   global_batch_size=config.batch_size)
            scaled_loss = optimizer.scale_loss(
                objective + _l2_penalty(model, config.l2_regularization))
        grads = tape.gradient(scaled_loss, model.trainable_variables)
        grads = clip_by_global_batch_norm(grads, config.grad_clip, optimizer.scale_loss(1.0))
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    @tf.function(autograph=False)  # Nothing to convert: converting the model only slows the trace.
    def train_step(iterator):
        updates = tf.identity(optimizer.iterations)
        losses = strategy.run(replica_step, args=(next(iterator),))
        if averages is not None:
            averages.update(optimizer.iterations, applied=optimizer.iterations > updates)
        step.assign_add(1)
        return strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)

    return train_step


def _l2_penalty(model, weight):
    """This replica's share of ``weight * sum(w ** 2)`` over the trainable weights."""
    if not weight:
        return 0.0
    squares = tf.add_n([tf.reduce_sum(tf.square(tf.cast(variable, tf.float32)))
                        for variable in model.trainable_variables])
    return tf.nn.scale_regularization_loss(weight * squares)
