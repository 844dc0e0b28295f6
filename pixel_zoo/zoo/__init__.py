"""The zoo: pretrained models by name, with model cards.

Example:
    >>> import pixel_zoo as pz
    >>> pz.zoo.list_models()
    >>> print(pz.zoo.get("pixelcnn_binarized_mnist").card())
    >>> model = pz.zoo.load("pixelcnn_binarized_mnist")
"""

from pixel_zoo.zoo.entry import ZooEntry
from pixel_zoo.zoo.loading import build_model, load, sha256_of
from pixel_zoo.zoo.registry import get, list_models, register
