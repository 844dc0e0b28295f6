"""A detector's SavedModel: one ``ood_score`` signature, both models inside, equal scores."""

import numpy as np
import pytest
import tensorflow as tf
from ood_case import NUM_LEVELS, training_like

from pixel_zoo import export_lib


@pytest.fixture(scope="module")
def served(detector, tmp_path_factory):
    path = export_lib.export_detector(detector, tmp_path_factory.mktemp("serving"), "detector",
                                      version=2)
    return path, tf.saved_model.load(path)


def test_ood_score_matches_the_python_scores(detector, served):
    path, loaded = served
    assert path.endswith("detector/2")
    assert sorted(loaded.signatures) == ["ood_score", "serving_default"]
    images = np.concatenate([training_like(5, seed=3), np.random.default_rng(0).integers(
        0, NUM_LEVELS, (5, 4, 4, 1)).astype(np.uint8)])
    expected = detector.scores(images)
    for outputs in (loaded.ood_score(tf.constant(images)),
                    loaded.signatures["serving_default"](images=tf.constant(images))):
        assert sorted(outputs) == ["background_log_prob", "bits_per_dim", "log_prob", "score"]
        np.testing.assert_allclose(outputs["score"], expected["likelihood_ratio"], rtol=1e-5,
                                   atol=1e-4)
        for name in ("log_prob", "background_log_prob", "bits_per_dim"):
            np.testing.assert_allclose(outputs[name], expected[name], rtol=1e-5)


def test_a_detector_with_a_reference_serves_its_percentile_score(detector, tmp_path):
    referenced = detector.with_reference(training_like(200, seed=6))
    loaded = tf.saved_model.load(export_lib.export_detector(referenced, tmp_path, "referenced"))
    images = np.concatenate([training_like(5, seed=7), np.full((2, 4, 4, 1), 7, np.uint8)])
    outputs = loaded.signatures["ood_score"](images=tf.constant(images))
    # The same function of the served log-probs (a training-like image's percentile sits
    # on a tie among the reference's few distinct scores, where a last-bit change moves it).
    np.testing.assert_allclose(outputs["percentile"], referenced.percentile_graph(outputs),
                               rtol=1e-12)
    expected = referenced.scores(images)["percentile"]
    np.testing.assert_allclose(outputs["percentile"][-2:], expected[-2:], atol=1e-6)
    assert expected[-2:].min() > np.median(expected[:5])  # the constant images stand out


def test_bad_requests_fail_inside_the_served_graph(served):
    loaded = served[1]
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_levels=8"):
        loaded.ood_score(tf.fill((1, 4, 4, 1), tf.constant(NUM_LEVELS, tf.uint8)))
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError)):
        loaded.signatures["ood_score"](images=tf.zeros((1, 5, 4, 1), tf.uint8))
