"""A tiny trained likelihood-ratio detector on synthetic 4x4 images, shared by the OOD tests."""

import pytest
from ood_case import IMAGE_SHAPE, NUM_LEVELS, fit, training_like
from test_case import tiny_model

import pixel_zoo as pz


@pytest.fixture(scope="session")
def detector():
    images = training_like(256)
    model = fit(tiny_model("pixelcnn", IMAGE_SHAPE, NUM_LEVELS, seed=0), images)
    background = fit(tiny_model("pixelcnn", IMAGE_SHAPE, NUM_LEVELS, seed=1), images,
                     perturb_rate=0.3)
    return pz.ood.LikelihoodRatio(model, background)
