"""pixel_zoo: PixelRNN and PixelCNN image models with exact likelihoods, on Keras 3.

Example:
    >>> import pixel_zoo as pz
    >>> model = pz.models.build("pixelcnn", image_shape=(28, 28, 1), num_levels=2)
    >>> lp = model.log_prob(images)                      # nats per image
    >>> pz.metrics.bits_per_dim(lp, model.image_shape)
"""

from pixel_zoo import lazy

# Submodules are imported on first use (``pz.models``), so ``import pixel_zoo`` stays fast.
__getattr__, __dir__ = lazy.attach(__name__, submodules=(
    "codec", "data", "fast_sampling", "heads", "images", "layers", "losses", "metrics", "models", "ood",
    "sampling", "training", "validation", "zoo",
))

__version__ = "0.1.0"
