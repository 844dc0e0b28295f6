"""The ``pixel-zoo`` command's arguments: the parser, and the checks of every name and number.

All of it runs before TensorFlow is imported (seconds), so a mistyped zoo name, dataset or
split, or a number out of range, fails at once. A mistake is one line, as argparse's own
errors without the usage text: ``pixel-zoo sample: error: ...``, exit status 2 (`console`).

Example:
    >>> args = parse(["sample", "pixelcnn_binarized_mnist", "--num", "0", "--out", "g.png"])
    >>> check(args, zoo)
    ValueError: --num must be a positive integer, got 0.
"""

import argparse
import math
import os

from pixel_zoo import codec, console, data, images
from pixel_zoo.ood import inputs as ood_inputs

# The exact commands of the module docstring of pixel_zoo.cli, and of its --help.
EXAMPLES = """Examples:

    pixel-zoo list
    pixel-zoo info pixelcnn_binarized_mnist
    pixel-zoo sample pixelcnn_binarized_mnist --num 16 --seed 1 --out grid.png
    pixel-zoo complete pixelcnn_binarized_mnist --image binarized_mnist:valid:7 --known-rows 14 --out done.png
    pixel-zoo complete pixelcnn_binarized_mnist --image digit.png --mask known.png --out done.png
    pixel-zoo eval pixelcnn_binarized_mnist
    pixel-zoo export pixelcnn_binarized_mnist --export_dir /tmp/serving
    pixel-zoo ood pixelcnn_fashion_mnist --in fashion_mnist:test --out mnist:test --plot ood.png
    pixel-zoo export pixelcnn_fashion_mnist --ood --export_dir /tmp/serving
    pixel-zoo compress pixelcnn_binarized_mnist binarized_mnist:valid --num 200 --out digits.pzc --report
    pixel-zoo decompress digits.pzc --out digits

Data (complete's DATASET:SPLIT:INDEX, eval, ood, compress) is read from the folder $PIXEL_ZOO_DATA or
--data names (binarized_mnist.npz, mnist/, fashion_mnist/, cifar10_jpeg/), else from
tensorflow-datasets' prepared copies; --download lets tensorflow-datasets download it.
"""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, without the usage text (exit status 2)."""

    def error(self, message):
        console.exit_with(message, self.prog)


def parse(argv=None):
    """The parsed command line ``argv`` (default ``sys.argv[1:]``); a parse error exits."""
    parser = _parser()
    args, extras = parser.parse_known_args(argv)
    if args.command == "compress":  # Images may follow its options, as argparse has them not.
        args.images += [extra for extra in extras if not extra.startswith("-")]
        extras = [extra for extra in extras if extra.startswith("-")]
    if extras:
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def _parser():
    parser = _Parser(prog="pixel-zoo", description="List, describe, sample, complete, evaluate "
                     "and export zoo models, and compress images with them.", epilog=EXAMPLES,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="the zoo's models")
    info = commands.add_parser("info", help="a model's card")

    def generating(name, help_text):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--seed", type=int, default=0)
        command.add_argument("--temperature", type=float, default=1.0)
        command.add_argument("--labels", default="", help="comma-separated classes (conditional models)")
        command.add_argument("--out", required=True, help="PNG file to write")
        command.add_argument("--scale", type=int, help="zoom of each pixel (default: images "
                                                       "about 128 pixels wide)")
        return command

    sample = generating("sample", "a PNG grid of samples")
    sample.add_argument("--num", type=int, default=16)
    complete = generating("complete", "sample the unknown part of an image")
    complete.add_argument("--image", required=True,
                          help="PNG of the model's image size (a PNG of values 0 and 1 is read "
                               "as binary by 2-level models), or DATASET:SPLIT:INDEX, e.g. "
                               "binarized_mnist:valid:7")
    known = complete.add_mutually_exclusive_group(required=True)
    known.add_argument("--known-rows", type=int, dest="known_rows",
                       help="keep the top rows, sample the rest")
    known.add_argument("--mask", help="PNG of the image's size: white pixels are kept, black "
                                      "ones sampled (in raster order)")
    complete.add_argument("--num", type=int, default=8, help="completions to draw")
    evaluate = commands.add_parser("eval", help="validation NLL in nats and bits/dim")
    evaluate.add_argument("--dataset", help="default: the data the model was trained on")
    evaluate.add_argument("--split", default="valid")
    evaluate.add_argument("--batch-size", type=int, default=100, dest="batch_size")
    evaluate.add_argument("--batches", type=int, default=0, help="0: the whole split")
    export = commands.add_parser("export", help="a TF Serving SavedModel")
    export.add_argument("--export_dir", required=True)
    export.add_argument("--version", type=int, default=1)
    export.add_argument("--ood", action="store_true",
                        help="export the entry's OOD detector (model and background) with "
                             "its ood_score signature instead")
    detect = commands.add_parser("ood", help="out-of-distribution AUROCs of a detector entry")
    detect.add_argument("--in", required=True, dest="in_data",
                        help="in-distribution DATASET:SPLIT, e.g. fashion_mnist:test")
    detect.add_argument("--out", required=True, action="append", dest="out_data",
                        help="out-of-distribution DATASET:SPLIT or noise:uniform (repeatable)")
    detect.add_argument("--num", type=int, help="the first NUM images of each set (noise: "
                                               "10000 by default)")
    detect.add_argument("--batch-size", type=int, default=256, dest="batch_size")
    detect.add_argument("--plot", default="ood.png", help="PNG of histograms and ROC curves")
    compress = commands.add_parser("compress", help="images to a .pzc file of about their NLL "
                                                    "in bits (lossless)")
    compress.add_argument("--out", required=True, help=".pzc file to write")
    compress.add_argument("--num", type=int, help="the first NUM images of each DATASET:SPLIT "
                                                  "(default: all of them)")
    compress.add_argument("--batch-size", type=int, default=64, dest="batch_size",
                          help="images coded together (decompressing runs the same batches)")
    compress.add_argument("--labels", default="", help="comma-separated classes of the images, "
                          "cycled (conditional models; default: a dataset's own labels)")
    compress.add_argument("--report", action="store_true", help="print bits per image against "
                          "the model's NLL and PNG, lossless WebP, bz2 and lzma")
    decompress = commands.add_parser("decompress", help="a .pzc file back to PNG files")
    decompress.add_argument("file", help="a .pzc file that pixel-zoo compress wrote")
    decompress.add_argument("--out", required=True, help="folder for the images, 000000.png on")
    for command in (complete, evaluate, detect, compress):
        command.add_argument("--data", default=os.environ.get("PIXEL_ZOO_DATA"),
                             help="local data folder (default $PIXEL_ZOO_DATA)")
        command.add_argument("--download", action="store_true",
                             help="let tensorflow-datasets download data it has not prepared "
                                  "(without it: local copies and prepared ones only)")
    for command in (info, sample, complete, evaluate, export, detect, compress):
        command.add_argument("name", help="a zoo model (pixel-zoo list)")
    compress.add_argument("images", nargs="+", help="PNG files of the model's size (values 0 "
                          "and 1 are read as binary by 2-level models), DATASET:SPLIT (e.g. "
                          "binarized_mnist:valid) or DATASET:SPLIT:INDEX")
    for command in (listing, info, sample, complete, evaluate, export, detect, compress,
                    decompress):
        command.add_argument("--verbose", action="store_true",
                             help="show TensorFlow's logs and full tracebacks")
    return parser


# The least value of each number argument (by its dest) that has one.
_LEAST = {"num": 1, "batch_size": 1, "batches": 0, "scale": 1, "version": 1, "known_rows": 0}


def check(args, zoo):
    """Raises ValueError or FileNotFoundError on a wrong name or number in ``args``.

    Reads model cards and looks for data (`pixel_zoo.data.check_split`), reads no images and
    imports no TensorFlow.
    """
    for dest, least in _LEAST.items():
        value = getattr(args, dest, None)
        if value is not None and value < least:
            kind = "a positive integer" if least == 1 else f"an integer >= {least}"
            raise ValueError(f"--{dest.replace('_', '-')} must be {kind}, got {value}.")
    temperature = getattr(args, "temperature", 1.0)
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"--temperature must be > 0 and finite, got {temperature}.")
    if args.command == "decompress":
        check_compressed(args.file, zoo)
    if not hasattr(args, "name"):
        return
    entry = zoo.get(args.name)
    if args.command in ("sample", "complete", "compress"):
        class_labels(entry, args.labels)
    if args.command == "complete":
        if args.known_rows is not None and args.known_rows > entry.image_shape[0]:
            raise ValueError(f"--known-rows must be in [0, {entry.image_shape[0]}] (the "
                             f"image's rows), got {args.known_rows}.")
        if args.mask and not os.path.isfile(args.mask):
            raise FileNotFoundError(f"--mask {args.mask}: no such file.")
        if not os.path.isfile(args.image):
            name, split, _ = images.parse_dataset_image(args.image)
            data.check_split(name, split, args.data, args.download)
    if args.command == "compress":
        for spec in args.images:
            if not os.path.isfile(spec):
                name, split, _ = images.parse_dataset_spec(spec)
                data.check_split(name, split, args.data, args.download)
    if args.command == "eval":
        data.check_split(args.dataset or entry.dataset, args.split, args.data, args.download)
    if (args.command == "ood" or getattr(args, "ood", False)) and not entry.background:
        detectors = [name for name in zoo.list_models() if zoo.get(name).background]
        raise ValueError(f"{entry.name} has no background model in its card: it is no OOD "
                         f"detector. Detectors: {', '.join(detectors) or 'none'}.")
    if args.command == "ood":
        for spec in (args.in_data, *args.out_data):
            ood_inputs.check_spec(spec, args.data, args.num, args.download)


def check_compressed(path, zoo):
    """The `pixel_zoo.codec.Header` of the ``.pzc`` file ``path``, whose model must be a zoo entry.

    Raises:
      FileNotFoundError: no such file.
      pixel_zoo.codec.CodecError: no file of the format, or a truncated or corrupted one.
      ValueError: a model of one's own (the command decompresses with zoo entries only).

    Example:
        >>> check_compressed("digits.pzc", zoo).model_name
        'pixelcnn_binarized_mnist'
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file.")
    with open(path, "rb") as file:
        try:
            header = codec.read_header(file.read())
        except codec.CodecError as error:
            raise codec.CodecError(f"{path}: {error}") from None
    if header.model_name not in zoo.list_models():
        raise ValueError(f"{path} was compressed with {header.model_name!r}, no zoo entry: "
                         "decompress it in Python, pz.codec.decompress(data, model=that_model).")
    return header


def class_labels(entry, text):
    """The classes ``--labels`` names (``"3,1"``), checked against the entry; None if empty."""
    num_classes = entry.hyperparameters.get("num_classes")
    if not text:
        return None
    if not num_classes:
        raise ValueError(f"{entry.name} is not class-conditional: drop --labels.")
    try:
        labels = [int(label) for label in text.split(",")]
    except ValueError:
        raise ValueError(f"--labels must be comma-separated integers, got {text!r}.") from None
    if not all(0 <= label < num_classes for label in labels):
        raise ValueError(f"--labels must be classes in [0, {num_classes}), got {text!r}.")
    return labels
