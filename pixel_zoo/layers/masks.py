"""Causal masks for convolution kernels in raster + colour-channel order.

The PixelRNN paper (van den Oord et al., 2016, section 3.4) orders the
dimensions of an image pixel by pixel in raster order and, inside a pixel,
channel by channel (R, then G, then B). Every feature map of a network is
split into as many contiguous groups as the image has channels; group ``g``
of a layer's output may see group ``g'`` of its input at the *current* pixel
only if ``g' < g`` (mask "A", used by the first layer, which reads the image
itself) or ``g' <= g`` (mask "B", every later layer). Pixels above, and to
the left in the same row, are always visible; pixels after the current one
never are.

Example:
    >>> mask = causal_kernel_mask((3, 3), 3, 6, color_channels=3, mask_type="A")
    >>> mask.shape
    (3, 3, 3, 6)
    >>> int(mask[1, 1, 0, 0]), int(mask[1, 1, 0, 2])   # R sees no R; G sees R.
    (0, 1)
"""

import numpy as np

MASK_TYPES = ("A", "B")


def channel_groups(num_features, color_channels, blocks=1):
    """Colour group (0 = R, 1 = G, 2 = B) of each feature of a map.

    Args:
      num_features: number of features in the map.
      color_channels: channels of the image (1 for grayscale, 3 for RGB).
      blocks: the features are ``blocks`` equal consecutive blocks (e.g. the
        four gates of an LSTM), each split into ``color_channels`` contiguous
        groups.

    Returns:
      An int array of shape ``[num_features]``.

    Example:
        >>> channel_groups(6, 3).tolist()
        [0, 0, 1, 1, 2, 2]
        >>> channel_groups(4, 2, blocks=2).tolist()
        [0, 1, 0, 1]
    """
    if num_features % blocks:
        raise ValueError(
            f"{num_features} features cannot be split into {blocks} equal blocks."
        )
    block_size = num_features // blocks
    if block_size < color_channels:
        raise ValueError(
            f"{block_size} features per block cannot hold {color_channels} colour "
            "groups: use at least one feature per colour channel."
        )
    groups = np.arange(block_size) * color_channels // block_size
    return np.tile(groups, blocks)


def causal_kernel_mask(
    kernel_size, in_features, out_features, color_channels, mask_type, out_blocks=1
):
    """A 0/1 mask for a ``[kh, kw, in, out]`` kernel centred on the current pixel.

    Args:
      kernel_size: ``(kh, kw)``, both odd.
      in_features: input features; for the first layer, the image channels.
      out_features: output features.
      color_channels: channels of the modelled image.
      mask_type: "A" (current pixel's own channel hidden) or "B" (visible).
      out_blocks: see `channel_groups`.

    Returns:
      A float32 numpy array of shape ``[kh, kw, in_features, out_features]``.
    """
    if mask_type not in MASK_TYPES:
        raise ValueError(f"mask_type must be one of {MASK_TYPES}, got {mask_type!r}.")
    kh, kw = kernel_size
    if kh % 2 == 0 or kw % 2 == 0:
        raise ValueError(f"kernel_size must be odd in both dimensions, got {kernel_size}.")
    mask = np.zeros((kh, kw, in_features, out_features), np.float32)
    center_row, center_col = kh // 2, kw // 2
    mask[:center_row] = 1.0  # Rows above the current pixel.
    mask[center_row, :center_col] = 1.0  # Left of it in the current row.
    in_groups = channel_groups(in_features, color_channels)
    out_groups = channel_groups(out_features, color_channels, out_blocks)
    if mask_type == "A":
        visible = in_groups[:, None] < out_groups[None, :]
    else:
        visible = in_groups[:, None] <= out_groups[None, :]
    mask[center_row, center_col] = visible.astype(np.float32)
    return mask
