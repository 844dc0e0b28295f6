"""PixelCNN++: two shifted streams, gated residual blocks on a U-net of resolutions, coupled RGB mixture."""

import keras
from keras import ops

from pixel_zoo import heads
from pixel_zoo.layers.gated_resnet import GatedResidualBlock
from pixel_zoo.layers.shifted_conv import ShiftedConv2D, ShiftedConv2DTranspose
from pixel_zoo.models.base import AutoregressiveImageModel
from pixel_zoo.models.pixel_cnn_pp_sampling import CachedPixelCNNPP
from pixel_zoo.validation import as_dropout_rate


class WholeMaps:
    """How `PixelCNNPP.unet` runs its layers in a forward pass: on whole feature maps.

    The fast sampler's `RowPass` and `ColumnPass` (`pixel_zoo.models.pixel_cnn_pp_sampling`)
    have the same methods and run one row, or one pixel, of each resolution instead.

    Args:
      level_shapes: ``(rows, columns)`` of each resolution, finest first.
    """

    def __init__(self, level_shapes):
        self.level_shapes = level_shapes

    def __call__(self, level, layer, *args, **kwargs):
        """``layer(*args, **kwargs)``; ``level`` is the resolution of its input."""
        return layer(*args, **kwargs)

    def coarse(self, level, u, ul):
        """The streams of ``level`` just before they are upsampled."""
        return u, ul

    def upsample(self, level, layer, inputs):
        """``layer`` (a `ShiftedConv2DTranspose`) from ``level + 1`` to ``level``."""
        return layer(inputs, output_size=self.level_shapes[level])


@keras.saving.register_keras_serializable(package="pixel_zoo")
class PixelCNNPP(AutoregressiveImageModel):
    """PixelCNN++: a down-shifted (``u``) and a down-right-shifted (``ul``) stream on a U-net.

    The ``u`` stream sees the rows above a pixel, the ``ul`` stream also the
    pixels left of it, so together they see every earlier pixel (no blind
    spot). Each of ``num_hierarchies`` resolutions runs ``num_layers`` gated
    residual blocks per stream (concat_elu, dropout); a stride-2 shifted
    convolution halves the resolution on the way down and a transposed one
    doubles it on the way up (cropped to odd sizes), and the way up reads
    every output of the way down (U-net skips). The output at a pixel
    ignores the whole pixel: with ``logistic_mixtures`` on RGB images, the
    head is PixelCNN++'s coupled mixture (`pixel_zoo.heads.CoupledLogisticMixtureHead`),
    which conditions G on the pixel's R and B on R and G; otherwise each
    sub-pixel is predicted from the earlier pixels only.

    Args:
      image_shape: ``(height, width, channels)``; any size, odd and tiny included.
      num_levels: values per channel.
      num_layers: gated residual blocks per stream and resolution on the way
        down (one more on the way up, except at the coarsest resolution); 5 in
        the paper.
      hidden_units: features of every layer (160 in the paper).
      num_hierarchies: resolutions (3 in the paper: 32, 16 and 8 on CIFAR-10).
      dropout: dropout rate inside the blocks while training (0.5 in the paper).
      num_classes: if set, the model is class-conditional: every call takes
        ``labels`` (int ``[B]`` in ``[0, num_classes)``), a per-class bias in
        every block.
      weight_norm: weight-normalize every convolution (as the paper and
        ``tfd.PixelCNN``); train it from a data-dependent init
        (`pixel_zoo.layers.weight_norm.initialize_from_data`, which the trainer runs).

    Example:
        >>> model = PixelCNNPP((32, 32, 3), 256, num_layers=1, hidden_units=32,
        ...                    logistic_mixtures=5)
        >>> model.log_prob(np.zeros((2, 32, 32, 3), np.uint8)).shape
        TensorShape([2])

    Reference: Salimans et al., "PixelCNN++: Improving the PixelCNN with
    Discretized Logistic Mixture Likelihood and Other Modifications", 2017.
    """

    cached_network = CachedPixelCNNPP

    def __init__(self, image_shape, num_levels, num_layers=5, hidden_units=160,
                 num_hierarchies=3, dropout=0.5, num_classes=None, weight_norm=False, **kwargs):
        super().__init__(image_shape, num_levels, num_classes=num_classes, **kwargs)
        if int(num_layers) < 1 or int(hidden_units) < 1 or int(num_hierarchies) < 1:
            raise ValueError(
                "num_layers, hidden_units and num_hierarchies must be positive, got "
                f"{num_layers}, {hidden_units}, {num_hierarchies}."
            )
        self.num_layers = int(num_layers)
        self.hidden_units = int(hidden_units)
        self.num_hierarchies = int(num_hierarchies)
        self.dropout = as_dropout_rate(dropout)
        self.weight_norm = bool(weight_norm)
        height, width, _ = self.image_shape
        self.level_shapes = [(height, width)]
        for _ in range(1, self.num_hierarchies):
            rows, columns = self.level_shapes[-1]
            self.level_shapes.append(((rows + 1) // 2, (columns + 1) // 2))
        features = self.hidden_units

        def block(shift, name, aux=True):
            return GatedResidualBlock(
                features, shift, aux=aux, dropout=self.dropout, num_classes=num_classes,
                weight_norm=self.weight_norm, name=name
            )

        def conv(kernel_size, shift, **conv_kwargs):
            return ShiftedConv2D(features, kernel_size, shift, weight_norm=self.weight_norm,
                                 **conv_kwargs)

        def upsample(shift, name):
            return ShiftedConv2DTranspose(features, shift, weight_norm=self.weight_norm, name=name)

        # The first layers read rows i - 2, i - 1 (u), and row i - 1 plus pixel (i, j - 1) (ul).
        self.u_input = conv((3, 3), "down", current_row="none", name="u_input")
        self.ul_input = conv((2, 3), "down", current_row="left", name="ul_input")
        # Flat lists, u and ul blocks alternating, level by level (see `block_pairs`).
        self.down_blocks = [
            layer
            for level in range(self.num_hierarchies)
            for index in range(self.num_layers)
            for layer in (
                block("down", f"down_{level}_{index}_u", aux=False),
                block("down_right", f"down_{level}_{index}_ul"),
            )
        ]
        self.downsample = [
            layer
            for level in range(1, self.num_hierarchies)
            for layer in (
                conv((2, 3), "down", strides=2, name=f"downsample_{level}_u"),
                conv((2, 2), "down_right", strides=2, name=f"downsample_{level}_ul"),
            )
        ]
        self.up_blocks = [
            layer
            for level in range(self.num_hierarchies)
            for index in range(self.up_blocks_at(level))
            for layer in (
                block("down", f"up_{level}_{index}_u"),
                block("down_right", f"up_{level}_{index}_ul"),
            )
        ]
        self.upsample = [
            layer
            for level in range(self.num_hierarchies - 1)
            for layer in (
                upsample("down", f"upsample_{level}_u"),
                upsample("down_right", f"upsample_{level}_ul"),
            )
        ]
        # float32 under mixed precision too: float16 would quantize the mixture's means.
        self.output_dense = keras.layers.Dense(
            self.color_channels * self.head.units, name="output_dense", dtype="float32"
        )
        self.build()

    def make_head(self):
        return heads.make_head(
            self.num_levels, self.logistic_mixtures, coupled_channels=self.color_channels
        )

    @property
    def u_stream(self):
        """The layers of the ``u`` stream: they never read the image row they compute."""
        return [self.u_input, *self.down_blocks[::2], *self.downsample[::2], *self.up_blocks[::2],
                *self.upsample[::2]]

    def up_blocks_at(self, level):
        """Blocks per stream on the way up at ``level``: one per skip connection it reads."""
        return self.num_layers + (level < self.num_hierarchies - 1)

    def block_pairs(self, layers, level):
        """The ``(u, ul)`` pairs of ``layers`` (down or up blocks) at ``level``, in call order.

        Example:
            >>> model = PixelCNNPP((8, 8, 1), 2, num_layers=1, num_hierarchies=2)
            >>> [ul.name for _, ul in model.block_pairs(model.up_blocks, 0)]
            ['up_0_0_ul', 'up_0_1_ul']
        """
        sizes = [
            self.num_layers if layers is self.down_blocks else self.up_blocks_at(index)
            for index in range(self.num_hierarchies)
        ]
        start = 2 * sum(sizes[:level])
        flat = layers[start:start + 2 * sizes[level]]
        return list(zip(flat[::2], flat[1::2]))

    def build_network(self, input_shape):
        features = self.hidden_units
        class_shape = (None, self.num_classes) if self.num_classes else None
        self.u_input.build((*input_shape[:-1], input_shape[-1] + 1))  # The border channel.
        self.ul_input.build((*input_shape[:-1], input_shape[-1] + 1))
        for level, (rows, columns) in enumerate(self.level_shapes):
            shape = (None, rows, columns, features)
            doubled = (*shape[:-1], 2 * features)
            for u_block, ul_block in self.block_pairs(self.down_blocks, level):
                u_block.build(shape, None, class_shape)
                ul_block.build(shape, shape, class_shape)
            for u_block, ul_block in self.block_pairs(self.up_blocks, level):
                u_block.build(shape, shape, class_shape)
                ul_block.build(shape, doubled, class_shape)
            if level:
                for layer in self.downsample[2 * level - 2: 2 * level]:
                    layer.build((None, *self.level_shapes[level - 1], features))
                for layer in self.upsample[2 * level - 2: 2 * level]:
                    layer.build(shape)
        self.output_dense.build((None, *self.level_shapes[0], features))

    def compute_outputs(self, inputs, class_one_hot=None, training=False):
        return self.unet(inputs, class_one_hot, training)

    def unet(self, inputs, class_one_hot=None, training=False, run=None):
        """Scaled ``[B, H, W, C]`` -> ``[B, H, W, C * head.units]``.

        ``run`` says how each layer runs: `WholeMaps` (default), or the fast
        sampler's `RowPass` or `ColumnPass`, which give ``inputs`` as one row.
        """
        run = run or WholeMaps(self.level_shapes)

        def block(level, layer, features, aux=None):
            return run(level, layer, features, aux=aux, class_one_hot=class_one_hot,
                       training=training)

        # A channel of ones tells the zero padding from zero-valued pixels.
        image = ops.concatenate([inputs, ops.ones_like(inputs[..., :1])], axis=-1)
        u, ul = run(0, self.u_input, image), run(0, self.ul_input, image)  # (B, H, W, F)
        skips = []
        for level in range(self.num_hierarchies):
            if level:
                down_u, down_ul = self.downsample[2 * level - 2: 2 * level]
                u, ul = run(level - 1, down_u, u), run(level - 1, down_ul, ul)
            skips.append((u, ul))
            for u_block, ul_block in self.block_pairs(self.down_blocks, level):
                u = block(level, u_block, u)
                ul = block(level, ul_block, ul, aux=u)
                skips.append((u, ul))
        u, ul = skips.pop()
        for level in reversed(range(self.num_hierarchies)):
            if level < self.num_hierarchies - 1:
                u, ul = run.coarse(level + 1, u, ul)
                up_u, up_ul = self.upsample[2 * level: 2 * level + 2]
                u, ul = run.upsample(level, up_u, u), run.upsample(level, up_ul, ul)
            for u_block, ul_block in self.block_pairs(self.up_blocks, level):
                skip_u, skip_ul = skips.pop()
                u = block(level, u_block, u, aux=skip_u)
                ul = block(level, ul_block, ul, aux=ops.concatenate([u, skip_ul], axis=-1))
        return self.output_dense(ops.elu(ul))  # (B, H, W, C * units)

    def get_config(self):
        return {
            **super().get_config(),
            "num_layers": self.num_layers,
            "hidden_units": self.hidden_units,
            "num_hierarchies": self.num_hierarchies,
            "dropout": self.dropout,
            "weight_norm": self.weight_norm,
        }
