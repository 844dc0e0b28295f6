"""Publishing a training run as a zoo entry: weights, measured card, sample and completion grids."""

import json

import numpy as np
import pytest
from PIL import Image

from pixel_zoo import data
from pixel_zoo.training import TrainConfig, train
from pixel_zoo.zoo import loading, publishing


@pytest.fixture
def published(tmp_path, monkeypatch):
    monkeypatch.setattr(publishing, "CARDS_DIR", tmp_path / "cards")
    monkeypatch.setattr(publishing, "WEIGHTS_DIR", tmp_path / "weights")
    (tmp_path / "weights").mkdir()
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "tiny.npz", train=rng.integers(0, 2, (40, 6, 6)).astype(np.uint8),
             valid=rng.integers(0, 2, (12, 6, 6)).astype(np.uint8))
    dataset = f"npz:{tmp_path / 'tiny.npz'}"
    config = TrainConfig(model_dir=str(tmp_path / "run"), dataset=dataset, num_layers=1,
                         hidden_units=4, batch_size=8, train_steps=2, eval_every=0,
                         num_samples=0, logistic_mixtures=2)
    train(config)
    entry = publishing.publish(config.model_dir, "tiny_entry", "A tiny test model.", "1 s")
    return entry, tmp_path, data.load_split(dataset, "valid", None)


def test_card_holds_measured_metrics_and_the_training_command(published):
    entry, tmp_path, valid = published
    card = json.loads((tmp_path / "cards" / "tiny_entry.json").read_text())
    assert card["metrics"]["valid_images"] == len(valid.images)
    assert card["hyperparameters"] == {"num_layers": 1, "hidden_units": 4, "output_units": 8,
                                       "logistic_mixtures": 2}
    assert card["training"]["steps"] == 2
    assert "--logistic_mixtures=2" in card["training"]["command"]
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
