"""`compress` and `decompress`: images to a ``.pzc`` file's bytes with a model's exact likelihood, and back.

The images are coded in batches of the file's batch size, the last one padded with blank
images that are fed through the network but not coded (`pixel_zoo.codec.coder`). The
decoder refuses, with a `CodecError`, a file it cannot read (`file_format`), a model other
than the one that compressed it (`identity`), and decoded pixels whose sha256 differs from
the compressed ones' (a decoder whose floating point gave other probabilities): it returns
the compressed images or nothing.

Example:
    >>> model = pz.zoo.load("pixelcnn_binarized_mnist")
    >>> data = pz.codec.compress(model, digits)          # bytes, about -log2 p(digits) / 8
    >>> np.array_equal(pz.codec.decompress(data), digits)   # loads the entry the file names
    True
"""

import hashlib
import time

import constriction
import numpy as np

from pixel_zoo import fast_sampling, zoo
from pixel_zoo.codec import coder, file_format, identity
from pixel_zoo.codec.file_format import CodecError
from pixel_zoo.progress import ProgressBar

DEFAULT_BATCH_SIZE = 64


def compress(model, images, labels=None, batch_size=DEFAULT_BATCH_SIZE):
    """The bytes of a ``.pzc`` file holding ``images``, coded with ``model``'s probabilities.

    Args:
      model: a pixel_zoo model (a zoo entry, ``pz.zoo.load(NAME)``, or one's own).
      images: uint8 ``[N, H, W, C]`` in ``[0, model.num_levels)``, ``N >= 1``.
      labels: int ``[N]`` classes, for a class-conditional model only (kept in the header).
      batch_size: images coded together (at most ``N``); the decoder runs the same batches.

    Returns:
      bytes: the header (95 bytes, the model's name, and a byte per label), about
      ``-log2 p(images)`` bits of payload, and a CRC.

    Example:
        >>> data = pz.codec.compress(pz.zoo.load("pixelcnn_binarized_mnist"), digits)
        >>> len(data) * 8 / len(digits)       # bits per digit, near the model's NLL
        121.3
    """
    if not fast_sampling.supports(model):
        raise ValueError(f"{type(model).__name__} has no cached network, which the codec runs.")
    images, labels = model.check_inputs(images, labels)
    images = np.asarray(images).astype(np.uint8)
    labels = None if labels is None else np.asarray(labels).astype(np.int32)
    batch_size = _batch_size(batch_size, len(images))
    encoder = constriction.stream.queue.RangeEncoder()
    _code(model, len(images), batch_size, labels, lambda start, count: coder.Encoding(
        encoder, _padded(images[start:start + count], batch_size), count))
    header = file_format.Header(
        model.name, identity.digest(model), model.image_shape, model.num_levels, len(images),
        batch_size, model.num_classes or 0, labels, _sha256(images))
    return file_format.pack(header, encoder.get_compressed().astype("<u4").tobytes())


def decompress(data, model=None):
    """The images of a ``.pzc`` file, uint8 ``[N, H, W, C]``, exactly as compressed.

    Args:
      data: the file's bytes (`compress`'s result).
      model: the model that compressed them; None loads the zoo entry the file names.

    Raises:
      CodecError: a file that is not one, of another format version, truncated or
        corrupted; a model other than the compressing one (or none, for a model of one's
        own); decoded pixels whose checksum differs from the compressed ones'.

    Example:
        >>> images = pz.codec.decompress(open("digits.pzc", "rb").read())
        >>> mine = pz.codec.decompress(data, model=my_model)   # a model of one's own
    """
    header, payload = file_format.unpack(data)
    model = _model_for(header, model)
    decoder = constriction.stream.queue.RangeDecoder(np.frombuffer(payload, "<u4").copy())
    images = _code(model, header.count, header.batch_size, header.labels,
                   lambda start, count: coder.Decoding(decoder, header.batch_size, count))
    if _sha256(images) != header.pixels_sha256:
        raise CodecError(
            "the decoded pixels' sha256 differs from the compressed images': this decoder's "
            "probabilities differ from the encoder's (another machine's or TensorFlow's "
            "floating point?), so no images are returned.")
    return images


def _batch_size(batch_size, count):
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}.")
    return min(int(batch_size), count)


def _code(model, count, batch_size, labels, choice):
    """Runs `coder.CodingGraph` on each batch with ``choice(start, count)``; the images."""
    graph = coder.coding_graph(model, batch_size)
    bar, began = ProgressBar(-(-count // batch_size), unit_name="batch"), time.perf_counter()
    batches = []
    for start in range(0, count, batch_size):
        size = min(batch_size, count - start)
        batch_labels = None if labels is None else _padded(labels[start:start + size], batch_size)
        batches.append(graph.run(choice(start, size), batch_labels)[:size])
        done = start + size
        bar.update(len(batches), {"images_per_sec": done / (time.perf_counter() - began)})
    return np.concatenate(batches)


def _padded(values, size):
    """``values`` ``[n, ...]`` followed by zeros up to ``size`` rows (the format's padding)."""
    padding = np.zeros((size - len(values), *values.shape[1:]), values.dtype)
    return np.concatenate([values, padding])


def _sha256(images):
    return hashlib.sha256(np.ascontiguousarray(images, np.uint8).tobytes()).digest()


def _model_for(header, model):
    """``model``, or the zoo entry ``header`` names, after checking it is the compressing one."""
    compressed_with = identity.describe(header.model_name, header.model_digest)
    if model is None:
        if header.model_name not in zoo.list_models():
            raise CodecError(f"compressed with {compressed_with}, which is no zoo entry (a model "
                             "of one's own?): pass that model as model=.")
        model, given = zoo.load(header.model_name), "the zoo's entry of that name"
    else:
        given = "the model given"
    model_digest = identity.digest(model)
    if model_digest != header.model_digest:
        raise CodecError(
            f"compressed with {compressed_with}; {given} is "
            f"{identity.describe(model.name, model_digest)}, with other weights or config "
            "(another version of an entry, a model trained further?): decode with the "
            "compressing model.")
    if (model.image_shape, model.num_levels) != (header.image_shape, header.num_levels):
        raise CodecError(f"invalid header: {header.image_shape} images of {header.num_levels} "
                         f"levels for a model of {model.image_shape}, {model.num_levels} levels.")
    return model
