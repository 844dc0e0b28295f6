"""A `PixelCNNPP`, one row of each resolution per pixel, from caches of the rows above.

Every layer of PixelCNN++ is a shifted convolution (or a 1x1 one): its
output at row ``i`` reads its input at rows ``i - kh + 1 .. i``. So the
network's outputs on the current row need, at each layer, only the input
rows above it, which are complete and cached, and the current row. A
resolution ``k`` (``2^k`` times coarser) has one row for ``2^k`` image rows,
and its row ``r`` reads only image rows up to ``2^k r``: it is recomputed
during that image row only (when ``i % 2^k == 0``) and kept for the next
``2^k - 1`` rows, as in the "cache every" schedules of strided layers
(Ramachandran et al., "Fast Generation for Convolutional Autoregressive
Models", 2017). The caches advance once per row (`start_row`), from the
complete row above.

The ``u`` stream never reads the current image row, so `start_row` runs it
once per row and records its outputs; so does every layer of a resolution
that the row does not recompute (its rows are replaced by the kept ones).
A step replays those and computes, on the current row at each recomputed
resolution, the whole width of the ``ul`` stream (its column ``j`` needs the
row's earlier columns), once per pixel: a pixel's outputs ignore the whole
pixel, so its channels reuse them and only the (coupled) head reads the
values drawn so far.

Example:
    >>> model = pz.models.build("pixelcnn_pp", (8, 8, 3), 256, num_layers=1, hidden_units=8,
    ...                         logistic_mixtures=2)
    >>> network = CachedPixelCNNPP(model)
    >>> state = network.start_row(network.initial_state(batch_size=2), 0, row_above)
    >>> logits, state = network.step(state, row_pixels, 0, 0, 0)   # (2, 256)
"""

import tensorflow as tf

from pixel_zoo.fast_sampling.network import CachedNetwork


class RowPass:
    """How `PixelCNNPP.unet` runs its layers for one image row: one row per resolution.

    Stands in for the model's ``WholeMaps``: each layer runs on its input row
    with its cache of the rows above, and the new caches are collected by
    resolution. Resolutions that the row does not recompute have their
    streams replaced by the kept ones before upsampling, and their caches are
    not advanced. Every layer's output is collected in call order
    (``outputs``); given the ``recorded`` outputs of a pass over the same
    row, the pass replays those that cannot differ: the ``u`` stream's, and
    those of resolutions the row does not recompute.

    Args:
      model: the `PixelCNNPP`.
      row: the image row (int32 scalar).
      caches: per resolution, the caches of its layers in call order; None
        makes zero caches (the rows above the image).
      kept: per resolution ``k >= 1``, the ``(u, ul)`` rows last computed
        there, ``[B, 1, W_k, F]`` each; None for zeros.
      recorded: the ``outputs`` of an earlier pass over ``row`` with the same
        caches and kept rows, or None to compute every layer.
    """

    def __init__(self, model, row, caches=None, kept=None, recorded=None):
        self.model = model
        self.row = row
        self.caches = caches
        self.kept = kept
        self.recorded = recorded
        self.u_stream = {id(layer) for layer in model.u_stream}
        self.outputs = []
        self.new_caches = [[] for _ in model.level_shapes]
        self.new_kept = [()] * len(model.level_shapes)  # Nothing is kept at the finest one.
        # Resolution k is recomputed in image rows i % 2^k == 0.
        self.recomputed = [
            tf.equal(row % 2**level, 0) for level in range(len(model.level_shapes))
        ]

    def _run(self, level, layer, compute):
        """``compute()``, or the recorded output where it cannot differ; collects the output."""
        if self.recorded is None:
            outputs = compute()
        else:
            replayed = self.recorded[len(self.outputs)]
            if id(layer) in self.u_stream:
                outputs = replayed
            elif level:
                outputs = tf.cond(self.recomputed[level], compute, lambda: replayed)
            else:
                outputs = compute()
        self.outputs.append(outputs)
        return outputs

    def __call__(self, level, layer, inputs, **kwargs):
        if self.caches is None:
            cache = layer.initial_cache(inputs)
        else:
            cache = self.caches[level][len(self.new_caches[level])]
        if self.recorded is None:
            outputs, cache = layer(inputs, cache=cache, **kwargs)
            self.outputs.append(outputs)
        else:  # A step: its new caches are not kept.
            outputs = self._run(level, layer, lambda: layer(inputs, cache=cache, **kwargs)[0])
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
        def compute():
            rows = layer(inputs, output_size=(2, self.model.level_shapes[level][1]))  # (B, 2, W, F)
            parity = self.row // 2**level % 2  # Which of the two rows the coarse row gives.
            return tf.gather(rows, [parity], axis=1)

        return self._run(level, layer, compute)


def _select(condition, new, old):
    """``new`` where ``condition`` else ``old``, for nested structures of tensors."""
    return tf.nest.map_structure(lambda a, b: tf.where(condition, a, b), new, old)


class CachedPixelCNNPP(CachedNetwork):
    """Incremental `PixelCNNPP`.

    State: ``(caches, kept, recorded, outputs)``: the layers' caches of the
    rows above (per resolution), the last ``(u, ul)`` rows of each coarse
    resolution, the layers' outputs on the current row as `start_row`
    recorded them (see `RowPass`), and the current pixel's outputs
    ``[B, C, units]`` (computed at its first channel).

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

    def _row_pass(self, scaled_row, row, caches=None, kept=None, recorded=None):
        """``(outputs [B, W, C, units], pass)`` of a scaled row ``[W, B, C]``."""
        run = RowPass(self.model, row, caches, kept, recorded)
        inputs = tf.cast(tf.transpose(scaled_row, (1, 0, 2))[:, None], self.model.compute_dtype)
        outputs = self.model.unet(inputs, self.class_one_hot, False, run)  # (B, 1, W, C * units)
        outputs = tf.reshape(tf.cast(outputs, tf.float32), (-1, scaled_row.shape[0], *self.outputs_shape))
        return outputs, run

    def initial_state(self, batch_size):
        width, channels = self.model.image_shape[1:]
        blank = tf.zeros((width, batch_size, channels))
        _, run = self._row_pass(blank, tf.constant(0))
        zeros = tf.nest.map_structure(tf.zeros_like, (run.new_caches, run.new_kept, run.outputs))
        return (*zeros, tf.zeros((batch_size, *self.outputs_shape)))

    def start_row(self, state, row, previous_pixels):
        """Advances the caches past the complete row above ``row`` and records ``row``'s ``u`` stream."""
        caches, kept, _, outputs = state
        row = tf.convert_to_tensor(row)
        scaled_above = self.scale(previous_pixels)
        _, run = self._row_pass(scaled_above, row - 1, caches, kept)
        # Above row 0 there is nothing to advance past: the caches stay zero.
        advance = [(row > 0) & recomputed for recomputed in run.recomputed]
        caches = [_select(*args) for args in zip(advance, run.new_caches, caches)]
        kept = [_select(*args) for args in zip(advance, run.new_kept, kept)]
        # The row's own pixels are unknown yet: what is recorded must not depend on them.
        _, run = self._row_pass(tf.zeros_like(scaled_above), row, caches, kept)
        return caches, kept, run.outputs, outputs

    def step(self, state, pixels, row, column, channel):
        caches, kept, recorded, outputs = state
        outputs = tf.cond(
            tf.equal(channel, 0),
            lambda: self._row_pass(self.scale(pixels), row, caches, kept, recorded)[0][:, column],
            lambda: outputs,
        )  # (B, C, units)
        logits = self.model.head.logits(outputs, pixels[column])  # (B, C, L)
        return logits[:, channel], (caches, kept, recorded, outputs)
