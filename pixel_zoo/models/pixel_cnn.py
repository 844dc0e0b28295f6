"""PixelCNN (PixelRNN paper, section 3.4): masked convolutions all the way down."""

import keras

from pixel_zoo.layers import PixelCNNBlock
from pixel_zoo.models.stacked import StackedModel
from pixel_zoo.validation import as_dropout_rate


@keras.saving.register_keras_serializable(package="pixel_zoo")
class PixelCNN(StackedModel):
    """A 7x7 mask-A convolution, residual masked 3x3 blocks, and the logits stack.

    Its receptive field has the "blind spot" of stacked masked convolutions: a
    wedge of pixels above and to the right that no depth reaches (the Gated
    PixelCNN removes it).

    Args:
      image_shape: ``(height, width, channels)``.
      num_levels: values per channel.
      num_layers: residual blocks (15 in the paper's CIFAR-10 model).
      hidden_units: ``h``; the stack carries ``2h`` features (128 in the paper).
      output_units: width of the hidden 1x1 output layer (default ``2h``).
      dropout: dropout rate inside the blocks while training (none in the paper;
        against overfitting, e.g. a wide model on binarized MNIST's 50,000 images).

    Example:
        >>> model = PixelCNN((28, 28, 1), num_levels=2, num_layers=4, hidden_units=16)
        >>> model(np.zeros((1, 28, 28, 1), np.uint8)).shape
        TensorShape([1, 28, 28, 1, 2])

    Reference: van den Oord et al., "Pixel Recurrent Neural Networks", 2016.
    """

    def __init__(self, image_shape, num_levels, num_layers=15, hidden_units=16, dropout=0.0,
                 **kwargs):
        self.dropout = as_dropout_rate(dropout)  # `StackedModel.__init__` makes the blocks.
        super().__init__(image_shape, num_levels, num_layers, hidden_units, **kwargs)

    def make_block(self, name):
        return PixelCNNBlock(self.hidden_units, color_channels=self.color_channels,
                             dropout=self.dropout, name=name)

    def get_config(self):
        return {**super().get_config(), "dropout": self.dropout}
