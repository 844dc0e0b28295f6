"""Model families and `build`, the one way to make a model by name.

Example:
    >>> import pixel_zoo as pz
    >>> model = pz.models.build("diagonal_bilstm", image_shape=(28, 28, 1), num_levels=2,
    ...                         num_layers=1, hidden_units=32)
"""

from pixel_zoo.models.base import AutoregressiveImageModel
from pixel_zoo.models.gated_pixel_cnn import GatedPixelCNN
from pixel_zoo.models.pixel_cnn import PixelCNN
from pixel_zoo.models.pixel_cnn_pp import PixelCNNPP
from pixel_zoo.models.pixel_rnn import PixelRNN
from pixel_zoo.models.registry import build, model_names

__all__ = [
    "AutoregressiveImageModel", "GatedPixelCNN", "PixelCNN", "PixelCNNPP", "PixelRNN", "build",
    "model_names",
]
