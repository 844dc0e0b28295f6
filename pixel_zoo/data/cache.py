"""On-disk cache of decoded arrays, keyed by a source path and a fingerprint of its contents."""

from __future__ import annotations

import glob
import hashlib
import logging
import os
import re
import tempfile
import zipfile

import numpy as np

_log = logging.getLogger(__name__)


def cache_dir() -> str:
    """The cache folder: ``$PIXEL_ZOO_CACHE`` if set, else ``~/.cache/pixel_zoo``.

    Example:
        >>> cache_dir()  # doctest: +SKIP
        '/home/me/.cache/pixel_zoo'
    """
    return os.environ.get("PIXEL_ZOO_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "pixel_zoo")


def cache_file(source: str, fingerprint: str) -> str:
    """The cache file for ``source`` (an absolute path) in the state ``fingerprint``.

    Files of one source share a prefix, so that :func:`save` can drop stale versions.

    Example:
        >>> cache_file("/data/cats", "n=3 size=1024 mtime=17")  # doctest: +SKIP
        '/home/me/.cache/pixel_zoo/cats-5d1e...-9b07....npz'
    """
    slug = re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.basename(source.rstrip(os.sep))) or "root"
    return os.path.join(cache_dir(), f"{slug}-{_digest(source)}-{_digest(fingerprint)}.npz")


def load(path: str) -> dict[str, np.ndarray] | None:
    """Loads the arrays cached at ``path``, or returns None if absent or unreadable.

    Example:
        >>> arrays = load(cache_file("/data/cats", fingerprint))  # doctest: +SKIP
    """
    if not os.path.isfile(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        _log.warning("ignoring unreadable cache file %s: %s", path, err)
        return None


def save(path: str, arrays: dict[str, np.ndarray]) -> None:
    """Writes ``arrays`` to ``path`` atomically and deletes older versions of the same source.

    A cache that cannot be written only logs a warning: the data was decoded anyway.

    Example:
        >>> save(cache_file("/data/cats", fingerprint), {"images": images})  # doctest: +SKIP
    """
    directory, tmp = os.path.dirname(path), None
    try:
        os.makedirs(directory, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, suffix=".tmp", delete=False) as f:
            tmp = f.name
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except OSError as err:
        _log.warning("could not write cache file %s: %s", path, err)
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)
        return
    stale_prefix = path[: path.rindex("-") + 1]
    for stale in glob.glob(glob.escape(stale_prefix) + "*.npz"):
        if stale != path:
            os.remove(stale)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
