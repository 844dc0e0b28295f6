"""Split names shared by every reader: "train", "valid" and "test", and how "valid" is carved.

Where a dataset has only a training and an official test split (MNIST,
Fashion-MNIST), "valid" is carved out of the training split (its last
`VALID_FROM_TRAIN` images; "train" is the rest) and "test" is the official
test split, kept for final figures: weights, settings and thresholds are
chosen on "valid", never on "test".
"""

TRAIN, VALID, TEST = "train", "valid", "test"
# Images at the end of a training split that become the validation split.
VALID_FROM_TRAIN = 10_000


class UnknownSplitError(ValueError):
    """A split the dataset does not offer (a held-out test split, or a misspelt name)."""


def resolve_split(dataset: str, split: str, has_test: bool) -> str:
    """Returns the requested split if the dataset offers it, else raises naming the ones it does.

    Args:
        dataset: dataset name, used in the error message.
        split: the requested split.
        has_test: whether the dataset's test split can be read; where it is held out
            (``binarized_mnist``, ``cifar10_jpeg``), "test" is an error rather than
            silently another split.

    Returns:
        "train", "valid" or "test".

    Raises:
        UnknownSplitError: the split is not one of the dataset's, which the message lists.

    Example:
        >>> resolve_split("mnist", "test", has_test=True)
        'test'
    """
    offered = (TRAIN, VALID, TEST) if has_test else (TRAIN, VALID)
    if split in offered:
        return split
    held_out = "" if has_test else f" ('{TEST}' is held out)"
    raise UnknownSplitError(f"{dataset}: unknown split {split!r}; valid splits: "
                     f"{', '.join(repr(name) for name in offered)}{held_out}")


def carve(split: str, num_images: int) -> slice:
    """The part of a training split of ``num_images`` images that is ``split`` ("train"/"valid").

    Example:
        >>> carve("valid", 60_000)
        slice(50000, 60000, None)
    """
    start = num_images - VALID_FROM_TRAIN
    if start <= 0:
        raise ValueError(f"a training split of {num_images} images is too small to carve "
                         f"{VALID_FROM_TRAIN} validation images out of it")
    return slice(start, num_images) if split == VALID else slice(0, start)
