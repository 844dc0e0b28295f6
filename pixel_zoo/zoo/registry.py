"""The zoo's registry: the packaged model cards plus models registered at run time."""

from pixel_zoo.suggestions import did_you_mean
from pixel_zoo.zoo.entry import CARDS_DIR, ZooEntry

_REGISTERED = {}

PREFIX = "zoo:"  # how flags and result files name a zoo entry: zoo:NAME


def _packaged():
    return {
        entry.name: entry
        for entry in (ZooEntry.from_json(path) for path in sorted(CARDS_DIR.glob("*.json")))
    }


def list_models():
    """Names of every zoo model, packaged and registered.

    Example:
        >>> pz.zoo.list_models()
        ['diagonal_bilstm_binarized_mnist', 'pixelcnn_binarized_mnist', ...]
    """
    return sorted({**_packaged(), **_REGISTERED})


def zoo_name(source):
    """The entry name in a ``zoo:NAME`` source; None for any other source (a run, a file).

    Example:
        >>> zoo_name("zoo:pixelcnn_binarized_mnist")
        'pixelcnn_binarized_mnist'
        >>> zoo_name("runs/mine") is None
        True
    """
    return source.removeprefix(PREFIX) if source.startswith(PREFIX) else None


def get(name):
    """The `ZooEntry` called ``name``."""
    entries = {**_packaged(), **_REGISTERED}
    if name not in entries:
        raise ValueError(f"No zoo model {name!r}.{did_you_mean(name, entries)} "
                         f"Choose one of {sorted(entries)} (pixel-zoo list).")
    return entries[name]


def register(entry):
    """Adds (or replaces) a model in this process's zoo, so `pz.zoo.load` finds it.

    Example:
        >>> pz.zoo.register(ZooEntry(name="mine", ..., weights="/abs/mine.weights.h5",
        ...                          sha256=pz.zoo.sha256_of("/abs/mine.weights.h5")))
        >>> model = pz.zoo.load("mine")
    """
    if not isinstance(entry, ZooEntry):
        raise TypeError(f"register() takes a ZooEntry, got {type(entry).__name__}.")
    _REGISTERED[entry.name] = entry
