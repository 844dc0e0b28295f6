"""Image datasets for pixel_zoo: loading splits into memory and batching them with tf.data.

Example:
    >>> from pixel_zoo import data
    >>> d = data.load_split("binarized_mnist", "train", "/work/shared/data")  # doctest: +SKIP
    >>> ds = data.make_dataset(d, 32, shuffle=True, repeat=True, seed=0)  # doctest: +SKIP
"""

from pixel_zoo import lazy
from pixel_zoo.data.image_data import ImageData
from pixel_zoo.data.registry import check_split, dataset_names, load_split

# Batching and perturbing need TensorFlow; reading a split into numpy does not.
__getattr__, __dir__ = lazy.attach(__name__, attributes={
    "make_dataset": "pipeline", "perturb_dataset": "perturbation", "perturb_images": "perturbation"})

__all__ = ["ImageData", "check_split", "dataset_names", "load_split", "make_dataset", "perturb_dataset",
           "perturb_images"]
