"""Starting a wider model from a trained one: its new channels start at zero.

A model of ``hidden_units`` F' > F takes each trained weight into the
slots of its first F channels. An axis that grows holds k blocks of F features
(concat_elu's ``[elu(x), elu(-x)]``, a gate's ``[a | b]``, an LSTM's gates
``[i | f | o | g]``, a PixelCNN++ up block's aux input ``[u, skip]``, the ``2h``
features of a stacked model), and each block keeps its trained entries first.

Every layer's new outputs start at zero (their kernel columns and biases, or,
weight-normalized, their scales), so a new channel is zero everywhere: concat_elu
and ReLU map it to zeros, a gated block's new ``a`` is zero, and a new LSTM unit's
candidate is zero, so its cell and hidden states stay zero. The trained channels
then compute what they did, whatever the rows that read the new channels hold,
so those rows keep the wider model's fresh initialization: gradients reach the
new channels through them (zero rows and columns both would be a saddle that
training never leaves). A weight-normalized layer divides each column by its
norm, which the fresh rows lengthen: its trained scales grow by as much.

Example:
    >>> trained = pz.models.build("pixelcnn_pp", (28, 28, 1), 2, hidden_units=32)
    >>> wider = pz.models.build("pixelcnn_pp", (28, 28, 1), 2, hidden_units=48)
    >>> deepening.copy_weights(wider, trained)                  # no new blocks
    0
    >>> # wider.log_prob(images) == trained.log_prob(images)
"""

import numpy as np

from pixel_zoo.layers.weight_norm import WeightNormalized, weight_normalized_layers


def fits(shape, trained_shape, widths):
    """Whether a weight of ``trained_shape`` goes into one of ``shape``.

    Args:
      shape, trained_shape: the shapes of a weight of the model and of the trained one.
      widths: ``(hidden units trained, the model's)``, or None: the shapes must be equal.

    Example:
        >>> fits((2, 3, 16, 8), (2, 3, 8, 4), (4, 8)), fits((2, 3, 16, 8), (2, 3, 8, 4), None)
        (True, False)
    """
    return len(shape) == len(trained_shape) and all(
        _channels(trained_size, size, widths) is not None
        for size, trained_size in zip(shape, trained_shape))


def copy(pairs, widths, model, trained):
    """Assigns each trained weight to its ``model`` weight, a wider one in its first channels.

    Args:
      pairs: ``(model's weight, trained's)`` of shapes that `fits`.
      widths: ``(hidden units trained, model's)``, or None: the shapes are equal.
      model, trained: the models of the weights.

    Example:
        >>> copy([(wider.output_dense.kernel, trained.output_dense.kernel)], (32, 48),
        ...      wider, trained)   # rows 0..31: the trained ones, 32..47: fresh
    """
    if widths is None:
        for target, source in pairs:
            target.assign(source)
        return
    layers = {layer.kernel.path: layer for layer in model._flatten_layers(include_self=False)
              if isinstance(layer, WeightNormalized)}
    for target, source in pairs:
        layer = layers.get(target.path)
        # A weight-normalized kernel's new columns keep their fresh direction: the zero
        # scale zeroes them.
        target.assign(_widened(target, source, widths,
                               output_axis=layer.output_axis if layer else -1,
                               zero_new_outputs=not (layer and layer.weight_norm)))
    normalized = {layer.scale.path: layer for layer in weight_normalized_layers(model)}
    trained_normalized = {layer.scale.path: layer for layer in weight_normalized_layers(trained)}
    for target, source in pairs:
        if target.path in normalized:
            _keep_outputs(normalized[target.path], trained_normalized[source.path], widths)


def _channels(trained_size, size, widths):
    """Where an axis's ``trained_size`` entries go among its ``size``; None if they do not fit."""
    if size == trained_size:
        return np.arange(size)
    if widths is None:
        return None
    trained_units, units = widths
    blocks, remainder = divmod(trained_size, trained_units)
    if remainder or size != blocks * units:
        return None
    return (np.arange(blocks)[:, None] * units + np.arange(trained_units)).ravel()


def _widened(target, source, widths, output_axis, zero_new_outputs):
    """``target``'s fresh values with ``source``'s in its trained channels."""
    value = np.array(target)
    trained = np.asarray(source)
    channels = [_channels(*sizes, widths) for sizes in zip(trained.shape, value.shape)]
    value[np.ix_(*channels)] = trained
    if zero_new_outputs:
        outputs = np.moveaxis(value, output_axis, 0)  # A view of value.
        outputs[np.setdiff1d(np.arange(len(outputs)), channels[output_axis])] = 0.0
    return value


def _keep_outputs(layer, trained, widths):
    """Grows the trained scales of weight-normalized ``layer`` as its columns' norms grew."""
    channels = _channels(trained.filters, layer.filters, widths)
    scale = np.array(layer.scale)
    scale[channels] = (np.asarray(trained.scale) * np.asarray(layer.feature_norms())[channels]
                       / np.asarray(trained.feature_norms()))
    layer.scale.assign(scale)
