"""A zoo card's figure, re-derived: its model scored again on part of its validation split."""

import os

import numpy as np
import pytest

import pixel_zoo as pz
from pixel_zoo import data

DATA_DIR = os.environ.get("PIXEL_ZOO_DATA")


@pytest.mark.skipif(not DATA_DIR, reason="PIXEL_ZOO_DATA is not set: re-deriving a card's "
                    "figure needs the shared data folder (e.g. PIXEL_ZOO_DATA=/work/shared/data)")
def test_pixelcnn_binarized_mnist_scores_its_card_figure_on_a_validation_subset():
    # 250 of the 10000 validation images, spread over the split, keep this to seconds; the
    # subset's mean is within a few standard errors of the card's whole-split figure.
    entry = pz.zoo.get("pixelcnn_binarized_mnist")
    valid = data.load_split(entry.dataset, "valid", DATA_DIR)
    assert len(valid.images) == entry.metrics["valid_images"]
    chosen = np.linspace(0, len(valid.images) - 1, 250).astype(int)
    nats = -np.asarray(pz.zoo.load(entry.name).log_prob(valid.images[chosen]))
    standard_error = nats.std() / np.sqrt(len(nats))
    assert abs(nats.mean() - entry.metrics["valid_nats"]) < 4 * standard_error, (
        nats.mean(), standard_error, entry.metrics["valid_nats"])
