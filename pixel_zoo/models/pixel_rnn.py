"""PixelRNN (sections 3.1-3.3): a mask-A convolution, residual recurrent layers, the logits stack."""

import keras

from pixel_zoo.layers import PixelRNNBlock
from pixel_zoo.models.stacked import StackedModel


@keras.saving.register_keras_serializable(package="pixel_zoo")
class PixelRNN(StackedModel):
    """Row LSTM or Diagonal BiLSTM PixelRNN.

    Args:
      image_shape: ``(height, width, channels)``.
      num_levels: values per channel.
      recurrent_layer: "row_lstm" (triangular receptive field, faster) or
        "diagonal_bilstm" (full receptive field).
      num_layers: residual recurrent layers (7 with h=16 for the paper's binarized
        MNIST Diagonal BiLSTM; 12 with h=128 for CIFAR-10).
      hidden_units: ``h``; the stack carries ``2h`` features.
      output_units: width of the hidden 1x1 output layer (default ``2h``).

    Example:
        >>> model = PixelRNN((28, 28, 1), 2, "diagonal_bilstm", num_layers=1, hidden_units=32)
        >>> model.log_prob(np.zeros((3, 28, 28, 1), np.uint8)).shape
        TensorShape([3])

    Reference: van den Oord et al., "Pixel Recurrent Neural Networks", 2016.
    """

    def __init__(
        self, image_shape, num_levels, recurrent_layer="diagonal_bilstm", num_layers=7,
        hidden_units=16, **kwargs,
    ):
        # make_block, called by the parent's constructor, needs this.
        self.recurrent_layer = recurrent_layer
        super().__init__(image_shape, num_levels, num_layers, hidden_units, **kwargs)

    def make_block(self, name):
        return PixelRNNBlock(
            self.recurrent_layer, self.hidden_units, color_channels=self.color_channels,
            name=name,
        )

    def block_context(self, index, inputs):
        # The first Diagonal BiLSTM's backward direction reads the image itself,
        # which gives every pixel the last pixel of the row above (see DiagonalBiLSTM).
        if index == 0 and self.recurrent_layer == "diagonal_bilstm":
            return {"row_context": inputs}
        return {}

    def get_config(self):
        return {**super().get_config(), "recurrent_layer": self.recurrent_layer}
