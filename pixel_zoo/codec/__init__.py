"""Lossless image compression with a model's exact likelihood: about -log2 p(images) bits.

A model's probabilities, range coded (constriction's ``RangeEncoder``), cost an image its
negative log-likelihood in bits plus a header: on binarized MNIST a zoo entry's ~82 nats are
~118 bits (~15 bytes) a digit, well under what PNG, lossless WebP, bz2 or lzma make of the
same digits (docs/codec.md has the bench). Decoding is sampling with the data's symbols in
place of random draws: the fast sampler's loop, shared by encoder and decoder.

| module | what |
|---|---|
| `compression` | `compress` and `decompress` |
| `coder` | the coding loop both sides run, and the probabilities they code with |
| `file_format` | the ``.pzc`` file: header, payload, CRC; `read_header`, `CodecError` |
| `identity` | the digest that names the compressing model's weights and config |
| `baselines`, `report` | the sizes of generic codecs, and the comparison ``--report`` prints |

Example:
    >>> import pixel_zoo as pz
    >>> model = pz.zoo.load("pixelcnn_binarized_mnist")
    >>> data = pz.codec.compress(model, digits)              # uint8 [N, 28, 28, 1] in {0, 1}
    >>> np.array_equal(pz.codec.decompress(data), digits)    # loads the entry the file names
    True
"""

from pixel_zoo import lazy
from pixel_zoo.codec.file_format import CodecError, Header, read_header

__all__ = ["CodecError", "Header", "compress", "decompress", "read_header"]

# Coding needs TensorFlow and constriction; reading a header needs neither.
__getattr__, __dir__ = lazy.attach(__name__, submodules=("baselines", "report"), attributes={
    "compress": "compression", "decompress": "compression"})
