"""`pz.ood`: exact AUROC and ROC curves, the detector's scores and its input checks."""

import dataclasses

import numpy as np
import pytest
from ood_case import IMAGE_SHAPE, NUM_LEVELS, training_like
from test_case import tiny_model

import pixel_zoo as pz


def brute_force_auroc(in_scores, out_scores):
    pairs = [(o > i) + 0.5 * (o == i) for i in in_scores for o in out_scores]
    return sum(pairs) / len(pairs)


@pytest.mark.parametrize("in_scores, out_scores, expected", [
    ([0.0, 1.0, 2.0], [3.0, 4.0], 1.0),       # perfectly separated
    ([3.0, 4.0], [0.0, 1.0, 2.0], 0.0),       # reversed
    ([5.0, 5.0, 5.0], [5.0, 5.0], 0.5),       # all tied
    ([0.1, 0.2], [0.3, 0.2], 0.875),          # 3 wins and a tie out of 4 pairs
    ([1.0, 2.0, 3.0], [2.0, 4.0], 0.75),      # (0.5 + 1 + 3) / 6, worked by hand
])
def test_auroc_on_known_cases(in_scores, out_scores, expected):
    assert pz.ood.auroc(in_scores, out_scores) == pytest.approx(expected, abs=1e-12)


def test_auroc_and_roc_area_match_counting_pairs_with_ties():
    rng = np.random.default_rng(0)
    in_scores, out_scores = rng.integers(0, 6, 40), rng.integers(2, 9, 30)
    expected = brute_force_auroc(in_scores, out_scores)
    assert pz.ood.auroc(in_scores, out_scores) == pytest.approx(expected, abs=1e-12)
    fpr, tpr = pz.ood.roc_curve(in_scores, out_scores)
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    area = np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2)
    assert area == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("in_scores, out_scores, message", [
    ([], [1.0], "in_scores must be a non-empty 1-D array"),
    ([1.0], [[1.0]], "out_scores must be a non-empty 1-D array"),
    ([1.0, np.nan], [1.0], "1 NaN or infinite"),
])
def test_auroc_refuses_bad_scores(in_scores, out_scores, message):
    with pytest.raises(ValueError, match=message):
        pz.ood.auroc(in_scores, out_scores)


def test_noise_and_perturbed_images_score_above_training_like_ones(detector):
    in_images = training_like(200, seed=1)
    noise = pz.ood.load_images("noise:uniform", IMAGE_SHAPE, NUM_LEVELS, num=200)
    perturbed = pz.data.perturb_images(in_images, 0.5, NUM_LEVELS, seed=[3, 4]).numpy()
    result = pz.ood.evaluate(detector, in_images, {"noise": noise, "perturbed": perturbed})
    for name in ("noise", "perturbed"):
        assert result["auroc"][name]["likelihood_ratio"] > 0.9, result["auroc"]
    scores = result["scores"]["in"]
    np.testing.assert_allclose(scores["likelihood_ratio"],
                               scores["background_log_prob"] - scores["log_prob"])
    np.testing.assert_allclose(scores["bits_per_dim"],
                               scores["nll"] / (np.prod(IMAGE_SHAPE) * np.log(2)), rtol=1e-6)
    np.testing.assert_allclose(detector.score(in_images), scores["likelihood_ratio"])
    np.testing.assert_allclose(scores["log_prob"], detector.model.log_prob(in_images), rtol=1e-6)


def test_the_percentile_score_is_the_larger_in_distribution_percentile(detector):
    training = training_like(400, seed=5)
    referenced = detector.with_reference(training)
    assert detector.reference is None and "percentile" not in detector.scores(training)
    assert referenced.score_names == pz.ood.SCORES + ("percentile",)
    reference = detector.scores(training)
    in_images = training_like(200, seed=1)
    scores = referenced.scores(in_images)
    # The fraction of reference images below, ties counting a half; the larger of the two.
    expected = np.maximum(*(sum(np.searchsorted(np.sort(reference[kind]), scores[kind], side)
                                for side in ("left", "right")) / 800
                            for kind in ("likelihood_ratio", "nll")))
    np.testing.assert_allclose(scores["percentile"], expected, atol=0.01)
    assert np.all((0.0 <= scores["percentile"]) & (scores["percentile"] <= 1.0))
    # Reference images rank like fresh in-distribution ones: no score flags many of them.
    assert np.mean(referenced.scores(training)["percentile"] > 0.99) < 0.03
    noise = pz.ood.load_images("noise:uniform", IMAGE_SHAPE, NUM_LEVELS, num=200)
    result = pz.ood.evaluate(referenced, in_images, {"noise": noise})
    assert result["auroc"]["noise"]["percentile"] > 0.9, result["auroc"]


def test_percentiles_interpolate_between_quantiles_and_clip_outside():
    quantiles = {"likelihood_ratio": [0.0, 10.0, 10.0, 40.0], "nll": [5.0, 5.0, 5.0, 5.0]}
    model = tiny_model("pixelcnn", IMAGE_SHAPE, NUM_LEVELS)
    detector = pz.ood.LikelihoodRatio(model, model, quantiles)
    # NLL 0 (below every NLL quantile): the ratio, log p_bg - log p_model, decides.
    levels = detector.percentile_graph({"log_prob": np.zeros(5),
                                        "background_log_prob": [-3.0, 5.0, 10.0, 25.0, 99.0]})
    np.testing.assert_allclose(levels, [0.0, 1 / 6, 1 / 2, 5 / 6, 1.0])  # 10: mid-run
    # Ratio -1 (below every ratio quantile): the NLL decides; 5 ties with all quantiles.
    at_the_constant = detector.percentile_graph({"log_prob": [-4.0, -5.0],
                                                 "background_log_prob": [-5.0, -6.0]})
    np.testing.assert_allclose(at_the_constant, [0.0, 0.5])


@pytest.mark.parametrize("reference, message", [
    ({"nll": [1.0, 2.0]}, "reference must map likelihood_ratio, nll"),
    ({"likelihood_ratio": [2.0, 1.0], "nll": [1.0, 2.0]}, "non-decreasing"),
    ({"likelihood_ratio": [1.0, np.nan], "nll": [1.0, 2.0]}, "finite"),
    ({"likelihood_ratio": [1.0], "nll": [1.0, 2.0]}, "at least 2"),
])
def test_bad_references_are_refused(detector, reference, message):
    with pytest.raises(ValueError, match=message):
        pz.ood.LikelihoodRatio(detector.model, detector.background, reference)


def test_scores_do_not_depend_on_the_batch_size(detector):
    images = training_like(7, seed=2)
    np.testing.assert_allclose(detector.score(images, batch_size=3),
                               detector.score(images, batch_size=100), rtol=1e-5)


@pytest.mark.parametrize("images, message", [
    (np.zeros((2, 5, 4, 1), np.uint8), r"images must be \[N, 4, 4, 1\]"),
    (np.zeros((2, 4, 4, 1), np.float32), "must be integers"),
    (np.full((2, 4, 4, 1), NUM_LEVELS, np.uint8), r"values must be in \[0, 8\)"),
    (np.zeros((0, 4, 4, 1), np.uint8), "empty"),
])
def test_bad_images_are_refused_with_the_problem_named(detector, images, message):
    with pytest.raises(ValueError, match=message):
        detector.score(images)


def test_models_that_score_different_images_are_refused():
    model = tiny_model("pixelcnn", IMAGE_SHAPE, NUM_LEVELS)
    with pytest.raises(ValueError, match="must score the same images"):
        pz.ood.LikelihoodRatio(model, tiny_model("pixelcnn", IMAGE_SHAPE, 4))
    conditional = tiny_model("gated_pixelcnn", IMAGE_SHAPE, NUM_LEVELS, num_classes=3)
    with pytest.raises(ValueError, match="class-conditional"):
        pz.ood.LikelihoodRatio(conditional, model)


def test_from_zoo_loads_the_background_the_card_names(tmp_path):
    entries = {}
    for name, seed in (("ood_fg", 0), ("ood_bg", 1)):
        path = tmp_path / f"{name}.weights.h5"
        tiny_model("pixelcnn", IMAGE_SHAPE, NUM_LEVELS, seed=seed).save_weights(path)
        entries[name] = pz.zoo.ZooEntry(
            name=name, model="pixelcnn", image_shape=IMAGE_SHAPE, num_levels=NUM_LEVELS,
            hyperparameters={"num_layers": 2, "hidden_units": 6}, weights=str(path),
            sha256=pz.zoo.sha256_of(path))
    pz.zoo.register(entries["ood_bg"])
    pz.zoo.register(entries["ood_fg"])
    with pytest.raises(ValueError, match="ood_fg has no background model"):
        pz.ood.LikelihoodRatio.from_zoo("ood_fg")
    pz.zoo.register(dataclasses.replace(entries["ood_fg"], background="ood_bg"))
    detector = pz.ood.LikelihoodRatio.from_zoo("ood_fg")
    images = training_like(3)
    np.testing.assert_allclose(detector.scores(images)["background_log_prob"],
                               pz.zoo.load("ood_bg").log_prob(images), rtol=1e-6)


def test_load_images_makes_noise_and_converts_other_shapes(tmp_path):
    noise = pz.ood.load_images("noise:uniform", IMAGE_SHAPE, NUM_LEVELS, num=50, seed=1)
    assert noise.shape == (50, *IMAGE_SHAPE) and noise.dtype == np.uint8
    assert noise.min() == 0 and noise.max() == NUM_LEVELS - 1
    colour = np.zeros((3, 8, 8, 3), np.uint8)
    colour[..., 0] = 255  # pure red: luma 0.2989 * 255
    np.savez(tmp_path / "colour.npz", train=colour, valid=colour)
    gray = pz.ood.load_images(f"npz:{tmp_path / 'colour.npz'}:valid", IMAGE_SHAPE, NUM_LEVELS)
    assert gray.shape == (3, *IMAGE_SHAPE)
    np.testing.assert_array_equal(gray, round(0.2989 * (NUM_LEVELS - 1)))
    for spec, message in (("mnist", "must be DATASET:SPLIT"), ("noise:pink", "unknown noise")):
        with pytest.raises(ValueError, match=message):
            pz.ood.load_images(spec, IMAGE_SHAPE, NUM_LEVELS)
