"""``--distill_from``: a student trained on a zoo entry's predictions as well as the images."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf
from test_case import tiny_entry, tiny_model

from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.provenance import history
from pixel_zoo.training import ConfigError, distillation, train

IMAGES = np.random.default_rng(1).integers(0, 3, (4, 3, 3, 1)).astype(np.uint8)


def test_the_soft_nll_under_a_certain_teacher_is_the_nll():
    model = tiny_model("pixelcnn", (3, 3, 1), 3)
    certain = 1e4 * tf.one_hot(IMAGES, 3)  # [B, H, W, C, L]: all its mass on the image
    np.testing.assert_allclose(distillation.soft_nll(model(IMAGES), certain),
                               -model.log_prob(IMAGES), rtol=1e-5)


@pytest.mark.parametrize("name, head", [("pixelcnn", {}),
                                        ("pixelcnn_pp", {"logistic_mixtures": 2})])
def test_a_student_that_predicts_like_its_teacher_gets_no_gradient(name, head):
    student = tiny_model(name, (3, 3, 1), 3, dropout=0.0, **head)
    teacher = tiny_model(name, (3, 3, 1), 3, seed=1, dropout=0.0, **head)

    def gradients(weight):
        with tf.GradientTape() as tape:
            loss, nll = distillation.distilled_nll(student, teacher, IMAGES, weight)
            total = tf.reduce_sum(loss)
        np.testing.assert_allclose(nll, -student.log_prob(IMAGES), rtol=1e-5)
        grads = tape.gradient(total, student.trainable_variables)
        return max(float(tf.reduce_max(tf.abs(grad))) for grad in grads if grad is not None)

    assert gradients(1.0) > 1e-3  # another teacher pulls
    teacher.set_weights(student.get_weights())
    assert gradients(1.0) < 1e-5  # the teacher's conditionals are the student's optimum
    assert gradients(0.5) > 1e-3  # the images still pull


def test_load_teacher_refuses_what_cannot_teach_these_images():
    with pytest.raises(ConfigError, match="give a zoo entry as zoo:NAME"):
        distillation.load_teacher("run:/tmp/teacher", (28, 28, 1), 2)
    with pytest.raises(ConfigError, match="zoo:pixelcnn_binarized_mnistt: "):
        distillation.load_teacher("zoo:pixelcnn_binarized_mnistt", (28, 28, 1), 2)
    with pytest.raises(ConfigError, match=r"models \(28, 28, 1\) images of 2 levels, and "
                                          r"this dataset has \(6, 6, 1\) images of 2"):
        distillation.load_teacher("zoo:pixelcnn_binarized_mnist", (6, 6, 1), 2)


def test_a_distilled_run_learns_from_its_teacher_and_keeps_it_on_record(tmp_path, monkeypatch):
    _, teacher_config = tiny_entry(tmp_path, monkeypatch, "tiny_teacher")
    # A student of another family learns from it.
    config = dataclasses.replace(teacher_config, model_dir=str(tmp_path / "student"),
                                 model="gated_pixelcnn", distill_from="zoo:tiny_teacher",
                                 distill_weight=0.5)
    assert np.isfinite(train(config)["nats"])
    # The same run without the teacher (same seed: same start and batches) ends elsewhere.
    plain = dataclasses.replace(config, model_dir=str(tmp_path / "plain"), distill_from=None,
                                distill_weight=1.0)
    train(plain)
    distilled, undistilled = (model_dir_lib.load_model(run.model_dir, use_ema=False)
                              for run in (config, plain))
    assert max(np.max(np.abs(a - b)) for a, b in
               zip(distilled.get_weights(), undistilled.get_weights())) > 1e-4
    command = history.read(config.model_dir)[-1]["command"]
    assert "--distill_from=zoo:tiny_teacher --distill_weight=0.5 " in command
    with pytest.raises(ConfigError, match="distill_weight"):  # it fixes the run's loss
        train(dataclasses.replace(config, distill_weight=1.0, train_steps=3))
