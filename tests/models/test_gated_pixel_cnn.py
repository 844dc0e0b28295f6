"""Gated PixelCNN: no blind spot, and class conditioning that is really used."""

import numpy as np
import pytest
from test_case import all_images, position_influence, receptive_field, tiny_model


# Small enough that 4 layers span the image: the 1x7 first layer reaches 3
# columns left, each 1x3 layer one more; the vertical stack 3 + 1 per layer
# either side.
@pytest.mark.parametrize("image_shape", [(5, 5, 1), (4, 4, 3), (4, 7, 1)], ids=str)
def test_no_blind_spot_every_earlier_position_is_seen(image_shape):
    model = tiny_model("gated_pixelcnn", image_shape, num_levels=4, num_layers=4, hidden_units=16)
    influence = receptive_field(model, image_shape)
    strictly_later = np.triu(np.ones_like(influence), k=1).astype(bool)
    blind = np.argwhere(strictly_later & ~influence)
    assert blind.size == 0, f"(p, q) pairs outside the receptive field: {blind[:5]}"


def _conditional_model(image_shape=(4, 4, 1), num_levels=4):
    return tiny_model("gated_pixelcnn", image_shape, num_levels, num_classes=3)


def test_labels_change_the_likelihood_and_stay_causal():
    model = _conditional_model()
    images = np.random.default_rng(1).integers(0, 4, (2, 4, 4, 1)).astype(np.uint8)
    first = np.asarray(model.log_prob(images, labels=[0, 0]))
    second = np.asarray(model.log_prob(images, labels=[2, 2]))
    assert np.all(np.abs(first - second) > 1e-4)
    for label in range(3):
        influence = position_influence(_LabelledModel(model, label), images[0])
        assert not (influence & np.tril(np.ones_like(influence)).astype(bool)).any()


class _LabelledModel:
    """Calls a conditional model with one fixed label, for `position_influence`."""

    def __init__(self, model, label):
        self.model, self.label, self.num_levels = model, label, model.num_levels

    def __call__(self, images):
        return self.model(images, labels=np.full(len(images), self.label, np.int32))


def test_conditional_probabilities_sum_to_one_for_every_label():
    model = _conditional_model((2, 2, 1), num_levels=3)
    images = all_images((2, 2, 1), 3)
    for label in range(3):
        labels = np.full(len(images), label, np.int32)
        total = np.exp(np.asarray(model.log_prob(images, labels=labels), np.float64)).sum()
        assert total == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize(
    "labels, message",
    [
        (None, "class-conditional"),
        ([0.0, 1.0], "integers"),
        ([[0, 1]], r"shape \[batch\]"),
        ([0, 3], r"labels must be in \[0, 3\)"),
        ([0, 1, 2], "3 labels for 2 images"),
    ],
)
def test_bad_labels(labels, message):
    model = _conditional_model()
    with pytest.raises(ValueError, match=message):
        model.log_prob(np.zeros((2, 4, 4, 1), np.uint8), labels=labels)


def test_labels_for_an_unconditional_model_are_an_error():
    model = tiny_model("gated_pixelcnn", (4, 4, 1), 2)
    with pytest.raises(ValueError, match="unconditional"):
        model.log_prob(np.zeros((1, 4, 4, 1), np.uint8), labels=[1])
    with pytest.raises(ValueError, match="gated_pixelcnn and pixelcnn_pp only"):
        tiny_model("pixelcnn", (4, 4, 1), 2, num_classes=3)
