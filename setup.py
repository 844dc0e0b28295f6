"""pixel_zoo: PixelRNN / PixelCNN autoregressive image models on TensorFlow 2 + Keras 3."""

import pathlib

import setuptools

ROOT = pathlib.Path(__file__).parent
REQUIREMENTS = [
    line.strip()
    for line in (ROOT / "requirements.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#") and not line.startswith("pytest")
]

setuptools.setup(
    name="pixel_zoo",
    version="0.1.0",
    description="PixelRNN (Row LSTM, Diagonal BiLSTM) and PixelCNN image models with exact likelihoods.",
    long_description=(ROOT / "README.md").read_text(),
    long_description_content_type="text/markdown",
    packages=setuptools.find_packages(include=["pixel_zoo", "pixel_zoo.*"]),
    package_data={"pixel_zoo.zoo": ["cards/*.json", "cards/*.png", "weights/*.weights.h5"]},
    entry_points={"console_scripts": ["pixel-zoo=pixel_zoo.cli:main"]},
    python_requires=">=3.10",
    install_requires=REQUIREMENTS,
)
