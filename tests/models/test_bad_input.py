"""Bad images raise errors that name the problem, never a silent number."""

import numpy as np
import pytest
import tensorflow as tf
from test_case import tiny_model

import pixel_zoo as pz


@pytest.fixture(scope="module", params=["pixelcnn", "pixelcnn_pp"])
def model(request):
    return tiny_model(request.param, (4, 4, 1), num_levels=2)


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((4, 4, 1), np.uint8), "rank 4"),
        (np.zeros((2, 4, 4, 3), np.uint8), r"shape \[batch, 4, 4, 1\]"),
        (np.zeros((2, 5, 4, 1), np.uint8), r"shape \[batch, 4, 4, 1\]"),
        (np.zeros((2, 4, 4, 1), np.float32), "integers"),
        (np.full((2, 4, 4, 1), -1, np.int32), r"values in \[-1, -1\]"),
        (np.full((2, 4, 4, 1), 2, np.uint8), r"must be in \[0, 2\)"),
    ],
    ids=["rank", "channels", "height", "float", "negative", "too_large"],
)
@pytest.mark.parametrize("entry", ["call", "log_prob", "distribution", "complete"])
def test_eager_errors_name_the_problem(model, entry, images, message):
    run = {
        "call": model,
        "log_prob": model.log_prob,
        "distribution": model.distribution,
        "complete": lambda x: model.complete(x, known_rows=1),
    }[entry]
    with pytest.raises(ValueError, match=message):
        run(images)


def test_graph_mode_value_errors_come_from_the_graph(model):
    log_prob = tf.function(model.log_prob, input_signature=[tf.TensorSpec([None, 4, 4, 1], tf.uint8)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_levels=2"):
        log_prob(np.full((1, 4, 4, 1), 3, np.uint8))
    assert log_prob(np.ones((1, 4, 4, 1), np.uint8)).shape == (1,)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"image_shape": (4, 4, 2)}, "1 \\(grayscale\\) or 3 \\(RGB\\)"),
        ({"image_shape": (4, 4)}, "height, width, channels"),
        ({"num_levels": 1}, "num_levels must be in"),
        ({"num_levels": 300}, "num_levels must be in"),
    ],
)
@pytest.mark.parametrize("name", ["row_lstm", "pixelcnn_pp"])
def test_bad_model_specs(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        pz.models.build(name, **{"image_shape": (4, 4, 1), "num_levels": 2, **kwargs})


def test_bad_sampling_arguments(model):
    with pytest.raises(ValueError, match="positive number"):
        model.sample(0)
    with pytest.raises(ValueError, match="known_rows"):
        model.complete(np.zeros((1, 4, 4, 1), np.uint8), known_rows=5)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({}, "exactly one of known_rows and mask"),
        ({"known_rows": 1, "mask": np.ones((4, 4), bool)}, "exactly one of known_rows and mask"),
        ({"mask": np.ones((4, 4), np.uint8)}, "mask must be bool"),
        ({"mask": np.ones((4, 3), bool)}, r"mask must have shape \[H, W\]"),
        ({"mask": np.ones((2, 4, 4), bool)}, r"mask must have shape"),
    ],
)
def test_bad_completion_masks(model, arguments, message):
    with pytest.raises(ValueError, match=message):
        model.complete(np.zeros((1, 4, 4, 1), np.uint8), **arguments)


@pytest.mark.parametrize("dtype", [np.int64, np.uint64])
def test_values_are_checked_before_a_narrowing_cast(model, dtype):
    images = np.ones((1, 4, 4, 1), dtype)
    images[0, 0, 0, 0] = 2**32 + 1  # int32 of it would be 1, a binary model's value
    for run in (model, model.log_prob, lambda x: model.complete(x, known_rows=1)):
        with pytest.raises(ValueError, match=r"values in \[1, 4294967297\]"):
            run(images)
    log_prob = tf.function(model.log_prob,
                           input_signature=[tf.TensorSpec([None, 4, 4, 1], dtype)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_levels=2"):
        log_prob(images)


def test_labels_are_checked_before_a_narrowing_cast():
    model = tiny_model("gated_pixelcnn", (4, 4, 1), num_levels=2, num_classes=3)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        model.log_prob(np.zeros((1, 4, 4, 1), np.uint8), labels=np.array([2**32 + 1]))


@pytest.mark.parametrize("temperature", [0.0, -1.0, float("nan"), float("inf")])
def test_temperature_must_be_positive_and_finite(model, temperature):
    with pytest.raises(ValueError, match="temperature must be > 0 and finite"):
        model.sample(1, temperature=temperature)
    with pytest.raises(ValueError, match="temperature must be > 0 and finite"):
        model.complete(np.zeros((1, 4, 4, 1), np.uint8), known_rows=1, temperature=temperature)
