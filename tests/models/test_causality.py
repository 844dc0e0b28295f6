"""Every model's prediction for a position ignores that position and everything after it."""

import numpy as np
import pytest
from test_case import MODEL_NAMES, position_influence, receptive_field, tiny_model

SHAPES = [(5, 5, 1), (4, 4, 3)]


def _coupled(name, image_shape):
    """PixelCNN++ couples a pixel's channels in its mixture head only (a softmax head keeps them
    independent given the earlier pixels), so its RGB tests of coupling use the mixture."""
    return {"logistic_mixtures": 2} if name == "pixelcnn_pp" and image_shape[-1] == 3 else {}


@pytest.mark.parametrize("logistic_mixtures", [0, 2], ids=["softmax", "mixture"])
@pytest.mark.parametrize("image_shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_no_position_sees_itself_or_the_future(name, image_shape, logistic_mixtures):
    model = tiny_model(name, image_shape, num_levels=4, logistic_mixtures=logistic_mixtures)
    image = np.random.default_rng(0).integers(0, 4, image_shape).astype(np.uint8)
    influence = position_influence(model, image)
    future_or_self = np.tril(np.ones_like(influence))  # [p, q] with q <= p
    leaks = np.argwhere(influence & future_or_self.astype(bool))
    assert leaks.size == 0, f"position p leaks into prediction q for (p, q) = {leaks[:5]}"


@pytest.mark.parametrize("image_shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_position_informs_a_later_one(name, image_shape):
    model = tiny_model(name, image_shape, num_levels=4, **_coupled(name, image_shape))
    image = np.random.default_rng(1).integers(0, 4, image_shape).astype(np.uint8)
    influence = position_influence(model, image)
    unused = [p for p in range(len(influence) - 1) if not influence[p, p + 1:].any()]
    assert not unused, f"positions {unused} inform no later prediction"


@pytest.mark.parametrize("image_shape", [(5, 5, 1), (4, 4, 3), (3, 9, 1)], ids=str)
def test_diagonal_bilstm_sees_every_earlier_position(image_shape):
    # Wide enough that no colour group is cut off by dead ReLUs at init.
    model = tiny_model(
        "diagonal_bilstm", image_shape, num_levels=4, num_layers=1, hidden_units=16
    )
    influence = receptive_field(model, image_shape)
    strictly_later = np.triu(np.ones_like(influence), k=1).astype(bool)
    blind = np.argwhere(strictly_later & ~influence)
    assert blind.size == 0, f"(p, q) pairs outside the receptive field: {blind[:5]}"


def test_rgb_channels_see_earlier_channels_of_the_same_pixel():
    for name in MODEL_NAMES:
        model = tiny_model(name, (3, 3, 3), num_levels=4, hidden_units=16,
                           **_coupled(name, (3, 3, 3)))
        image = np.random.default_rng(3).integers(0, 4, (3, 3, 3)).astype(np.uint8)
        influence = position_influence(model, image)
        red, green, blue = 12, 13, 14  # The centre pixel's channels.
        assert influence[red, green] and influence[red, blue] and influence[green, blue], name


def test_pixelcnn_has_the_blind_spot_of_stacked_masked_convolutions():
    # The pixel above-right of the current one's upper-right neighbour is never
    # reached by stacked masked 3x3 convolutions (the Gated PixelCNN fixes it).
    image_shape = (8, 8, 1)
    model = tiny_model("pixelcnn", image_shape, num_levels=2, num_layers=6)
    image = np.random.default_rng(4).integers(0, 2, image_shape).astype(np.uint8)
    influence = position_influence(model, image)
    row, column = 5, 2
    target = row * 8 + column
    for above_right in [(row - 1, 6), (row - 1, 7)]:
        assert not influence[above_right[0] * 8 + above_right[1], target]
    assert influence[(row - 1) * 8 + column + 3, target]  # Inside the 7x7 first layer.
