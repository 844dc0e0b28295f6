"""The ``pixel-zoo`` command: list, describe, sample, complete, evaluate and export zoo models,
and compress images with them.

Complete the bottom half of a validation digit (``binarized_mnist.npz`` in the folder
``$PIXEL_ZOO_DATA`` or ``--data`` names; ``pixel-zoo --help`` lists an example of each command):

    pixel-zoo complete pixelcnn_binarized_mnist --image binarized_mnist:valid:7 --known-rows 14 --out done.png

The arguments are parsed and checked first (`pixel_zoo.cli_args`), data and images read
next, and TensorFlow imported only then, so a mistake fails at once. A user's mistake is one
line, exit status 2 (`pixel_zoo.console`); ``--verbose`` shows TensorFlow's logs and tracebacks.
"""

import os

import numpy as np

from pixel_zoo import cli_args, console


def _labels(entry, num, labels):
    """Class labels for a class-conditional entry: the given ones, else 0, 1, 2, ... cycling."""
    num_classes = entry.hyperparameters.get("num_classes")
    if not num_classes:
        return {}
    values = cli_args.class_labels(entry, labels) or list(range(num_classes))
    return {"labels": np.resize(np.asarray(values, np.int32), num)}


def _with_tensorflow(args):
    """Imports TensorFlow without its start-up logs; compiled XLA programs are kept on disk."""
    console.use_compilation_cache()
    console.quiet_tensorflow(args.verbose)


def _list(args, zoo):
    for name in zoo.list_models():
        entry = zoo.get(name)
        figures = ", ".join(f"{key} {value}" for key, value in entry.metrics.items())
        print(f"{name:40s} {entry.dataset:16s} {figures}")


def _info(args, zoo):
    print(zoo.get(args.name).card(), end="")


def _sample(args, zoo):
    from pixel_zoo import images

    _with_tensorflow(args)
    entry, model = zoo.get(args.name), zoo.load(args.name)
    samples = model.sample(
        args.num, seed=args.seed, temperature=args.temperature,
        **_labels(entry, args.num, args.labels),
    )
    print(images.save_grid(samples, args.out, model.num_levels, scale=args.scale))


def _read_png(path, image_shape, num_levels):
    """A PNG's pixels as levels; one line says when 0/1 values are read as a binary image."""
    from pixel_zoo import images

    pixels = images.read_pixels(path, image_shape)
    if num_levels == 2 and images.is_zero_one(pixels):
        print(f"{path}: values 0 and 1 only, read as a binary image (1: white).")
    return images.to_levels(pixels, num_levels, path)


def _complete(args, zoo):
    from pixel_zoo import images

    entry = zoo.get(args.name)
    if os.path.isfile(args.image):
        image = _read_png(args.image, entry.image_shape, entry.num_levels)
    else:  # DATASET:SPLIT:INDEX
        image = images.dataset_image(args.image, entry.image_shape, entry.num_levels,
                                     args.data, args.download)
    batch = np.repeat(image[None], args.num, axis=0)
    height, width, _ = entry.image_shape
    if args.mask:
        mask = _read_png(args.mask, (height, width, 1), 2)[..., 0] > 0
        known = {"mask": mask}
    else:
        mask = np.arange(height)[:, None] < args.known_rows
        known = {"known_rows": args.known_rows}
    _with_tensorflow(args)
    model = zoo.load(args.name)
    completions = np.asarray(
        model.complete(
            batch, seed=args.seed, temperature=args.temperature,
            **known, **_labels(entry, args.num, args.labels),
        )
    )
    occluded = np.where(np.broadcast_to(mask[..., None], image.shape), image, 0)
    grid = np.concatenate([occluded[None], completions, image[None]])
    print(images.save_grid(grid, args.out, model.num_levels, columns=len(grid), scale=args.scale))


def _eval(args, zoo):
    from pixel_zoo import data

    entry = zoo.get(args.name)
    dataset_name = args.dataset or entry.dataset
    split = data.load_split(dataset_name, args.split, args.data, args.download)
    num_images = len(split.images)
    if args.batches:
        num_images = min(num_images, args.batches * args.batch_size)
    print(f"Scoring {num_images} images of {dataset_name} {args.split} with {args.name}.",
          flush=True)
    _with_tensorflow(args)
    import tensorflow as tf  # pylint: disable=import-outside-toplevel

    from pixel_zoo import evaluation  # pylint: disable=import-outside-toplevel

    model = zoo.load(args.name)
    dataset = evaluation.eval_dataset(
        split, args.batch_size, args.batches, with_labels=model.num_classes is not None
    )
    result = evaluation.Evaluator(tf.distribute.get_strategy(), model, dataset)()
    print(
        f"{args.name} on {dataset_name} {args.split}: "
        f"{result['nats']:.2f} nats/image, {result['bits_per_dim']:.4f} bits/dim "
        f"({result['num_images']} images)"
    )


def _export(args, zoo):
    _with_tensorflow(args)
    from pixel_zoo import export_lib

    if args.ood:
        from pixel_zoo import ood

        detector = ood.LikelihoodRatio.from_zoo(args.name)
        print(export_lib.export_detector(detector, args.export_dir, args.name, args.version))
        return
    model = zoo.load(args.name)
    print(export_lib.export_model(model, args.export_dir, args.name, args.version))


def _ood(args, zoo):
    _with_tensorflow(args)
    from pixel_zoo import ood
    from pixel_zoo.ood import plot as ood_plot

    detector = ood.LikelihoodRatio.from_zoo(args.name)
    load = {"image_shape": detector.image_shape, "num_levels": detector.num_levels,
            "data_dir": args.data, "num": args.num, "download": args.download}
    in_images = ood.load_images(args.in_data, **load)
    out_sets = {spec: ood.load_images(spec, **load) for spec in args.out_data}
    background = zoo.get(args.name).background
    sizes = {args.in_data: len(in_images), **{spec: len(x) for spec, x in out_sets.items()}}
    print(f"Scoring {sum(sizes.values())} images ("
          + ", ".join(f"{spec}: {size}" for spec, size in sizes.items())
          + f") with {args.name} and {background}.", flush=True)
    result = ood.evaluate(detector, in_images, out_sets, args.batch_size)
    print(f"{args.name} vs {background}: AUROC, {args.in_data} "
          f"({len(in_images)} images) in, higher score = out")
    columns = {"likelihood_ratio": "likelihood ratio", "nll": "raw likelihood",
               ood.PERCENTILE: "percentile"}
    kinds = [kind for kind in columns if kind in detector.score_names]
    print(f"{'out':24s} {'images':>7s} " + " ".join(f"{columns[k]:>17s}" for k in kinds))
    for spec, aurocs in result["auroc"].items():
        print(f"{spec:24s} {len(out_sets[spec]):7d} "
              + " ".join(f"{aurocs[kind]:17.4f}" for kind in kinds))
    print(ood_plot.plot(result, args.in_data, args.plot))


def _images_to_compress(args, entry):
    """The images, uint8 ``[N, H, W, C]``, that compress's IMAGES name, in their order, and
    their classes for a class-conditional entry (``{"labels": ...}``, else ``{}``): those of
    ``--labels``, cycled, else the datasets' own; a PNG file has none, so it needs ``--labels``."""
    from pixel_zoo import images

    parts, classes = [], []
    for spec in args.images:
        if os.path.isfile(spec):
            parts.append(_read_png(spec, entry.image_shape, entry.num_levels)[None])
            classes.append(None)
        else:  # DATASET:SPLIT or DATASET:SPLIT:INDEX
            part, labels = images.dataset_images(spec, entry.image_shape, entry.num_levels,
                                                 args.data, args.download, args.num)
            parts.append(part)
            classes.append(labels)
    pictures = np.concatenate(parts)
    if not entry.hyperparameters.get("num_classes") or args.labels:
        return pictures, _labels(entry, len(pictures), args.labels)
    unlabelled = [spec for spec, labels in zip(args.images, classes) if labels is None]
    if unlabelled:
        raise ValueError(f"{entry.name} is class-conditional and {unlabelled[0]} has no class: "
                         "give the images' classes with --labels.")
    return pictures, {"labels": np.concatenate(classes).astype(np.int32)}


def _compress(args, zoo):
    entry = zoo.get(args.name)
    pictures, labels = _images_to_compress(args, entry)
    print(f"Compressing {len(pictures)} images with {args.name}.", flush=True)
    _with_tensorflow(args)
    from pixel_zoo import codec

    model = zoo.load(args.name)
    compressed = codec.compress(model, pictures, batch_size=args.batch_size, **labels)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "wb") as file:
        file.write(compressed)
    print(f"{args.out}: {len(compressed):,} bytes, {8 * len(compressed) / len(pictures):.2f} "
          f"bits/image ({len(pictures)} images)")
    if args.report:
        from pixel_zoo.codec import report

        figures = report.compare(model, pictures, labels.get("labels"), compressed)
        print("\n".join(report.lines(figures)))


def _decompress(args, zoo):
    header = cli_args.check_compressed(args.file, zoo)
    print(f"Decompressing {header.count} images with {header.model_name}.", flush=True)
    _with_tensorflow(args)
    from pixel_zoo import codec, images

    with open(args.file, "rb") as file:
        try:
            pictures = codec.decompress(file.read())
        except codec.CodecError as error:
            raise codec.CodecError(f"{args.file}: {error}") from None
    for index, picture in enumerate(pictures):
        images.save_grid(picture[None], os.path.join(args.out, f"{index:06d}.png"),
                         header.num_levels, scale=1, gutter=0)
    print(f"{args.out}: {len(pictures)} images, 000000.png to {len(pictures) - 1:06d}.png")


_COMMANDS = {"list": _list, "info": _info, "sample": _sample, "complete": _complete,
             "eval": _eval, "export": _export, "ood": _ood, "compress": _compress,
             "decompress": _decompress}


def main(argv=None):
    """Runs the command line ``argv`` (default: ``sys.argv[1:]``)."""
    args = cli_args.parse(argv)
    from pixel_zoo import zoo  # pylint: disable=import-outside-toplevel

    try:
        cli_args.check(args, zoo)
        _COMMANDS[args.command](args, zoo)
    except console.USER_ERRORS as error:
        if args.verbose:
            raise
        console.exit_with(error, "pixel-zoo")
    except KeyboardInterrupt:
        if args.verbose:
            raise
        console.exit_interrupted("pixel-zoo")


if __name__ == "__main__":
    main()
