"""The zoo: pretrained models by name, with model cards.

Example:
    >>> import pixel_zoo as pz
    >>> pz.zoo.list_models()
    >>> print(pz.zoo.get("pixelcnn_binarized_mnist").card())
    >>> model = pz.zoo.load("pixelcnn_binarized_mnist")
"""

from pixel_zoo import lazy
from pixel_zoo.zoo.entry import ZooEntry
from pixel_zoo.zoo.registry import get, list_models, register

__all__ = ["ZooEntry", "build_model", "get", "list_models", "load", "register", "sha256_of"]

# Loading needs TensorFlow; reading the cards (`list_models`, `get`) does not.
__getattr__, __dir__ = lazy.attach(__name__, attributes={
    "build_model": "loading", "load": "loading", "sha256_of": "loading",
})
