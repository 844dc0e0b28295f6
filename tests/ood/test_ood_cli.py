"""``pixel-zoo ood`` and ``publish_detector`` on registered tiny entries and npz / noise data."""

import dataclasses
import json

import numpy as np
import pytest
import tensorflow as tf
from ood_case import IMAGE_SHAPE, NUM_LEVELS, training_like
from PIL import Image

import pixel_zoo as pz
from pixel_zoo import cli
from trainers import publishing
from trainers.publishing import detector as publishing_detector


@pytest.fixture(scope="module")
def entries(detector, tmp_path_factory):
    """The tiny detector's models as zoo entries; returns the foreground's name and a data spec."""
    folder = tmp_path_factory.mktemp("zoo")
    for name, model in (("cli_fg", detector.model), ("cli_bg", detector.background)):
        model.save_weights(folder / f"{name}.weights.h5")
        pz.zoo.register(pz.zoo.ZooEntry(
            name=name, model="pixelcnn", image_shape=IMAGE_SHAPE, num_levels=NUM_LEVELS,
            hyperparameters={"num_layers": 2, "hidden_units": 6},
            weights=str(folder / f"{name}.weights.h5"),
            sha256=pz.zoo.sha256_of(folder / f"{name}.weights.h5"),
            background="cli_bg" if name == "cli_fg" else ""))
    # An npz of values above 1 holds 256 levels: these requantize to training_like's 8.
    images = np.round(training_like(60, seed=4) * (255 / (NUM_LEVELS - 1))).astype(np.uint8)
    np.savez(folder / "tiny.npz", train=images, valid=images)
    return "cli_fg", f"npz:{folder / 'tiny.npz'}:valid"


def test_ood_command_prints_aurocs_and_writes_the_plot(entries, tmp_path, capsys):
    name, in_data = entries
    plot = tmp_path / "ood.png"
    cli.main(["ood", name, "--in", in_data, "--out", "noise:uniform", "--num", "40",
              "--plot", str(plot)])
    scoring, *lines = capsys.readouterr().out.splitlines()
    assert scoring == (f"Scoring 80 images ({in_data}: 40, noise:uniform: 40) with cli_fg "
                       "and cli_bg.")
    assert "cli_fg vs cli_bg" in lines[0] and "(40 images) in" in lines[0]
    out, count, ratio, raw = lines[2].split()
    assert (out, count) == ("noise:uniform", "40")
    assert float(ratio) > 0.9 and 0.0 <= float(raw) <= 1.0
    assert lines[-1] == str(plot)
    with Image.open(plot) as figure:
        assert figure.size[0] > 400 and figure.size[1] > 400


def test_ood_command_needs_a_detector_entry(entries, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["ood", "cli_bg", "--in", entries[1], "--out", "noise:uniform"])
    assert exit_info.value.code == 2
    assert "cli_bg has no background model" in capsys.readouterr().err


def test_export_ood_writes_the_detector(entries, tmp_path, capsys):
    cli.main(["export", entries[0], "--ood", "--export_dir", str(tmp_path)])
    path = capsys.readouterr().out.strip()
    assert path == str(tmp_path / entries[0] / "1")
    assert sorted(tf.saved_model.load(path).signatures) == ["ood_score", "serving_default"]


def test_publish_detector_writes_measured_aurocs_into_the_card(entries, tmp_path, monkeypatch):
    name, in_data = entries
    monkeypatch.setattr(publishing_detector, "CARDS_DIR", tmp_path)
    pz.zoo.register(dataclasses.replace(pz.zoo.get(name), background=""))
    entry = publishing.publish_detector(name, "cli_bg", in_data, ["noise:uniform"], num=30)
    card = json.loads((tmp_path / f"{name}.json").read_text())
    assert card["background"] == "cli_bg" and entry.background == "cli_bg"
    detector = pz.ood.LikelihoodRatio(pz.zoo.load(name), pz.zoo.load("cli_bg"))
    in_images = pz.ood.load_images(in_data, IMAGE_SHAPE, NUM_LEVELS, num=30)
    np.testing.assert_array_equal(in_images, training_like(60, seed=4)[:30])
    noise = pz.ood.load_images("noise:uniform", IMAGE_SHAPE, NUM_LEVELS, num=30)
    expected = pz.ood.auroc(detector.score(in_images), detector.score(noise))
    assert card["ood"]["auroc"]["noise:uniform"]["likelihood_ratio"] == round(expected, 4)
    assert card["ood"]["num_images"] == {in_data: 30, "noise:uniform": 30}
    assert "--out=noise:uniform" in card["ood"]["command"]
    assert (tmp_path / card["ood"]["plot"]).is_file()
    assert "AUROC" in pz.zoo.ZooEntry.from_json(tmp_path / f"{name}.json").card()
    train_data = in_data.rpartition(":")[0] + ":train"
    referenced = detector.with_reference(pz.ood.load_images(train_data, IMAGE_SHAPE, NUM_LEVELS))
    reference = card["ood"]["reference"]
    assert (reference["data"], reference["num_images"]) == (train_data, 60)
    for kind, quantiles in referenced.reference.items():
        np.testing.assert_allclose(reference["quantiles"][kind], quantiles, rtol=1e-6)
    expected = pz.ood.auroc(referenced.scores(in_images)["percentile"],
                            referenced.scores(noise)["percentile"])
    assert card["ood"]["auroc"]["noise:uniform"]["percentile"] == pytest.approx(expected,
                                                                                 abs=2e-4)
    assert "--reference=" in card["ood"]["command"]
    assert card["ood"]["weights_sha256"] == {model: pz.zoo.get(model).sha256
                                             for model in (name, "cli_bg")}


def test_the_ood_command_prints_the_percentile_score_of_a_published_detector(
        entries, tmp_path, monkeypatch, capsys):
    name, in_data = entries
    monkeypatch.setattr(publishing_detector, "CARDS_DIR", tmp_path)
    pz.zoo.register(publishing.publish_detector(name, "cli_bg", in_data, ["noise:uniform"],
                                                num=30))
    reference = pz.ood.LikelihoodRatio.from_zoo(name).reference
    np.testing.assert_array_equal(reference["nll"],
                                  pz.zoo.get(name).ood["reference"]["quantiles"]["nll"])
    capsys.readouterr()
    cli.main(["ood", name, "--in", in_data, "--out", "noise:uniform", "--num", "30",
              "--plot", str(tmp_path / "ood.png")])
    scoring, *lines = capsys.readouterr().out.splitlines()
    assert scoring.startswith("Scoring 60 images")
    assert lines[1].split()[-1] == "percentile"
    out, count, _ratio, _raw, percentile = lines[2].split()
    assert (out, count) == ("noise:uniform", "30") and float(percentile) > 0.9
