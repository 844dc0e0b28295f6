"""Model names -> constructors, so trainers, export and the zoo build models from strings."""

import functools

import keras

from pixel_zoo.models import presets
from pixel_zoo.models.gated_pixel_cnn import GatedPixelCNN
from pixel_zoo.models.pixel_cnn import PixelCNN
from pixel_zoo.models.pixel_cnn_pp import PixelCNNPP
from pixel_zoo.models.pixel_rnn import PixelRNN
from pixel_zoo.suggestions import did_you_mean

_FAMILIES = {
    "gated_pixelcnn": GatedPixelCNN,
    "pixelcnn": PixelCNN,
    "pixelcnn_pp": PixelCNNPP,
    "row_lstm": functools.partial(PixelRNN, recurrent_layer="row_lstm"),
    "diagonal_bilstm": functools.partial(PixelRNN, recurrent_layer="diagonal_bilstm"),
}


def model_names():
    """The names `build` accepts."""
    return sorted(_FAMILIES)


def build(model_name, image_shape=(28, 28, 1), num_levels=256, preset=None, dtype_policy=None,
          **hyperparameters):
    """Builds a model family by name.

    Args:
      model_name: one of `model_names()`: "pixelcnn", "row_lstm", "diagonal_bilstm",
        "gated_pixelcnn", "pixelcnn_pp".
      image_shape: ``(height, width, channels)``, channels 1 or 3.
      num_levels: values per channel (2 for binarized data, 256 for 8-bit).
      **hyperparameters: the family's own arguments (``num_layers``,
        ``hidden_units``, ``output_units``, ``num_classes`` for
        gated_pixelcnn and pixelcnn_pp, ``dropout`` for pixelcnn and pixelcnn_pp,
        ``num_hierarchies`` and ``weight_norm`` for pixelcnn_pp, ``logistic_mixtures``
        for every family);
        unset ones come from ``preset``, else the family's defaults.
      preset: a name from `pixel_zoo.models.presets` ("paper_mnist",
        "paper_cifar10", "cpu_small").
      dtype_policy: a Keras dtype policy for every layer, e.g. "mixed_bfloat16"
        (float32 weights, bfloat16 compute: faster training on CPUs with
        AVX512_BF16 or AMX); None: the global policy.

    Returns:
      A built `AutoregressiveImageModel`.

    Example:
        >>> model = build("pixelcnn", image_shape=(28, 28, 1), num_levels=2, num_layers=4)
        >>> model.sample(2, seed=(1, 2)).shape
        TensorShape([2, 28, 28, 1])
    """
    if model_name not in _FAMILIES:
        raise ValueError(f"Unknown model {model_name!r}.{did_you_mean(model_name, _FAMILIES)} "
                         f"Choose one of {model_names()}.")
    if preset is not None:
        hyperparameters = {**presets.hyperparameters(model_name, preset), **hyperparameters}
    hyperparameters.setdefault("name", model_name)
    previous_policy = keras.mixed_precision.global_policy()
    if dtype_policy is not None:
        keras.mixed_precision.set_global_policy(dtype_policy)  # Nested layers read it.
    try:
        return _FAMILIES[model_name](image_shape=image_shape, num_levels=num_levels,
                                     **hyperparameters)
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
