"""Keras layers of pixel_zoo: masked convolutions, PixelRNN recurrences, residual blocks."""

from pixel_zoo.layers.diagonal_bilstm import DiagonalBiLSTM
from pixel_zoo.layers.diagonal_lstm_cell import DiagonalLSTMCell
from pixel_zoo.layers.gated_block import GatedPixelCNNBlock
from pixel_zoo.layers.masked_conv2d import MaskedConv2D
from pixel_zoo.layers.residual_blocks import LogitsStack, PixelCNNBlock, PixelRNNBlock
from pixel_zoo.layers.row_lstm import RowLSTM, RowLSTMCell

__all__ = [
    "DiagonalBiLSTM", "DiagonalLSTMCell", "GatedPixelCNNBlock", "LogitsStack", "MaskedConv2D",
    "PixelCNNBlock", "PixelRNNBlock", "RowLSTM", "RowLSTMCell",
]
