"""The ``.pzc`` file: a header that names the model and the images, the range coder's words, a CRC.

Every number is little-endian. In order:

| bytes | field |
|---|---|
| 4 | magic ``\\x89PZC`` |
| 1 | format version (`VERSION`); read and checked first |
| 1 + n | the model's name, UTF-8 (a zoo entry's name, or a model of one's own's) |
| 32 | the model's digest: sha256 of its family, config and weights (`pixel_zoo.codec.identity`) |
| 2, 2, 1, 2 | height, width, channels, levels |
| 4, 4 | images, the coding batch size (the decoder runs the encoder's batches) |
| 2 | classes of a class-conditional model, else 0 |
| 32 | sha256 of the images' uint8 pixels, ``[N, H, W, C]`` in C order |
| 4 | payload bytes |
| N or 2N | the labels (one byte each, two above 256 classes), if classes |
| payload | the range coder's 32-bit words |
| 4 | CRC-32 of everything before it |

Reading needs no TensorFlow: `unpack` refuses a file that is not one, of another version,
truncated, or corrupted (its CRC), each with a `CodecError` that says which.

Example:
    >>> data = pack(header, payload)
    >>> unpack(data) == (header, payload)
    True
"""

import dataclasses
import struct
import zlib

import numpy as np

MAGIC = b"\x89PZC"
VERSION = 1
_FIXED = struct.Struct("<32sHHBHIIH32sI")
_CRC = struct.Struct("<I")


class CodecError(ValueError):
    """A ``.pzc`` file that cannot be decoded into the images it was made from, and why.

    Example:
        >>> pz.codec.decompress(data[:-1])
        CodecError: truncated: the file has 140 bytes; its header says 141.
    """


@dataclasses.dataclass(frozen=True, eq=False)
class Header:
    """What a ``.pzc`` file says about its model and images (see the module docstring).

    Example:
        >>> header = pz.codec.read_header(data)
        >>> header.model_name, header.count, header.image_shape
        ('pixelcnn_binarized_mnist', 200, (28, 28, 1))
    """

    model_name: str
    model_digest: bytes
    image_shape: tuple
    num_levels: int
    count: int
    batch_size: int
    num_classes: int
    labels: np.ndarray | None
    pixels_sha256: bytes

    def __eq__(self, other):
        return isinstance(other, Header) and _fields(self) == _fields(other)

    @property
    def num_batches(self):
        """Batches of `batch_size` images coded, the last one padded."""
        return -(-self.count // self.batch_size)


def _fields(header):
    fields = dataclasses.asdict(header)
    labels = fields.pop("labels")
    return fields, None if labels is None else labels.tolist()


def _label_dtype(num_classes):
    return np.dtype("<u1" if num_classes <= 256 else "<u2")


def pack(header, payload):
    """The bytes of a file with ``header`` and ``payload`` (bytes, the coder's words).

    Example:
        >>> data = pack(header, encoder.get_compressed().astype("<u4").tobytes())
    """
    name = header.model_name.encode("utf-8")
    if len(name) > 255:
        raise ValueError(f"a model name is at most 255 bytes in UTF-8; {header.model_name!r} "
                         f"has {len(name)}.")
    height, width, channels = header.image_shape
    body = b"".join([
        MAGIC, bytes([VERSION, len(name)]), name,
        _FIXED.pack(header.model_digest, height, width, channels, header.num_levels,
                    header.count, header.batch_size, header.num_classes, header.pixels_sha256,
                    len(payload)),
        b"" if header.labels is None else
        np.asarray(header.labels).astype(_label_dtype(header.num_classes)).tobytes(),
        payload,
    ])
    return body + _CRC.pack(zlib.crc32(body))


def unpack(data):
    """``(Header, payload bytes)`` of a file's bytes, after every check that needs no model.

    Raises:
      CodecError: no ``.pzc`` magic; another format version (checked first); a file
        truncated or longer than its header says; a CRC that does not match (a corrupted
        byte); a header that makes no sense.

    Example:
        >>> header, payload = unpack(data)
        >>> unpack(data[:-1])
        CodecError: truncated: the file has 139 bytes; its header says 140.
    """
    data = bytes(data)
    if data[:len(MAGIC)] != MAGIC:
        raise CodecError("not a pixel_zoo compressed file: it does not start with the "
                         f"{MAGIC!r} magic.")
    offset = len(MAGIC)
    version = _read(data, offset, 1)[0]
    if version != VERSION:
        raise CodecError(f"format version {version}; this pixel_zoo reads version {VERSION} "
                         "only: decompress it with the pixel_zoo that wrote it.")
    name_length = _read(data, offset + 1, 1)[0]
    name = _read(data, offset + 2, name_length)
    offset += 2 + name_length
    (digest, height, width, channels, num_levels, count, batch_size, num_classes, pixels_sha256,
     payload_length) = _FIXED.unpack(_read(data, offset, _FIXED.size))
    offset += _FIXED.size
    label_bytes = count * _label_dtype(num_classes).itemsize if num_classes else 0
    expected = offset + label_bytes + payload_length + _CRC.size
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "too long"
        raise CodecError(f"{what}: the file has {len(data)} bytes; its header says {expected}.")
    (crc,) = _CRC.unpack(data[-_CRC.size:])
    if crc != zlib.crc32(data[:-_CRC.size]):
        raise CodecError("corrupted: the file's CRC-32 does not match its bytes.")
    labels = (np.frombuffer(data, _label_dtype(num_classes), count, offset).astype(np.int32)
              if num_classes else None)
    offset += label_bytes
    header = Header(name.decode("utf-8", errors="replace"), digest, (height, width, channels),
                    num_levels, count, batch_size, num_classes, labels, pixels_sha256)
    _check(header)
    return header, data[offset:offset + payload_length]


def read_header(data):
    """The `Header` of a ``.pzc`` file's bytes, after the checks of `unpack` (no TensorFlow).

    Example:
        >>> pz.codec.read_header(data).model_name
        'pixelcnn_binarized_mnist'
    """
    return unpack(data)[0]


def _read(data, offset, size):
    """``size`` bytes of ``data`` at ``offset``; a CodecError where the file ends before them."""
    if offset + size > len(data):
        raise CodecError(f"truncated: the file ends at byte {len(data)}, inside its header.")
    return data[offset:offset + size]


def _check(header):
    """A CodecError where a header that passed its CRC still makes no sense (a bad writer)."""
    problems = []
    if header.image_shape[2] not in (1, 3) or not all(header.image_shape):
        problems.append(f"image shape {header.image_shape}")
    if not 2 <= header.num_levels <= 256:
        problems.append(f"{header.num_levels} levels")
    if not header.count or not header.batch_size:
        problems.append(f"{header.count} images in batches of {header.batch_size}")
    if header.labels is not None and (header.num_classes < 2
                                      or header.labels.max() >= header.num_classes):
        problems.append(f"labels beyond its {header.num_classes} classes")
    if problems:
        raise CodecError(f"invalid header: {', '.join(problems)}.")
