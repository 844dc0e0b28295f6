"""The probabilities of all images sum to one, so log_prob is a real likelihood."""

import numpy as np
import pytest
from test_case import MODEL_NAMES, all_images, tiny_model


@pytest.mark.parametrize(
    "image_shape, num_levels", [((2, 2, 1), 2), ((1, 2, 3), 3), ((2, 3, 1), 3)], ids=str
)
@pytest.mark.parametrize("logistic_mixtures", [0, 2], ids=["softmax", "mixture"])
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_probabilities_of_all_images_sum_to_one(name, image_shape, num_levels,
                                                logistic_mixtures):
    model = tiny_model(name, image_shape, num_levels, logistic_mixtures=logistic_mixtures)
    images = all_images(image_shape, num_levels)
    total = np.exp(np.asarray(model.log_prob(images), np.float64)).sum()
    assert total == pytest.approx(1.0, abs=1e-4)
