"""The pixel-zoo command on a registered tiny model: every subcommand end to end."""

import dataclasses
import os
import time

import numpy as np
import pytest
from PIL import Image
from test_case import register_tiny

import pixel_zoo as pz
from pixel_zoo import cli, progress


@pytest.fixture(scope="module")
def name(tmp_path_factory):
    register_tiny(tmp_path_factory.mktemp("zoo"), "cli_tiny", dataset="npz:unused",
                  metrics={"valid_nats": 1.0})
    pz.zoo.register(dataclasses.replace(pz.zoo.get("cli_tiny"), name="cli_tiny_detector",
                                        background="cli_tiny"))
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
    assert out.startswith(f"Scoring 10 images of npz:{tmp_path / 'tiny.npz'} valid with "
                          "cli_tiny.\n")
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


def test_complete_a_colour_image(tmp_path):
    # A tiny colour PixelCNN++ (the packaged colour entries load and sample in
    # tests/zoo/test_zoo_loading.py); any colour image will do.
    register_tiny(tmp_path, "cli_tiny_rgb", family="pixelcnn_pp", image_shape=(6, 6, 3),
                  num_levels=256, dataset="npz:unused")
    image = np.random.default_rng(4).integers(0, 256, (6, 6, 3), dtype=np.uint8)
    Image.fromarray(image).save(tmp_path / "in.png")
    out = tmp_path / "out.png"
    cli.main(["complete", "cli_tiny_rgb", "--image", str(tmp_path / "in.png"), "--known-rows",
              "4", "--num", "2", "--scale", "1", "--out", str(out)])
    grid = np.asarray(Image.open(out))
    assert grid.shape == (8, 4 * 7 + 1, 3)
    occluded, *completions, original = _tiles(grid, 6, 4)
    np.testing.assert_array_equal(original, image)
    assert not occluded[4:].any()
    for tile in (occluded, *completions):
        np.testing.assert_array_equal(tile[:4], image[:4])
    for completion in completions:
        assert not np.array_equal(completion[4:], image[4:])


@pytest.mark.parametrize("temperature", ["0", "-1", "nan"])
def test_sample_refuses_a_temperature_that_is_not_positive_and_finite(name, tmp_path,
                                                                      temperature, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["sample", name, "--temperature", temperature, "--out",
                  str(tmp_path / "grid.png")])
    assert exit_info.value.code == 2
    assert "temperature must be > 0 and finite" in capsys.readouterr().err
    assert not (tmp_path / "grid.png").exists()


def _tiles(grid, size, count):
    """The ``count`` tiles of a one-row grid saved with ``--scale 1`` (gutters of 1)."""
    return [grid[1:1 + size, 1 + (size + 1) * column: (size + 1) * (column + 1)]
            for column in range(count)]


def test_complete_takes_an_image_of_a_dataset(name, tmp_path, capsys):
    images = np.random.default_rng(2).integers(0, 2, (5, 6, 6)).astype(np.uint8)
    np.savez(tmp_path / "tiny.npz", train=images, valid=images)
    out = tmp_path / "out.png"
    cli.main(["complete", name, "--image", f"npz:{tmp_path / 'tiny.npz'}:valid:3",
              "--known-rows", "3", "--num", "1", "--scale", "1", "--out", str(out)])
    _occluded, completion, original = _tiles(np.asarray(Image.open(out)), 6, 3)
    np.testing.assert_array_equal(original, images[3] * 255)
    np.testing.assert_array_equal(completion[:3], images[3, :3] * 255)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["complete", name, "--image", f"npz:{tmp_path / 'tiny.npz'}:valid:5",
                  "--known-rows", "3", "--out", str(out)])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (f"pixel-zoo: error: npz:{tmp_path / 'tiny.npz'}:valid:5: "
                                       f"npz:{tmp_path / 'tiny.npz'} valid has 5 images "
                                       "(0 to 4).\n")


@pytest.mark.skipif(not os.environ.get("PIXEL_ZOO_DATA"), reason="needs $PIXEL_ZOO_DATA")
def test_complete_a_validation_digit_as_the_docstring_says(tmp_path, capsys):
    # cli's docstring: pixel-zoo complete pixelcnn_binarized_mnist --image
    # binarized_mnist:valid:7 --known-rows 14 --out done.png (one completion here, for time).
    out = tmp_path / "done.png"
    cli.main(["complete", "pixelcnn_binarized_mnist", "--image", "binarized_mnist:valid:7",
              "--known-rows", "14", "--out", str(out), "--num", "1", "--scale", "1"])
    assert capsys.readouterr().out == f"{out}\n"
    digit = pz.data.load_split("binarized_mnist", "valid", os.environ["PIXEL_ZOO_DATA"]).images[7]
    _occluded, completion, original = _tiles(np.asarray(Image.open(out)), 28, 3)
    np.testing.assert_array_equal(original, digit[..., 0] * 255)
    np.testing.assert_array_equal(completion[:14], digit[:14, :, 0] * 255)


def test_a_png_of_zeros_and_ones_is_read_as_binary(name, tmp_path, capsys):
    # A binarized digit saved as it is: 8-bit, it is black.
    image = np.random.default_rng(3).integers(0, 2, (6, 6)).astype(np.uint8)
    Image.fromarray(image).save(tmp_path / "in.png")
    out = tmp_path / "out.png"
    cli.main(["complete", name, "--image", str(tmp_path / "in.png"), "--known-rows", "3",
              "--num", "1", "--scale", "1", "--out", str(out)])
    assert capsys.readouterr().out == (f"{tmp_path / 'in.png'}: values 0 and 1 only, read as a "
                                       f"binary image (1: white).\n{out}\n")
    _occluded, _completion, original = _tiles(np.asarray(Image.open(out)), 6, 3)
    np.testing.assert_array_equal(original, image * 255)


def test_a_png_of_zeros_and_ones_is_refused_by_a_model_of_more_levels(tmp_path, capsys):
    Image.fromarray(np.eye(28, dtype=np.uint8)).save(tmp_path / "in.png")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["complete", "pixelcnn_fashion_mnist", "--image", str(tmp_path / "in.png"),
                  "--known-rows", "14", "--out", str(tmp_path / "out.png")])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        f"pixel-zoo: error: {tmp_path / 'in.png'} has only values 0 and 1, black in an 8-bit "
        "image (a binary image saved as it is?); this model takes 256 levels of 0..255: save "
        "the image scaled to 0..255 (image * 255).\n")
    assert not (tmp_path / "out.png").exists()


def test_ood_says_what_it_scores_and_shows_a_bar_on_a_terminal(name, tmp_path, capsys,
                                                                 monkeypatch):
    images = np.random.default_rng(1).integers(0, 2, (10, 6, 6)).astype(np.uint8)
    np.savez(tmp_path / "tiny.npz", train=images, valid=images)
    command = ["ood", "cli_tiny_detector", "--in", f"npz:{tmp_path / 'tiny.npz'}:valid",
               "--out", "noise:uniform", "--num", "20", "--plot", str(tmp_path / "ood.png")]
    cli.main(command)
    out = capsys.readouterr().out
    assert out.startswith(f"Scoring 30 images (npz:{tmp_path / 'tiny.npz'}:valid: 10, "
                          "noise:uniform: 20) with cli_tiny_detector and cli_tiny.\n")
    assert "30/30" not in out  # no bar in a log
    monkeypatch.setattr(progress, "output_is_terminal", lambda: True)
    cli.main(command)
    assert "30/30" in capsys.readouterr().out
    cli.main(["eval", name, "--dataset", f"npz:{tmp_path / 'tiny.npz'}", "--batch-size", "4"])
    assert "3/3" in capsys.readouterr().out  # batches


def test_ctrl_c_prints_one_line_and_exits_130(name, monkeypatch, capsys):
    def interrupted(args, zoo):
        raise KeyboardInterrupt

    monkeypatch.setitem(cli._COMMANDS, "info", interrupted)  # pylint: disable=protected-access
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["info", name])
    assert exit_info.value.code == 130
    assert capsys.readouterr().err == "pixel-zoo: interrupted\n"
