"""Every zoo card's figures: a history behind them, and a figure CI scores again."""

import json
import os
import pathlib

import numpy as np
import pytest

import pixel_zoo as pz
from pixel_zoo import data, evaluation
from pixel_zoo.zoo import entry as entry_lib

DATA_DIR = os.environ.get("PIXEL_ZOO_DATA")
PACKAGED = sorted(path.stem for path in entry_lib.CARDS_DIR.glob("*.json"))


@pytest.mark.parametrize("name", PACKAGED)
def test_every_card_has_a_history_and_a_validation_subset_figure(name):
    entry = pz.zoo.get(name)
    history = entry.training.get("history")
    assert history, f"{name} has no training history"
    assert history[0]["steps_from"] == 0 and history[-1]["steps_to"] == entry.training["steps"]
    subset = entry.metrics["valid_subset"]
    assert subset["num_images"] == min(100, entry.metrics["valid_images"])


@pytest.mark.skipif(not DATA_DIR, reason="PIXEL_ZOO_DATA is not set: scoring a card's figure "
                    "again needs the shared data folder (e.g. PIXEL_ZOO_DATA=/work/shared/data)")
@pytest.mark.parametrize("name", PACKAGED)
def test_every_entry_scores_its_card_figure_on_the_first_validation_images(name):
    entry = pz.zoo.get(name)
    subset = entry.metrics["valid_subset"]
    valid = data.load_split(entry.dataset, "valid", DATA_DIR)
    assert len(valid.images) == entry.metrics["valid_images"]
    nats = evaluation.per_image_nll(pz.zoo.load(name), valid.subset(slice(subset["num_images"])))
    assert abs(np.mean(nats) - subset["nats"]) < 0.01, (np.mean(nats), subset)


CONDITIONAL = [name for name in PACKAGED if pz.zoo.get(name).hyperparameters.get("num_classes")]
BENCH_RESULTS = pathlib.Path(__file__).resolve().parents[2] / "bench" / "results"


@pytest.mark.parametrize("name", CONDITIONAL)
def test_every_class_conditional_card_shows_its_samples_judged_with_its_current_weights(name):
    # bench/class_samples.py writes the figure into the card and a results file: a card
    # published again without measuring again keeps the old weights' sha256 and fails here.
    entry = pz.zoo.get(name)
    figure = entry.metrics.get("class_samples")
    assert figure, f"{name}: run python bench/class_samples.py --name={name}"
    assert figure["weights_sha256"] == entry.sha256, f"{name}: class_samples is stale"
    result = json.loads((BENCH_RESULTS / f"class_samples_{name}.json").read_text())
    assert {key: result[key] for key in figure} == figure


DETECTORS = [name for name in PACKAGED if pz.zoo.get(name).ood]


@pytest.mark.parametrize("name", DETECTORS)
def test_every_detector_has_a_background_choice_measured_with_its_current_weights(name):
    # bench/ood_perturb_rate.py --results records the model's weights sha256: a detector's
    # foreground published again needs its background weighed again on validation images.
    measured = [json.loads(path.read_text()).get("model")
                for path in sorted(BENCH_RESULTS.glob("ood_background_*.json"))]
    assert {"source": f"zoo:{name}", "weights_sha256": pz.zoo.get(name).sha256} in measured, (
        f"{name}: run python bench/ood_perturb_rate.py --model=zoo:{name} --results=...")


@pytest.mark.parametrize("name", DETECTORS)
def test_every_detector_card_was_measured_with_both_entries_current_weights(name):
    # Its AUROCs and the percentile score's reference quantiles hold for those weights only:
    # a background published again needs python -m trainers.publish_detector again.
    entry = pz.zoo.get(name)
    assert entry.ood["weights_sha256"] == {
        model: pz.zoo.get(model).sha256 for model in (name, entry.background)}, (
        f"{name}: run python -m trainers.publish_detector --name={name} again")
