"""Image datasets for pixel_zoo: loading splits into memory and batching them with tf.data.

Example:
    >>> from pixel_zoo import data
    >>> d = data.load_split("binarized_mnist", "train", "/work/shared/data")  # doctest: +SKIP
    >>> ds = data.make_dataset(d, 32, shuffle=True, repeat=True, seed=0)  # doctest: +SKIP
"""

from pixel_zoo.data.image_data import ImageData
from pixel_zoo.data.perturbation import perturb_dataset, perturb_images
from pixel_zoo.data.pipeline import make_dataset
from pixel_zoo.data.registry import dataset_names, load_split

__all__ = ["ImageData", "dataset_names", "load_split", "make_dataset", "perturb_dataset",
           "perturb_images"]
