"""A model's identity in a ``.pzc`` file: its name, and a digest of what computes its probabilities.

The digest is the sha256 of the family's class, its config (without Keras's own name,
``trainable`` and dtype entries; the dtype policy's name instead) and every weight's dtype,
shape and bytes. It is the same for a zoo entry loaded anywhere and for a model of one's own
rebuilt and given the same weights (whatever Keras names it), and differs for other weights:
another version of an entry, or a model trained further.

Example:
    >>> digest(pz.zoo.load("pixelcnn_binarized_mnist")).hex()[:8]
    'c0ffee12'
"""

import hashlib
import json

import numpy as np

_KERAS_KEYS = ("name", "trainable", "dtype")


def digest(model):
    """The 32-byte sha256 of ``model``'s family, config and weights (see the module docstring).

    Example:
        >>> digest(model) == digest(rebuilt_with_the_same_weights)
        True
    """
    config = {key: value for key, value in model.get_config().items() if key not in _KERAS_KEYS}
    described = [type(model).__name__, model.dtype_policy.name, config]
    hashed = hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode())
    for weight in model.weights:
        value = np.ascontiguousarray(weight.numpy())
        hashed.update(f"{value.dtype.str}{value.shape}".encode())
        hashed.update(value.tobytes())
    return hashed.digest()


def describe(name, model_digest):
    """A model as an error names it.

    Example:
        >>> describe("mine", bytes.fromhex("1a2b3c4d" * 8))
        "'mine' (digest 1a2b3c4d)"
    """
    return f"{name!r} (digest {model_digest.hex()[:8]})"
