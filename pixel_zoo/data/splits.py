"""Split names shared by every reader: "train", "valid", and "test" where it means "valid"."""

TRAIN, VALID = "train", "valid"
TEST_ALIAS = "test"


def resolve_split(dataset: str, split: str, test_is_valid: bool) -> str:
    """Returns the canonical split ("train" or "valid") for a requested split name.

    "test" is accepted as an alias of "valid" only where the dataset's held-out split *is* its
    official test split (``test_is_valid``); elsewhere the test split is held out and "test"
    is an error rather than silently reading the validation split.

    Args:
        dataset: dataset name, used in the error message.
        split: the requested split.
        test_is_valid: whether "test" is an alias of "valid" for this dataset.

    Returns:
        "train" or "valid".

    Raises:
        ValueError: the split is not one of the valid splits, which the message lists.

    Example:
        >>> resolve_split("mnist", "test", test_is_valid=True)
        'valid'
    """
    if split in (TRAIN, VALID):
        return split
    if split == TEST_ALIAS and test_is_valid:
        return VALID
    valid = f"'{TRAIN}', '{VALID}'" + (f", '{TEST_ALIAS}' (alias of '{VALID}')"
                                       if test_is_valid else "")
    raise ValueError(f"{dataset}: unknown split {split!r}; valid splits: {valid}")
