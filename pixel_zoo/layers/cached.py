"""The cached path of the layers: one pixel at a time, from caches of earlier pixels.

Beside ``call`` on whole maps, each layer of the PixelCNN, PixelRNN and Gated
PixelCNN stacks computes its output one pixel at a time for the fast sampler
(`pixel_zoo.fast_sampling`; Ramachandran et al., "Fast Generation for
Convolutional Autoregressive Models", 2017). The sampling loop calls
``initial_state`` once, ``start_row`` before each row (row-wide work goes
there) and ``step`` for each pixel of the row, in order. A pixel's step may run
several times (once per colour channel, each time with more of the pixel
known), so a step reads only what earlier pixels wrote and writes only its own
pixel. The steps read the layer's own weights, in float32 whatever the model's
compute dtype. (PixelCNN++'s layers take ``cache=`` in ``call`` instead, see
`pixel_zoo.layers.shifted_conv`: their sampler runs a row per resolution.)

States are nested tuples of tensors, as `tf.while_loop` carries them. Row
buffers are width-major (``[W, B, F]``) so that a pixel's slice is a cheap
index on the first axis. A state also holds the weights its steps multiply,
prepared once by ``initial_state`` (a masked kernel cut to the rows a pixel
reads, a kernel split by neighbour): the loop carries them unchanged, where
weights prepared inside a step would be prepared again at every step of the
compiled loop.

Example:
    >>> conv = MaskedConv2D(16, 3)   # a CachedLayer
    >>> conv.build((None, 8, 8, 4))
    >>> state = conv.start_row(conv.initial_state(batch_size=2, height=8, width=8), row=0)
    >>> outputs, state = conv.step(state, tf.ones((2, 4)), row=0, column=0)   # (2, 16)
"""

import tensorflow as tf


class CachedLayer:
    """Mixin of a Keras layer with a cached path: it writes `initial_state`, `start_row`, `step`."""

    def initial_state(self, batch_size, height, width):
        """The caches before the first row of a ``height x width`` map of ``batch_size`` images."""
        raise NotImplementedError

    def start_row(self, state, row):
        """Caches for ``row`` from those after ``row - 1``.

        A layer whose ``call`` takes inputs besides the features receives them
        here as keyword arguments, for the complete row above, ``[W, B, F]``.
        """
        raise NotImplementedError

    def step(self, state, inputs, row, column):
        """``(outputs [B, F_out], state)`` at pixel ``(row, column)`` from ``inputs [B, F_in]``."""
        raise NotImplementedError


def float32(weights):
    """A weight (or a tensor computed from weights) as a float32 tensor."""
    return tf.cast(tf.convert_to_tensor(weights), tf.float32)


def write_column(row_buffer, column, values):
    """``row_buffer`` ``[W, ...]`` with entry ``column`` replaced by ``values``."""
    return tf.tensor_scatter_nd_update(row_buffer, tf.reshape(column, (1, 1)), values[None])


def dense(inputs, kernel, bias=None):
    """``inputs @ kernel (+ bias)`` over the last axis of ``inputs`` (rank 2 or more)."""
    if inputs.shape.rank == 2:
        outputs = tf.linalg.matmul(inputs, kernel)
    else:
        outputs = tf.tensordot(inputs, kernel, 1)
    return outputs if bias is None else outputs + bias
