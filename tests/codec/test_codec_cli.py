"""pixel-zoo compress and decompress on a registered tiny entry: PNG files and a dataset split."""

import numpy as np
import pytest
from PIL import Image
from test_case import register_tiny, tiny_model

import pixel_zoo as pz
from pixel_zoo import cli, images


@pytest.fixture(scope="module")
def name(tmp_path_factory):
    register_tiny(tmp_path_factory.mktemp("zoo"), "codec_cli_tiny")  # pixelcnn, 6x6, 2 levels
    return "codec_cli_tiny"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """``(files, expected levels)``: a PNG of values 0 and 1, one of 0 and 255, and a split."""
    folder = tmp_path_factory.mktemp("inputs")
    rng = np.random.default_rng(0)
    digits = rng.integers(0, 2, (6, 6, 6)).astype(np.uint8)
    Image.fromarray(digits[0]).save(folder / "zero_one.png")
    Image.fromarray(digits[1] * 255).save(folder / "black_white.png")
    np.savez(folder / "tiny.npz", train=digits, valid=digits[2:])
    files = [str(folder / "zero_one.png"), str(folder / "black_white.png"),
             f"npz:{folder / 'tiny.npz'}:valid"]
    return files, digits[:5, :, :, None]  # the split's first 3 (--num 3)


def test_compress_then_decompress_gives_the_images_back(name, inputs, tmp_path, capsys):
    files, expected = inputs
    out = tmp_path / "digits.pzc"
    cli.main(["compress", name, *files, "--num", "3", "--batch-size", "2", "--out", str(out),
              "--report"])
    printed = capsys.readouterr().out
    assert "zero_one.png: values 0 and 1 only, read as a binary image" in printed
    assert f"{out}: {out.stat().st_size:,} bytes" in printed and "(5 images)" in printed
    for row in ("model NLL (log_prob)", "this file", "PNG, one file per image",
                "PNG, one picture", "lossless WebP, one picture", "bz2", "lzma"):
        assert f"\n{row} " in printed, row
    cli.main(["decompress", str(out), "--out", str(tmp_path / "back")])
    assert "000000.png to 000004.png" in capsys.readouterr().out
    for index, image in enumerate(expected):
        read = images.read_image(tmp_path / "back" / f"{index:06d}.png", (6, 6, 1), 2)
        np.testing.assert_array_equal(read, image)


def test_a_class_conditional_entry_codes_a_split_with_its_labels_and_a_png_with_given_ones(
        inputs, tmp_path, capsys):
    register_tiny(tmp_path, "codec_cli_conditional", family="gated_pixelcnn",
                  hyperparameters={"num_classes": 3})
    rng = np.random.default_rng(1)
    np.savez(tmp_path / "labelled.npz", valid=rng.integers(0, 2, (4, 6, 6)).astype(np.uint8),
             valid_labels=np.array([2, 0, 1, 2], np.int32))
    out = tmp_path / "labelled.pzc"
    cli.main(["compress", "codec_cli_conditional", f"npz:{tmp_path / 'labelled.npz'}:valid",
              "--out", str(out)])
    assert pz.codec.read_header(out.read_bytes()).labels.tolist() == [2, 0, 1, 2]
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["compress", "codec_cli_conditional", inputs[0][0], "--out", str(out)])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        f"pixel-zoo: error: codec_cli_conditional is class-conditional and {inputs[0][0]} has "
        "no class: give the images' classes with --labels.\n")
    cli.main(["compress", "codec_cli_conditional", inputs[0][0], "--labels", "1", "--out",
              str(out)])
    assert pz.codec.read_header(out.read_bytes()).labels.tolist() == [1]


def test_a_corrupted_file_is_one_line_naming_it(name, inputs, tmp_path, capsys):
    out = tmp_path / "one.pzc"
    cli.main(["compress", name, inputs[0][1], "--out", str(out)])
    data = bytearray(out.read_bytes())
    data[-8] ^= 1
    out.write_bytes(bytes(data))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["decompress", str(out), "--out", str(tmp_path / "back")])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (f"pixel-zoo: error: {out}: corrupted: the file's CRC-32 "
                                       "does not match its bytes.\n")
    assert not (tmp_path / "back").exists()


def test_a_file_of_a_model_of_ones_own_is_refused(tmp_path, capsys):
    model = tiny_model("pixelcnn", (3, 3, 1), 2)
    (tmp_path / "mine.pzc").write_bytes(pz.codec.compress(model, np.zeros((1, 3, 3, 1),
                                                                          np.uint8)))
    with pytest.raises(SystemExit):
        cli.main(["decompress", str(tmp_path / "mine.pzc"), "--out", str(tmp_path)])
    assert "compressed with 'pixelcnn', no zoo entry: decompress it in Python" in \
        capsys.readouterr().err


def test_levels_written_as_png_are_read_back_exactly_for_every_number_of_levels(tmp_path):
    for num_levels in range(2, 257):
        levels = np.arange(num_levels, dtype=np.uint8).reshape(1, 1, -1, 1)
        path = images.save_grid(levels, str(tmp_path / "levels.png"), num_levels, scale=1,
                                gutter=0)
        read = images.read_image(path, (1, num_levels, 1), num_levels)
        np.testing.assert_array_equal(read, levels[0], err_msg=f"{num_levels} levels")
