"""PixelCNN++'s fast sampler: one pixel of each resolution per step, from caches of the rows above.

Every layer of PixelCNN++ is a shifted convolution (or a 1x1 one): its
output at row ``i`` reads its input at rows ``i - kh + 1 .. i``, and it runs
one row, or one pixel, from a cache of its input (`ShiftedConv2D`'s ``cache=``
and ``column=``). A resolution ``k`` (``2^k`` times coarser) has one row for
``2^k`` image rows, and its row ``r`` reads only image rows up to ``2^k r``:
it advances only in those image rows (``i % 2^k == 0``) and is kept for the
next ``2^k - 1`` rows, as in the "cache every" schedules of strided layers
(Ramachandran et al., "Fast Generation for Convolutional Autoregressive
Models", 2017). The caches advance once per row, from the complete row above
(`RowPass`).

The ``u`` stream never reads the current image row, so `start_row` runs it
once per row and records its outputs. A step (`ColumnPass`) replays those
and computes the ``ul`` stream at one pixel of each resolution: the
convolutions of that stream read the current row only up to the pixel, so
each keeps the current row of its input so far. A coarse pixel is computed
once, at the image pixel ``(2^k r, 2^k c)`` that completes its inputs, and
kept for the image pixels that read it. A pixel's outputs ignore the whole
pixel, so its channels reuse them and only the (coupled) head reads the
values drawn so far.

Example:
    >>> model = pz.models.build("pixelcnn_pp", (8, 8, 3), 256, num_layers=1, hidden_units=8,
    ...                         logistic_mixtures=2)
    >>> network = CachedPixelCNNPP(model)
    >>> state = network.start_row(network.initial_state(2), 0, tf.zeros((8, 2, 3), tf.int32))
    >>> logits, state = network.step(state, tf.zeros((8, 2, 3), tf.int32), 0, 0, 0)   # (2, 256)
"""

import tensorflow as tf

from pixel_zoo.fast_sampling.network import CachedNetwork


class RowPass:
    """How `PixelCNNPP.unet` runs its layers for one image row: one row per resolution.

    Each layer runs on its input row with its cache of the rows above, and
    the new caches are collected by resolution. Resolutions that the row does
    not recompute have their streams replaced by the kept ones before
    upsampling. Every layer's output is collected in call order (``outputs``):
    `ColumnPass` replays the ``u`` stream's.

    Args:
      model: the `PixelCNNPP`.
      row: the image row (int32 scalar).
      caches: per resolution, the caches of its layers in call order; None
        makes zero caches (the rows above the image).
      kept: per resolution ``k >= 1``, the ``(u, ul)`` rows last computed
        there, ``[B, 1, W_k, F]`` each; None for zeros.
      u_stream_only: run only the ``u`` stream (what `ColumnPass` replays);
        the other layers' outputs are zeros and their caches stay as given.
    """

    def __init__(self, model, row, caches=None, kept=None, u_stream_only=False):
        self.model = model
        self.row = row
        self.caches = caches
        self.kept = kept
        self.u_stream_only = u_stream_only
        self.u_stream = {id(layer) for layer in model.u_stream}
        self.outputs = []
        self.new_caches = [[] for _ in model.level_shapes]
        self.new_kept = [()] * len(model.level_shapes)  # Nothing is kept at the finest one.
        self.recomputed = [
            tf.equal(row % 2**level, 0) for level in range(len(model.level_shapes))
        ]

    def _skipped(self, layer):
        return self.u_stream_only and id(layer) not in self.u_stream

    def __call__(self, level, layer, inputs, **kwargs):
        if self.caches is None:
            cache = layer.initial_cache(inputs)
        else:
            cache = self.caches[level][len(self.new_caches[level])]
        if self._skipped(layer):
            shape = layer.compute_output_shape(inputs.shape)
            outputs = tf.zeros((tf.shape(inputs)[0], *shape[1:]), inputs.dtype)
        else:
            outputs, cache = layer(inputs, cache=cache, **kwargs)
        self.outputs.append(outputs)
        self.new_caches[level].append(cache)
        return outputs

    def coarse(self, level, u, ul):
        self.new_kept[level] = (u, ul)
        if self.kept is None:
            return u, ul
        kept_u, kept_ul = self.kept[level]
        recomputed = self.recomputed[level]
        return tf.where(recomputed, u, kept_u), tf.where(recomputed, ul, kept_ul)

    def upsample(self, level, layer, inputs):
        width = self.model.level_shapes[level][1]
        if self._skipped(layer):
            outputs = tf.zeros((tf.shape(inputs)[0], 1, width, layer.filters), inputs.dtype)
        else:
            rows = layer(inputs, output_size=(2, width))  # (B, 2, W, F)
            parity = self.row // 2**level % 2  # Which of the two rows the coarse row gives.
            outputs = tf.gather(rows, [parity], axis=1)
        self.outputs.append(outputs)
        return outputs


class ColumnPass:
    """How `PixelCNNPP.unet` runs its layers for one image pixel: one pixel per resolution.

    The image pixel ``(i, j)`` is at ``(i >> k, j >> k)`` in resolution ``k``,
    which this pass computes if ``i`` and ``j`` are multiples of ``2^k``, else
    takes from the kept rows. The ``u`` stream's outputs are replayed from
    the `RowPass` of row ``i``; each layer of the ``ul`` stream runs at its
    column from its cache of the rows above and its current row so far, which
    the pass writes where the resolution is computed (``new_rows``).

    Args:
      model: the `PixelCNNPP`.
      row, column: the image pixel (int32 scalars).
      caches: per resolution, the layers' caches of the rows above, as the
        `RowPass` of ``row`` used them.
      rows: the same structure: each layer's current input row so far,
        ``[B, 1, W_k, F]``.
      kept: per resolution ``k >= 1``, the ``(u, ul)`` rows of its current
        row, ``[B, 1, W_k, F]`` each, filled as its pixels are computed.
      recorded: the ``outputs`` of the `RowPass` of ``row``.
    """

    def __init__(self, model, row, column, caches, rows, kept, recorded):
        self.caches = caches
        self.rows = rows
        self.kept = kept
        self.recorded = recorded
        self.u_stream = {id(layer) for layer in model.u_stream}
        self.calls = 0  # Calls so far, the index of the next one's recorded outputs.
        self.new_rows = [[] for _ in model.level_shapes]
        self.new_kept = list(kept)
        levels = range(len(model.level_shapes))
        self.parities = [(row // 2**level % 2, column // 2**level % 2) for level in levels]
        self.columns = [column // 2**level for level in levels]
        self.computed = [
            tf.equal(row % 2**level, 0) & tf.equal(column % 2**level, 0) for level in levels
        ]

    def _replayed(self, layer, level):
        """The recorded output of this call, at the pixel of ``level`` (the output's resolution)."""
        recorded = self.recorded[self.calls]
        self.calls += 1
        return _column(recorded, self.columns[level]) if id(layer) in self.u_stream else None

    def __call__(self, level, layer, inputs, **kwargs):
        output_level = level + (getattr(layer, "strides", 1) == 2)
        outputs = self._replayed(layer, output_level)
        index = len(self.new_rows[level])
        rows = self.rows[level][index]
        if outputs is None:
            old_rows = rows

            def compute():
                cache = tf.nest.map_structure(lambda above, current: (above, current),
                                              self.caches[level][index], old_rows)
                outputs, cache = layer(inputs, cache=cache, column=self.columns[level], **kwargs)
                # Each leaf of ``rows`` came back as the pair (above, current).
                return outputs, tf.nest.pack_sequence_as(old_rows, tf.nest.flatten(cache)[1::2])

            if output_level == level > 0:  # Coarse layers run only where their pixel is computed.
                outputs, rows = tf.cond(self.computed[level], compute,
                                        lambda: (tf.zeros_like(inputs), old_rows))
            else:  # A strided layer writes its input row at every pixel of the finer level.
                outputs, rows = compute()
                rows = _select(self.computed[level], rows, old_rows)
        self.new_rows[level].append(rows)
        return outputs

    def coarse(self, level, u, ul):
        column = self.columns[level]
        kept = tuple(
            tf.where(self.computed[level], _write_column(rows, column, new), rows)
            for rows, new in zip(self.kept[level], (u, ul))
        )
        self.new_kept[level] = kept
        return tuple(_column(rows, column) for rows in kept)

    def upsample(self, level, layer, inputs):
        outputs = self._replayed(layer, level)
        if outputs is None:
            pixels = layer(inputs, output_size=(2, 2))  # (B, 2, 2, F): the coarse pixel's four.
            row_parity, column_parity = self.parities[level]
            outputs = _column(tf.gather(pixels, [row_parity], axis=1), column_parity)
        return outputs


class CachedPixelCNNPP(CachedNetwork):
    """A `PixelCNNPP` as the sampling loop drives it (see the module docstring).

    State: ``(caches, kept, recorded, rows, outputs)``: the layers' caches of
    the rows above (per resolution), the ``(u, ul)`` rows of each coarse
    resolution's current row, the layers' outputs on the current image row as
    `start_row` recorded them, each layer's current input row so far, and the
    current pixel's outputs ``[B, C, units]`` (computed at its first channel).

    Args:
      model: a `pixel_zoo.models.PixelCNNPP`.
      labels: int32 ``[B]`` classes if the model is class-conditional.
    """

    def __init__(self, model, labels=None):
        super().__init__(model, labels)
        self.class_one_hot = (
            tf.one_hot(labels, model.num_classes, dtype=model.compute_dtype)
            if model.num_classes else None
        )
        self.outputs_shape = (model.color_channels, model.head.units)

    def _unet(self, scaled_row, run):
        """The model's outputs ``[B, W', C, units]`` on a scaled row ``[W, B, C]``, run by ``run``."""
        inputs = tf.cast(tf.transpose(scaled_row, (1, 0, 2))[:, None], self.model.compute_dtype)
        outputs = self.model.unet(inputs, self.class_one_hot, False, run)  # (B, 1, W', C * units)
        return tf.reshape(tf.cast(outputs, tf.float32), (-1, outputs.shape[2], *self.outputs_shape))

    def initial_state(self, batch_size):
        width, channels = self.model.image_shape[1:]
        run = RowPass(self.model, tf.constant(0))
        self._unet(tf.zeros((width, batch_size, channels)), run)
        caches, kept, recorded = tf.nest.map_structure(
            tf.zeros_like, (run.new_caches, run.new_kept, run.outputs))
        rows = tf.nest.map_structure(lambda cache: cache[:, :1], caches)
        return caches, kept, recorded, rows, tf.zeros((batch_size, *self.outputs_shape))

    def start_row(self, state, row, previous_pixels):
        caches, kept, _, rows, outputs = state
        row = tf.convert_to_tensor(row)
        scaled_above = self.scale(previous_pixels)
        run = RowPass(self.model, row - 1, caches, kept)
        self._unet(scaled_above, run)
        # Above row 0 there is nothing to advance past: the caches stay zero.
        advance = [(row > 0) & recomputed for recomputed in run.recomputed]
        caches = [_select(*args) for args in zip(advance, run.new_caches, caches)]
        kept = [_select(*args) for args in zip(advance, run.new_kept, kept)]
        # The u stream never reads the row's own pixels, unknown yet.
        run = RowPass(self.model, row, caches, kept, u_stream_only=True)
        self._unet(tf.zeros_like(scaled_above), run)
        return caches, kept, run.outputs, rows, outputs

    def step(self, state, pixels, row, column, channel):
        caches, kept, recorded, rows, outputs = state

        def pixel_outputs():
            run = ColumnPass(self.model, row, column, caches, rows, kept, recorded)
            outputs = self._unet(self.scale(pixels), run)[:, 0]  # (B, C, units)
            return outputs, run.new_rows, run.new_kept

        outputs, rows, kept = tf.cond(
            tf.equal(channel, 0), pixel_outputs, lambda: (outputs, rows, kept))
        logits = self.model.head.logits(outputs, pixels[column])  # (B, C, L)
        return logits[:, channel], (caches, kept, recorded, rows, outputs)


def _select(condition, new, old):
    """``new`` where ``condition`` else ``old``, for nested structures of tensors."""
    return tf.nest.map_structure(lambda a, b: tf.where(condition, a, b), new, old)


def _column(rows, column):
    """Column ``column`` of ``rows`` ``[B, R, W, F]``, as ``[B, R, 1, F]``."""
    return tf.gather(rows, [column], axis=2)


def _write_column(rows, column, values):
    """``rows`` ``[B, 1, W, F]`` with column ``column`` replaced by ``values`` ``[B, 1, 1, F]``."""
    place = tf.one_hot(column, rows.shape[2], dtype=rows.dtype)[:, None]  # (W, 1)
    return rows * (1 - place) + values * place
