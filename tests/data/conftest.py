"""Shared fixtures for the pixel_zoo.data tests."""

import os

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    """Points the decode cache at a per-test folder, so tests never touch ~/.cache."""
    path = tmp_path / "cache"
    monkeypatch.setenv("PIXEL_ZOO_CACHE", str(path))
    return path


@pytest.fixture
def real_data_dir():
    """The shared real-data folder from $PIXEL_ZOO_DATA; skips the test when it is unset."""
    path = os.environ.get("PIXEL_ZOO_DATA")
    if not path:
        pytest.skip("PIXEL_ZOO_DATA is not set: real-data tests need the shared data folder "
                    "(e.g. PIXEL_ZOO_DATA=/work/shared/data)")
    return path


@pytest.fixture
def write_image():
    """Returns write(path, value, size=(W, H), mode="RGB"): a constant-valued PNG/JPEG file."""

    def write(path, value, size=(4, 3), mode="RGB"):
        channels = {"L": (), "RGB": (3,)}[mode]
        pixels = np.full((size[1], size[0]) + channels, value, np.uint8)
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels, mode).save(path)
        return path

    return write
