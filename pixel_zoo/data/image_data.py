"""The in-memory image container that every dataset reader returns."""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True, eq=False)
class ImageData:
    """One split of an image dataset, held in memory and validated on creation.

    Attributes:
        images: ``np.uint8`` array of shape ``[N, H, W, C]`` (grayscale has ``C = 1``), ``N >= 1``.
        labels: ``np.int32`` array of shape ``[N]`` with values ``>= 0``, or ``None``.
        num_levels: number of intensity levels per subpixel, 2..256 (2 for binarized data,
            256 for 8-bit data); every pixel value is ``< num_levels``.
        class_names: one name per class (every label indexes it), or ``None``.

    Raises:
        ValueError: naming the problem when any of the above does not hold.

    Example:
        >>> import numpy as np
        >>> d = ImageData(np.zeros((2, 28, 28, 1), np.uint8), num_levels=2)
        >>> d.image_shape
        (28, 28, 1)
    """

    images: np.ndarray
    labels: np.ndarray | None = None
    num_levels: int = 256
    class_names: tuple[str, ...] | None = None

    def __post_init__(self):
        images = self.images
        if not isinstance(images, np.ndarray) or images.dtype != np.uint8:
            raise ValueError(f"images must be a np.uint8 array, got {_describe(images)}")
        if images.ndim != 4:
            raise ValueError(f"images must have rank 4 [N, H, W, C], got shape {images.shape}")
        if images.shape[0] == 0:
            raise ValueError(f"images is empty: shape {images.shape}")
        if isinstance(self.num_levels, bool) or not isinstance(self.num_levels, (int, np.integer)) \
                or not 2 <= self.num_levels <= 256:
            raise ValueError(f"num_levels must be an int in [2, 256], got {self.num_levels!r}")
        top = int(images.max())
        if top >= self.num_levels:
            raise ValueError(f"images has value {top}, which is not < num_levels={self.num_levels}")
        self._check_labels(len(images))

    def _check_labels(self, num_images):
        labels, names = self.labels, self.class_names
        if names is not None and (not isinstance(names, tuple)
                                  or not all(isinstance(n, str) for n in names)):
            raise ValueError(f"class_names must be a tuple of str or None, got {names!r}")
        if labels is None:
            if names is not None:
                raise ValueError("class_names is given but labels is None")
            return
        if not isinstance(labels, np.ndarray) or labels.dtype != np.int32 or labels.ndim != 1:
            raise ValueError(
                f"labels must be a 1-D np.int32 array or None, got {_describe(labels)}")
        if len(labels) != num_images:
            raise ValueError(f"labels has length {len(labels)} but there are {num_images} images")
        if labels.min() < 0:
            raise ValueError(f"labels has negative value {labels.min()}")
        if names is not None and labels.max() >= len(names):
            raise ValueError(
                f"labels has value {labels.max()} but there are only {len(names)} class_names")

    def subset(self, index) -> ImageData:
        """The images (and labels) at ``index``: a slice, or a boolean or integer array.

        Example:
            >>> five = ImageData(np.zeros((5, 2, 2, 1), np.uint8), num_levels=2)
            >>> five.subset(slice(3)).images.shape
            (3, 2, 2, 1)
        """
        return ImageData(self.images[index], None if self.labels is None else self.labels[index],
                         self.num_levels, self.class_names)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """The ``(H, W, C)`` shape of one image."""
        return tuple(int(n) for n in self.images.shape[1:])


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"array of dtype {value.dtype} and shape {value.shape}"
    return type(value).__name__
