"""The pixel-zoo command on a registered tiny model: every subcommand end to end."""

import time

import numpy as np
import pytest
from PIL import Image

import pixel_zoo as pz
from pixel_zoo import cli
from test_case import tiny_model


@pytest.fixture(scope="module")
def name(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zoo")
    model = tiny_model("pixelcnn", (6, 6, 1), num_levels=2)
    model.save_weights(folder / "tiny.weights.h5")
    pz.zoo.register(pz.zoo.ZooEntry(
        name="cli_tiny", model="pixelcnn", image_shape=(6, 6, 1), num_levels=2,
        hyperparameters={"num_layers": 2, "hidden_units": 6},
        weights=str(folder / "tiny.weights.h5"),
        sha256=pz.zoo.sha256_of(folder / "tiny.weights.h5"), dataset="npz:unused",
        metrics={"valid_nats": 1.0},
    ))
    return "cli_tiny"


def test_list_and_info(name, capsys):
    cli.main(["list"])
    assert "cli_tiny" in capsys.readouterr().out
    cli.main(["info", name])
    assert "# cli_tiny" in capsys.readouterr().out


def test_sample_writes_a_grid(name, tmp_path):
    cli.main(["sample", name, "--num", "4", "--seed", "3", "--out", str(tmp_path / "grid.png")])
    assert Image.open(tmp_path / "grid.png").size == (282, 282)  # 2x2 of 21 x 6 + 3 gutters of 10
    cli.main(["sample", name, "--num", "4", "--scale", "1", "--out", str(tmp_path / "1.png")])
    assert Image.open(tmp_path / "1.png").size == (15, 15)  # 2x2 images of 6 + gutters of 1


def test_complete_keeps_the_known_rows(name, tmp_path):
    image = np.random.default_rng(0).integers(0, 2, (6, 6)).astype(np.uint8) * 255
    Image.fromarray(image).save(tmp_path / "in.png")
    out = tmp_path / "out.png"
    cli.main(["complete", name, "--image", str(tmp_path / "in.png"), "--known-rows", "3",
              "--num", "2", "--scale", "1", "--out", str(out)])
    grid = np.asarray(Image.open(out))
    completions = [grid[1:7, 1 + 7 * column: 7 + 7 * column] for column in range(4)]
    for completion in completions[1:]:
        np.testing.assert_array_equal(completion[:3], image[:3])
    assert not all(np.array_equal(c[3:], image[3:]) for c in completions[1:3])


def test_complete_with_a_mask_keeps_the_white_pixels(name, tmp_path):
    image = np.random.default_rng(0).integers(0, 2, (6, 6)).astype(np.uint8) * 255
    Image.fromarray(image).save(tmp_path / "in.png")
    known = np.ones((6, 6), bool)
    known[2:4, 1:5] = False
    Image.fromarray(known.astype(np.uint8) * 255).save(tmp_path / "mask.png")
    out = tmp_path / "out.png"
    cli.main(["complete", name, "--image", str(tmp_path / "in.png"), "--mask",
              str(tmp_path / "mask.png"), "--num", "2", "--scale", "1", "--out", str(out)])
    grid = np.asarray(Image.open(out))
    occluded, *completions, original = [grid[1:7, 1 + 7 * column: 7 + 7 * column]
                                        for column in range(4)]
    np.testing.assert_array_equal(occluded, np.where(known, image, 0))
    np.testing.assert_array_equal(original, image)
    for completion in completions:
        np.testing.assert_array_equal(completion[known], image[known])
    assert not all(np.array_equal(c[~known], image[~known]) for c in completions)


def test_complete_needs_rows_or_a_mask(name, tmp_path):
    with pytest.raises(SystemExit):
        cli.main(["complete", name, "--image", "in.png", "--out", str(tmp_path / "out.png")])


def test_eval_prints_nats_and_bits(name, tmp_path, capsys):
    images = np.random.default_rng(1).integers(0, 2, (10, 6, 6)).astype(np.uint8)
    np.savez(tmp_path / "tiny.npz", train=images, valid=images)
    cli.main(["eval", name, "--dataset", f"npz:{tmp_path / 'tiny.npz'}"])
    out = capsys.readouterr().out
    model = pz.zoo.load(name)
    nats = -float(np.mean(model.log_prob(images[..., None])))
    assert f"{nats:.2f} nats/image" in out and "(10 images)" in out


def test_eval_with_a_missing_data_folder_fails_at_once(name, tmp_path, capsys):
    start = time.perf_counter()
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["eval", name, "--dataset", "binarized_mnist", "--data",
                  str(tmp_path / "nowhere")])
    assert time.perf_counter() - start < 1.0 and exit_info.value.code == 2
    error = capsys.readouterr().err
    assert f"the data folder {tmp_path / 'nowhere'} does not exist" in error
    assert "$PIXEL_ZOO_DATA" in error


def test_export_writes_a_version(name, tmp_path):
    cli.main(["export", name, "--export_dir", str(tmp_path)])
    assert (tmp_path / "cli_tiny" / "1" / "saved_model.pb").is_file()


def test_unknown_model_is_one_line_with_a_suggestion(name, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["info", "pixelcnn_binarized_mnst"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("pixel-zoo: error: No zoo model 'pixelcnn_binarized_mnst'. Did you "
                            "mean 'pixelcnn_binarized_mnist'")
    assert len(error.splitlines()) == 1 and "Traceback" not in error


RGB_ENTRIES = [name for name in pz.zoo.list_models() if pz.zoo.get(name).image_shape[-1] == 3]


@pytest.mark.parametrize("rgb_name", RGB_ENTRIES)
def test_complete_a_colour_image_with_a_packaged_model(rgb_name, tmp_path):
    # Any colour image will do; the model completes its last 4 rows (sampling all 32 takes
    # most of a minute for pixelcnn_pp on this CPU).
    image = np.random.default_rng(4).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    Image.fromarray(image).save(tmp_path / "in.png")
    out = tmp_path / "out.png"
    cli.main(["complete", rgb_name, "--image", str(tmp_path / "in.png"), "--known-rows", "28",
              "--num", "2", "--scale", "1", "--out", str(out)])
    grid = np.asarray(Image.open(out))
    assert grid.shape == (34, 4 * 33 + 1, 3)
    occluded, *completions, original = [grid[1:33, 1 + 33 * column: 33 + 33 * column]
                                        for column in range(4)]
    np.testing.assert_array_equal(original, image)
    assert not occluded[28:].any()
    for tile in (occluded, *completions):
        np.testing.assert_array_equal(tile[:28], image[:28])
    for completion in completions:
        assert not np.array_equal(completion[28:], image[28:])


@pytest.mark.parametrize("temperature", ["0", "-1", "nan"])
def test_sample_refuses_a_temperature_that_is_not_positive_and_finite(name, tmp_path,
                                                                      temperature, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["sample", name, "--temperature", temperature, "--out",
                  str(tmp_path / "grid.png")])
    assert exit_info.value.code == 2
    assert "temperature must be > 0 and finite" in capsys.readouterr().err
    assert not (tmp_path / "grid.png").exists()
