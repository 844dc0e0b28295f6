"""The interface of the fast sampler's layers: one pixel at a time, from caches of earlier pixels.

A cached layer mirrors a Keras layer of a model (it reads that layer's
variables, it has none of its own) for generation in raster order. The
generation loop calls `initial_state` once, `start_row` before each row and
`step` for each pixel of the row, in order. A pixel's step may run several
times (once per colour channel, each time with more of the pixel known), so a
step reads only what earlier pixels wrote and writes only its own pixel.

States are nested tuples of tensors, as `tf.while_loop` carries them. Row
buffers are width-major (``[W, B, F]``) so that a pixel's slice is a cheap
index on the first axis.

Example:
    >>> conv = CachedMaskedConv2D(keras_layer, width=8)   # a CachedLayer
    >>> state = conv.initial_state(batch_size=2)
    >>> state = conv.start_row(state, row=0)
    >>> outputs, state = conv.step(state, pixel_features, row=0, column=0)   # (2, filters)
"""

import tensorflow as tf


class CachedLayer:
    """Base class: a layer without state; subclasses override what they need."""

    def initial_state(self, batch_size):
        """The caches before the first row, for ``batch_size`` images."""
        return ()

    def start_row(self, state, row):
        """Caches for ``row`` from those after ``row - 1``; row-wide work goes here.

        Layers whose Keras call takes extra inputs besides the features (see
        `pixel_zoo.models.stacked.StackedModel.block_context`) receive them
        here as keyword arguments, for the complete row above, ``[W, B, F]``.
        """
        return state

    def step(self, state, inputs, row, column):
        """``(outputs [B, F_out], state)`` at pixel ``(row, column)`` from ``inputs [B, F_in]``."""
        raise NotImplementedError


class CachedSequence(CachedLayer):
    """A cached layer made of others: its state is the tuple of theirs.

    Subclasses set ``self.children`` and write `step`; `initial_state` and
    `start_row` pass through to the children.
    """

    children = ()

    def initial_state(self, batch_size):
        return tuple(child.initial_state(batch_size) for child in self.children)

    def start_row(self, state, row):
        return tuple(child.start_row(part, row) for child, part in zip(self.children, state))


def as_float32(variable):
    """A layer variable's value as a float32 tensor (mixed-precision models keep float32 weights)."""
    return tf.cast(tf.convert_to_tensor(variable), tf.float32)


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
