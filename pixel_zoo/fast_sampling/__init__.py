"""Fast sampling: each step computes only what the new position changes, from cached activations.

The plain sampler (`pixel_zoo.sampling`) runs the whole network once per
pixel and channel. Here every layer keeps caches of its past activations
(Ramachandran et al., "Fast Generation for Convolutional Autoregressive
Models", 2017) and computes one pixel at a time: a masked convolution reads a
window of cached rows, a Row LSTM steps from the row above, a Diagonal
BiLSTM's forward direction from the pixels above and left and its backward
direction once per row, a Gated PixelCNN's vertical stack once per row;
PixelCNN++'s ``u`` stream once per row and its ``ul`` stream at one pixel of
each resolution (a coarse pixel only at the image pixel that completes it). The
draws match the plain sampler's, so for a seed both give the same images (up
to float round-off in the logits).

Each layer owns its cached path, beside its ``call`` (`pixel_zoo.layers.cached`;
PixelCNN++'s layers take ``cache=`` in ``call``), and each model family names
its cached network, beside the model, in ``cached_network``: `CachedStackedModel`
(PixelCNN, PixelRNN) in `pixel_zoo.models.stacked`, `CachedGatedPixelCNN` in
`pixel_zoo.models.gated_pixel_cnn`, `CachedPixelCNNPP` in
`pixel_zoo.models.pixel_cnn_pp_sampling`. This package holds what they share:

| module | what |
|---|---|
| `loop` | the generation loop, which takes each unknown position's values from a function |
| `network` | the interface of a model's cached network, which the loop drives |

Example:
    >>> model = pz.models.build("pixelcnn", image_shape=(8, 8, 1), num_levels=2, num_layers=2)
    >>> fast_sampling.supports(model)
    True
    >>> blank = tf.zeros((4, 8, 8, 1), tf.int32)
    >>> fast_sampling.fill(model, blank, tf.zeros_like(blank), seed=(1, 2)).shape
    TensorShape([4, 8, 8, 1])
"""

import functools

import tensorflow as tf

from pixel_zoo.fast_sampling import loop
from pixel_zoo.sampling import draw


def _network_class(model):
    # Each model family names its cached network, so this package never imports the models.
    network_class = getattr(model, "cached_network", None)
    if network_class is not None and network_class.supports(model):
        return network_class
    return None


def supports(model):
    """Whether ``model``'s family has a cached network (else sample it with the plain sampler)."""
    return _network_class(model) is not None


def cached_network(model, labels=None):
    """The `CachedNetwork` that computes ``model``'s logits one position at a time.

    ``labels`` (int32 ``[B]``) condition a class-conditional model.
    """
    if not supports(model):
        raise ValueError(f"{type(model).__name__} has no fast sampler; use the naive one.")
    return _network_class(model)(model, labels)


def fill(model, images, known, seed, temperature=1.0, labels=None):
    """Samples the positions of int32 ``images`` ``[B, H, W, C]`` that ``known`` does not mark.

    Arguments as in `pixel_zoo.sampling.autoregressive_fill`, and ``labels``
    as in `cached_network`; call it inside a `tf.function`.
    """
    choose = functools.partial(draw, seed=seed, temperature=tf.cast(temperature, tf.float32))
    return fill_with(model, images, known, choose, labels)


def fill_with(model, images, known, choose, labels=None):
    """`fill` with each unknown position's values from ``choose`` instead of seeded draws.

    ``choose(logits [B, L], flat position) -> int32 [B]`` (`loop.generate`); the
    codec (`pixel_zoo.codec`) passes one that returns the data's symbols.

    Example:
        >>> argmax = lambda logits, position: tf.argmax(logits, -1, output_type=tf.int32)
        >>> fast_sampling.fill_with(model, blank, tf.zeros_like(blank), argmax).shape
        TensorShape([4, 8, 8, 1])
    """
    return loop.generate(cached_network(model, labels), images, known, choose)
