"""Publishing a training run as a zoo entry: weights, measured card, sample and completion grids."""

import dataclasses
import json
import logging
import shutil

import numpy as np
import pytest
from PIL import Image
from test_case import tiny_zoo

import pixel_zoo as pz
from pixel_zoo import data
from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.training import TrainConfig, train
from pixel_zoo.training.summaries import SummaryWriters, read_scalars
from pixel_zoo.zoo import loading
from trainers import publishing


@pytest.fixture(scope="module")
def published_once(tmp_path_factory):
    """A 2-step run published as ``tiny_entry`` once for the module (training and
    publishing take seconds): its entry, folder and dataset. It validates at its end on 8
    of the 12 validation images (eval_batches=1)."""
    folder = tmp_path_factory.mktemp("published")
    with pytest.MonkeyPatch.context() as monkeypatch:
        dataset = tiny_zoo(folder, monkeypatch)
        config = TrainConfig(model_dir=str(folder / "run"), dataset=dataset, num_layers=1,
                             hidden_units=4, batch_size=8, train_steps=2, eval_every=0,
                             eval_batches=1, num_samples=0, logistic_mixtures=2, ema=True)
        train(config)
        entry = publishing.publish(config.model_dir, "tiny_entry", "A tiny test model.")
    return entry, folder, dataset


@pytest.fixture
def published(published_once, tmp_path, monkeypatch):
    """A copy of `published_once`'s run, card and weights in ``tmp_path``, where publishing
    writes: a test may change them."""
    entry, folder, dataset = published_once
    tiny_zoo(tmp_path, monkeypatch)
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    return entry, tmp_path, data.load_split(dataset, "valid", None)


def test_card_holds_measured_metrics_and_the_training_command(published):
    entry, tmp_path, valid = published
    card = json.loads((tmp_path / "cards" / "tiny_entry.json").read_text())
    assert card["metrics"]["valid_images"] == len(valid.images)
    assert card["hyperparameters"] == {"num_layers": 1, "hidden_units": 4, "output_units": 8,
                                       "logistic_mixtures": 2, "dropout": 0.0}
    assert card["training"]["steps"] == 2
    assert "--logistic_mixtures=2" in card["training"]["command"]
    assert "--model_dir=$MODEL_DIR" in card["training"]["command"]
    assert card["sha256"] == loading.sha256_of(tmp_path / "weights" / "tiny_entry.weights.h5")
    assert entry.completions_image == "tiny_entry_completions.png"


def test_completion_grid_rows_keep_the_top_half(published):
    _, tmp_path, valid = published
    grid = np.asarray(Image.open(tmp_path / "cards" / "tiny_entry_completions.png"))
    # 6 rows of (occluded, 4 completions, original), 6x6 images zoomed 21x, 10-pixel gutters.
    scale, gutter = 21, 10
    step = 6 * scale + gutter
    assert grid.shape == (6 * step + gutter, 6 * step + gutter)
    chosen = np.linspace(0, len(valid.images) - 1, 6).astype(int)
    for row, original in enumerate(valid.images[chosen, ..., 0] * 255):
        top = gutter + step * row
        tiles = [grid[top: top + 6 * scale: scale,
                      gutter + step * column: gutter + step * column + 6 * scale: scale]
                 for column in range(6)]
        np.testing.assert_array_equal(tiles[0][:3], original[:3])
        assert not tiles[0][3:].any()
        np.testing.assert_array_equal(tiles[-1], original)
        for completion in tiles[1:-1]:
            np.testing.assert_array_equal(completion[:3], original[:3])


def test_card_ships_the_better_of_raw_and_ema_weights_measured_on_validation(published):
    entry, tmp_path, valid = published
    metrics = entry.metrics
    assert metrics["valid_nats"] == min(metrics["valid_nats_raw"], metrics["valid_nats_ema"])
    chosen = "raw" if metrics["valid_nats_raw"] <= metrics["valid_nats_ema"] else "moving"
    assert entry.training["weights"].startswith(chosen)
    assert "chosen on validation" in entry.training["weights"]
    model = loading.build_model(entry)
    model.load_weights(tmp_path / "weights" / "tiny_entry.weights.h5")
    nats = -float(np.mean(model.log_prob(valid.images)))
    assert nats == pytest.approx(metrics["valid_nats"], abs=0.01)


def test_card_history_chains_to_the_steps_and_names_the_compute(published):
    entry, _, _ = published
    (segment,) = entry.training["history"]
    assert (segment["steps_from"], segment["steps_to"]) == (0, 2)
    assert segment["command"] == entry.training["command"]
    assert segment["machine"]["cpu_cores"] >= 1
    assert set(segment["load"]) == {"cores_used", "load_average", "other_load", "shared"}
    assert entry.training["time"].startswith(f"{segment['wall_minutes']:.1f} min of training "
                                             "in 1 recorded invocation on a")
    assert "steps 0-2" in entry.card()


def test_a_run_no_better_than_the_entry_does_not_replace_it_unless_forced(published):
    entry, tmp_path, _ = published
    card = tmp_path / "cards" / "tiny_entry.json"
    weights = tmp_path / "weights" / "tiny_entry.weights.h5"
    card_before, weights_before = card.read_text(), weights.read_bytes()
    run = str(tmp_path / "run")
    # The same weights again: every per-image difference is 0, so is the interval.
    with pytest.raises(publishing.WorseThanPublished,
                       match=r"interval \[0.0000, 0.0000\] nats does not lie above zero.*--force"):
        publishing.publish(run, "tiny_entry", "A tiny test model.")
    assert weights.read_bytes() == weights_before and card.read_text() == card_before
    replaced = publishing.publish(run, "tiny_entry", force=True)
    assert replaced.metrics["valid_nats"] == entry.metrics["valid_nats"]
    assert replaced.metrics["improvement"]["interval95_nats"] == [0.0, 0.0]
    assert replaced.description == "A tiny test model."  # Kept from the entry it replaces.


def test_a_better_run_replaces_the_entry_and_the_card_records_the_interval(published):
    entry, tmp_path, valid = published
    worse = loading.build_model(entry)
    weights = tmp_path / "weights" / "tiny_entry.weights.h5"
    worse.load_weights(weights)
    rng = np.random.default_rng(0)
    for variable in worse.trainable_variables:
        variable.assign(variable + rng.normal(0.0, 0.5, variable.shape).astype(np.float32))
    worse.save_weights(weights)
    worse_nll = -np.asarray(worse.log_prob(valid.images), np.float64)
    replaced = publishing.publish(str(tmp_path / "run"), "tiny_entry")
    improvement = replaced.metrics["improvement"]
    assert improvement["over_sha256"] == entry.sha256
    assert improvement["num_images"] == len(valid.images)
    assert improvement["previous_valid_nats"] == pytest.approx(worse_nll.mean(), abs=0.01)
    assert improvement["mean_nats"] == pytest.approx(
        worse_nll.mean() - replaced.metrics["valid_nats"], abs=0.01)
    low, high = improvement["interval95_nats"]
    assert 0 < low < improvement["mean_nats"] < high


def test_card_holds_its_figure_on_the_first_validation_images(published):
    entry, tmp_path, valid = published
    subset = entry.metrics["valid_subset"]
    assert subset["num_images"] == len(valid.images) == 12  # the whole tiny split (< 100)
    model = loading.build_model(entry)
    model.load_weights(tmp_path / "weights" / "tiny_entry.weights.h5")
    assert -np.mean(model.log_prob(valid.images)) == pytest.approx(subset["nats"], abs=1e-4)


def test_redraw_draws_the_published_figures_again_from_the_packaged_weights(published):
    entry, tmp_path, _ = published
    cards = tmp_path / "cards"
    figures = [cards / entry.samples_image, cards / entry.completions_image]
    drawn = [figure.read_bytes() for figure in figures]
    card = (cards / "tiny_entry.json").read_bytes()
    for figure in figures:
        figure.unlink()
    pz.zoo.register(dataclasses.replace(
        entry, weights=str(tmp_path / "weights" / "tiny_entry.weights.h5")))
    publishing.redraw_figures("tiny_entry")
    assert [figure.read_bytes() for figure in figures] == drawn
    assert (cards / "tiny_entry.json").read_bytes() == card


def test_card_records_the_runs_last_validation_against_float32_on_its_images(published):
    entry, tmp_path, valid = published
    check = entry.training["in_run_check"]
    (*_, (step, in_run)) = read_scalars(str(tmp_path / "run" / "valid"))["nats"]
    assert step == 2
    # The run validated its moving averages on its first batch of 8 images.
    averages = model_dir_lib.load_model(str(tmp_path / "run"), use_ema=True)
    float32 = -float(np.mean(averages.log_prob(valid.images[:8])))
    assert check == {"precision": "float32", "weights": "ema", "step": 2,
                     "images": 8, "in_run_nats": round(in_run, 2),
                     "float32_nats": round(float32, 2), "agrees": True}
    assert check["in_run_nats"] == pytest.approx(check["float32_nats"], abs=0.011)


def test_a_last_validation_that_float32_does_not_confirm_is_recorded_with_a_warning(
        published, caplog):
    entry, tmp_path, _ = published
    run = tmp_path / "run"
    writers = SummaryWriters(str(run))  # a later event file: the run's last validation
    writers.scalars("valid", 2, {"nats": entry.training["in_run_check"]["float32_nats"] * 0.9})
    writers.close()
    with caplog.at_level(logging.WARNING):
        replaced = publishing.publish(str(run), "tiny_entry", force=True)
    assert not replaced.training["in_run_check"]["agrees"]
    assert replaced.metrics["valid_nats"] == entry.metrics["valid_nats"]  # float32's, still
    assert any("training precision (float32) and float32 disagree" in record.getMessage()
               for record in caplog.records)
