"""The ``pixel-zoo`` command: list, describe, sample, complete, evaluate and export zoo models.

Examples:

    pixel-zoo list
    pixel-zoo info pixelcnn_binarized_mnist
    pixel-zoo sample pixelcnn_binarized_mnist --num 16 --seed 1 --out grid.png
    pixel-zoo complete pixelcnn_binarized_mnist --image digit.png --known-rows 14 --out done.png
    pixel-zoo complete pixelcnn_binarized_mnist --image digit.png --mask known.png --out done.png
    pixel-zoo eval pixelcnn_binarized_mnist --data "$PIXEL_ZOO_DATA"
    pixel-zoo export pixelcnn_binarized_mnist --export_dir /tmp/serving
    pixel-zoo ood pixelcnn_fashion_mnist --in fashion_mnist:test --out mnist:test --plot ood.png
    pixel-zoo export pixelcnn_fashion_mnist --ood --export_dir /tmp/serving
"""

import argparse
import os

import numpy as np

from pixel_zoo import console


def _labels(entry, num, labels):
    """Class labels for a class-conditional entry: the given ones, else 0, 1, 2, ... cycling."""
    num_classes = entry.hyperparameters.get("num_classes")
    if not num_classes:
        if labels:
            raise ValueError(f"{entry.name} is not class-conditional: drop --labels.")
        return {}
    values = [int(label) for label in labels.split(",")] if labels else list(range(num_classes))
    return {"labels": np.resize(np.asarray(values, np.int32), num)}


def _list(args, zoo):
    for name in zoo.list_models():
        entry = zoo.get(name)
        figures = ", ".join(f"{key} {value}" for key, value in entry.metrics.items())
        print(f"{name:40s} {entry.dataset:16s} {figures}")


def _info(args, zoo):
    print(zoo.get(args.name).card(), end="")


def _sample(args, zoo):
    from pixel_zoo import images

    entry, model = zoo.get(args.name), zoo.load(args.name)
    samples = model.sample(
        args.num, seed=args.seed, temperature=args.temperature,
        **_labels(entry, args.num, args.labels),
    )
    print(images.save_grid(samples, args.out, model.num_levels, scale=args.scale))


def _complete(args, zoo):
    from pixel_zoo import images

    entry, model = zoo.get(args.name), zoo.load(args.name)
    image = images.read_image(args.image, model.image_shape, model.num_levels)
    batch = np.repeat(image[None], args.num, axis=0)
    if args.mask:
        height, width, _ = model.image_shape
        mask = images.read_image(args.mask, (height, width, 1), 2)[..., 0] > 0
        known = {"mask": mask}
    else:
        mask = np.arange(model.image_shape[0])[:, None] < args.known_rows
        known = {"known_rows": args.known_rows}
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
    # Before TensorFlow loads: a missing data folder fails at once.
    split = data.load_split(args.dataset or entry.dataset, args.split, args.data)
    console.quiet_tensorflow(args.verbose)
    import tensorflow as tf  # pylint: disable=import-outside-toplevel

    from pixel_zoo import evaluation  # pylint: disable=import-outside-toplevel

    model = zoo.load(args.name)
    dataset = evaluation.eval_dataset(
        split, args.batch_size, args.batches, with_labels=model.num_classes is not None
    )
    result = evaluation.Evaluator(tf.distribute.get_strategy(), model, dataset)()
    print(
        f"{args.name} on {args.dataset or entry.dataset} {args.split}: "
        f"{result['nats']:.2f} nats/image, {result['bits_per_dim']:.4f} bits/dim "
        f"({result['num_images']} images)"
    )


def _export(args, zoo):
    from pixel_zoo import export_lib

    if args.ood:
        from pixel_zoo import ood

        detector = ood.LikelihoodRatio.from_zoo(args.name)
        print(export_lib.export_detector(detector, args.export_dir, args.name, args.version))
        return
    model = zoo.load(args.name)
    print(export_lib.export_model(model, args.export_dir, args.name, args.version))


def _ood(args, zoo):
    from pixel_zoo import ood
    from pixel_zoo.ood import plot as ood_plot

    detector = ood.LikelihoodRatio.from_zoo(args.name)
    load = {"image_shape": detector.image_shape, "num_levels": detector.num_levels,
            "data_dir": args.data, "num": args.num}
    in_images = ood.load_images(args.in_data, **load)
    out_sets = {spec: ood.load_images(spec, **load) for spec in args.out_data}
    result = ood.evaluate(detector, in_images, out_sets, args.batch_size)
    print(f"{args.name} vs {zoo.get(args.name).background}: AUROC, {args.in_data} "
          f"({len(in_images)} images) in, higher score = out")
    columns = {"likelihood_ratio": "likelihood ratio", "nll": "raw likelihood",
               ood.PERCENTILE: "percentile"}
    kinds = [kind for kind in columns if kind in detector.score_names]
    print(f"{'out':24s} {'images':>7s} " + " ".join(f"{columns[k]:>17s}" for k in kinds))
    for spec, aurocs in result["auroc"].items():
        print(f"{spec:24s} {len(out_sets[spec]):7d} "
              + " ".join(f"{aurocs[kind]:17.4f}" for kind in kinds))
    print(ood_plot.plot(result, args.in_data, args.plot))


def _parser():
    parser = argparse.ArgumentParser(prog="pixel-zoo", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="the zoo's models")
    listing.set_defaults(run=_list)
    info = commands.add_parser("info", help="a model's card")
    info.set_defaults(run=_info)

    def generating(name, help_text, run):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--seed", type=int, default=0)
        command.add_argument("--temperature", type=float, default=1.0)
        command.add_argument("--labels", default="", help="comma-separated classes (conditional models)")
        command.add_argument("--out", required=True, help="PNG file to write")
        command.add_argument("--scale", type=int, help="zoom of each pixel (default: images "
                                                       "about 128 pixels wide)")
        command.set_defaults(run=run)
        return command

    sample = generating("sample", "a PNG grid of samples", _sample)
    sample.add_argument("--num", type=int, default=16)
    complete = generating("complete", "sample the unknown part of an image", _complete)
    complete.add_argument("--image", required=True, help="PNG of the model's image size")
    known = complete.add_mutually_exclusive_group(required=True)
    known.add_argument("--known-rows", type=int, dest="known_rows",
                       help="keep the top rows, sample the rest")
    known.add_argument("--mask", help="PNG of the image's size: white pixels are kept, black "
                                      "ones sampled (in raster order)")
    complete.add_argument("--num", type=int, default=8, help="completions to draw")
    evaluate = commands.add_parser("eval", help="validation NLL in nats and bits/dim")
    evaluate.add_argument("--data", default=os.environ.get("PIXEL_ZOO_DATA"),
                          help="local data folder (default $PIXEL_ZOO_DATA; else tfds)")
    evaluate.add_argument("--dataset", help="default: the data the model was trained on")
    evaluate.add_argument("--split", default="valid")
    evaluate.add_argument("--batch-size", type=int, default=100, dest="batch_size")
    evaluate.add_argument("--batches", type=int, default=0, help="0: the whole split")
    evaluate.set_defaults(run=_eval)
    export = commands.add_parser("export", help="a TF Serving SavedModel")
    export.add_argument("--export_dir", required=True)
    export.add_argument("--version", type=int, default=1)
    export.add_argument("--ood", action="store_true",
                        help="export the entry's OOD detector (model and background) with "
                             "its ood_score signature instead")
    export.set_defaults(run=_export)
    detect = commands.add_parser("ood", help="out-of-distribution AUROCs of a detector entry")
    detect.add_argument("--in", required=True, dest="in_data",
                        help="in-distribution DATASET:SPLIT, e.g. fashion_mnist:test")
    detect.add_argument("--out", required=True, action="append", dest="out_data",
                        help="out-of-distribution DATASET:SPLIT or noise:uniform (repeatable)")
    detect.add_argument("--data", default=os.environ.get("PIXEL_ZOO_DATA"),
                        help="local data folder (default $PIXEL_ZOO_DATA; else tfds)")
    detect.add_argument("--num", type=int, help="the first NUM images of each set (noise: "
                                               "10000 by default)")
    detect.add_argument("--batch-size", type=int, default=256, dest="batch_size")
    detect.add_argument("--plot", default="ood.png", help="PNG of histograms and ROC curves")
    detect.set_defaults(run=_ood)
    for command in (info, sample, complete, evaluate, export, detect):
        command.add_argument("name", help="a zoo model (pixel-zoo list)")
    for command in (listing, info, sample, complete, evaluate, export, detect):
        command.add_argument("--verbose", action="store_true",
                             help="show TensorFlow's logs and full tracebacks")
    return parser


def main(argv=None):
    """Runs the command line ``argv`` (default: ``sys.argv[1:]``)."""
    args = _parser().parse_args(argv)
    if args.run not in (_list, _info, _eval):  # list, info read JSON cards; eval: its data first
        console.use_compilation_cache()
        console.quiet_tensorflow(args.verbose)
    from pixel_zoo import zoo  # pylint: disable=import-outside-toplevel

    try:
        args.run(args, zoo)
    except console.USER_ERRORS as error:
        if args.verbose:
            raise
        console.exit_with(error, "pixel-zoo")


if __name__ == "__main__":
    main()
