"""Lossless compression with the zoo's entries: bits per image against their NLL and generic codecs.

For each entry, on the first ``--num`` images of its validation split (all of them by default):

- the batch size: each of ``--batch_sizes`` (up to the images) encodes one batch after one
  that traces its graph, and the fastest codes the whole set;
- the set compressed and decompressed with `pixel_zoo.codec` (images/s, graph traced), and
  the round trip checked: ``exact`` where the decoded images are the compressed ones;
- the file's bits per image against the model's NLL (its full forward pass) and PNG,
  lossless WebP, bz2 and lzma of the same images (`pixel_zoo.codec.report`).

Run (``--quick``: 4 images of binarized MNIST per family, about 2 minutes on 2 cores; a whole
split takes hours; ``--results`` keeps the table for docs/codec.md, which lists the commands
of its tables):

    python bench/codec.py --quick
    python bench/codec.py --entries=pixelcnn_pp_binarized_mnist,row_lstm_binarized_mnist --num=200
    python bench/codec.py --entries=pixelcnn_pp_cifar10_jpeg,row_lstm_cifar10_jpeg --num=500 \\
        --batch_sizes=16,64 --results=bench/results/codec_cifar10_jpeg.json
"""

import os
import time

import numpy as np
import report  # bench/report.py
import tensorflow as tf
from absl import app, flags

import pixel_zoo as pz
from pixel_zoo.codec import report as codec_report
from pixel_zoo.provenance import history

_ENTRIES = flags.DEFINE_list("entries", [], "Zoo entries to measure (default: every entry; "
                             "with --quick, the binarized MNIST ones).")
_NUM = flags.DEFINE_integer("num", 0, "The first NUM validation images of each entry's data "
                            "(0: the whole split).")
_BATCH_SIZES = flags.DEFINE_list("batch_sizes", ["16", "64", "256"],
                                 "Batch sizes to try; the fastest codes the images.")
_QUICK = flags.DEFINE_boolean("quick", False, "4 images in one batch of 4.")
_DATA = flags.DEFINE_string("data", os.environ.get("PIXEL_ZOO_DATA"),
                            "Data folder (default $PIXEL_ZOO_DATA).")


def timed(function):
    """``(function(), seconds it took)``."""
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def fastest_batch_size(model, images, labels, batch_sizes):
    """The batch size of ``batch_sizes`` that encodes the most images/s, each timed on one batch
    after one that traces its graph; the images' number where none fits."""
    rates = {}
    for size in (size for size in batch_sizes if size <= len(images)):
        def encode(size=size):
            return pz.codec.compress(model, images[:size],
                                     None if labels is None else labels[:size], size)

        encode()
        rates[size] = size / timed(encode)[1]
        print(f"  batch {size}: {rates[size]:.1f} images/s encoding", flush=True)
    return max(rates, key=rates.get) if rates else len(images)


def measure(name, num, batch_sizes, data_dir):
    """One result row: the entry's sizes, speeds and round trip on its validation images."""
    entry = pz.zoo.get(name)
    images, labels = pz.images.dataset_images(f"{entry.dataset}:valid", entry.image_shape,
                                              entry.num_levels, data_dir, num=num or None)
    labels = labels if entry.hyperparameters.get("num_classes") else None
    model = pz.zoo.load(name)
    print(f"{name}: {len(images)} validation images of {entry.dataset}", flush=True)
    batch_size = fastest_batch_size(model, images, labels, batch_sizes)
    if batch_size not in batch_sizes:  # its graph is not traced yet
        pz.codec.compress(model, images, labels, batch_size)
    compressed, encode_seconds = timed(lambda: pz.codec.compress(model, images, labels,
                                                                 batch_size))
    try:
        decoded, decode_seconds = timed(lambda: pz.codec.decompress(compressed, model))
        round_trip = "exact" if np.array_equal(decoded, images) else "differs"
    except pz.codec.CodecError as error:
        round_trip, decode_seconds = f"refused: {error}", float("nan")
    figures = codec_report.compare(model, images, labels, compressed)
    print("\n".join(codec_report.lines(figures)), flush=True)
    print(f"  batch {batch_size}: encode {len(images) / encode_seconds:.1f} images/s, decode "
          f"{len(images) / decode_seconds:.1f} images/s, round trip {round_trip}\n", flush=True)
    return {"entry": name, "dataset": entry.dataset, **figures, "batch_size": batch_size,
            "encode_images_per_sec": len(images) / encode_seconds,
            "decode_images_per_sec": len(images) / decode_seconds, "round_trip": round_trip}


def main(argv):
    del argv
    tf.get_logger().setLevel("ERROR")
    quick = _QUICK.value
    names = _ENTRIES.value or [name for name in pz.zoo.list_models()
                               if not quick or pz.zoo.get(name).dataset == "binarized_mnist"]
    num = 4 if quick else _NUM.value
    batch_sizes = [4] if quick else [int(size) for size in _BATCH_SIZES.value]
    load = history.LoadMonitor()
    rows = []
    for name in names:
        rows.append(measure(name, num, batch_sizes, _DATA.value))
        load.sample()
    report.save({"title": "Lossless compression of validation images",
                 "command": report.command(), "machine": report.machine(load), "rows": rows})


if __name__ == "__main__":
    app.run(main)
