"""``--distill_from=zoo:NAME``: train a model on a better zoo model's predictions (distillation).

The student's loss on a training image mixes the usual negative log-likelihood of
the image with the cross-entropy between the teacher's predictive distribution and
the student's at every sub-pixel, given the same context (the teacher's logits on
the same batch, without gradients):

    loss = (1 - distill_weight) * -log p_student(x)
           + distill_weight * sum_i H(p_teacher(x_i | x_<i), p_student(x_i | x_<i))

The teacher's soft targets say how likely every level was, not only which one the
image has, so a student that overfits the training images (a plain PixelCNN: a
2-nat gap between train and valid) is pulled towards the conditionals of a model
that generalizes. The student's likelihood is still its own: evaluation, sampling
and export use the student alone. The teacher must model the same images (shape
and levels) unconditionally; its weights are checked against its card's sha256,
which the run logs.

Example:
    >>> teacher = load_teacher("zoo:pixelcnn_pp_binarized_mnist", (28, 28, 1), 2)
    >>> soft_nll(student_logits, teacher(images))    # [B] nats
"""

import tensorflow as tf
from absl import logging

import pixel_zoo as pz
from pixel_zoo.training.config import ConfigError
from pixel_zoo.zoo import registry


def load_teacher(source, image_shape, num_levels):
    """The frozen zoo model ``source`` (``zoo:NAME``), checked against the data it teaches.

    Raises:
      ConfigError: not ``zoo:NAME``, an unknown name, weights that fail their sha256,
        a class-conditional teacher, or one of other images (shape or levels).
    """
    name = registry.zoo_name(source)
    if name is None:
        raise ConfigError(f"--distill_from={source}: give a zoo entry as zoo:NAME "
                          f"(one of {pz.zoo.list_models()}).")
    try:
        entry = registry.get(name)
        teacher = pz.zoo.load(name)  # checks the weights against entry.sha256
    except (FileNotFoundError, ValueError) as error:
        raise ConfigError(f"--distill_from={source}: {error}") from error
    if teacher.num_classes is not None:
        raise ConfigError(f"--distill_from={source}: {name} is class-conditional; a teacher "
                          "must model the images alone.")
    if (tuple(teacher.image_shape), teacher.num_levels) != (tuple(image_shape), num_levels):
        raise ConfigError(
            f"--distill_from={source}: {name} models {tuple(teacher.image_shape)} images of "
            f"{teacher.num_levels} levels, and this dataset has {tuple(image_shape)} images "
            f"of {num_levels} levels.")
    teacher.trainable = False
    logging.info("Distilling from %s (sha256 %s, %s)", source, entry.sha256, entry.metrics)
    return teacher


def soft_nll(student_logits, teacher_logits):
    """Cross-entropy of the student's conditionals under the teacher's, nats per image ``[B]``.

    Both are logits ``[B, H, W, C, L]`` of the same images; no gradient reaches the teacher.
    """
    targets = tf.nn.softmax(tf.stop_gradient(tf.cast(teacher_logits, tf.float32)))
    log_probs = tf.nn.log_softmax(tf.cast(student_logits, tf.float32))
    return -tf.reduce_sum(targets * log_probs, axis=[1, 2, 3, 4])


def distilled_nll(model, teacher, images, weight):
    """``(loss, nll)`` per image ``[B]``: the mixed training loss above and the plain NLL.

    ``model``'s dropout is on (training); ``teacher``'s is off.
    """
    images, _ = model.check_inputs(images)
    outputs = model.outputs_from_checked(images, training=True)
    nll = -model.head.log_prob(outputs, images)
    soft = soft_nll(model.head_logits(outputs, images), teacher(images))
    return (1.0 - weight) * nll + weight * soft, nll
