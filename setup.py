"""pixel_zoo: PixelRNN / PixelCNN autoregressive image models on TensorFlow 2 + Keras 3.

``install_requires`` gives the ranges the library works with; ``requirements.txt`` is the
exact set of versions CI tests and README's commands install (the lock). Extras add what
only some users need:

    pip install pixel_zoo               # the library and the `pixel-zoo` command
    pip install "pixel_zoo[tfds]"       # datasets through tensorflow-datasets (downloads)
    pip install "pixel_zoo[serving]"    # export/serving_client.py's TF Serving client
    pip install "pixel_zoo[dev]"        # the test suite and the linter
"""

import pathlib

import setuptools

ROOT = pathlib.Path(__file__).parent

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
    install_requires=[
        "tensorflow>=2.21,<3",
        "keras>=3.15,<4",
        # TFP's Categorical heads; TFP imports tf-keras.
        "tensorflow-probability>=0.25,<0.26",
        "tf-keras>=2.21,<3",
        "absl-py>=2.1,<3",
        "numpy>=1.26,<3",
        "pillow>=10,<14",
        # pixel_zoo.codec's range coder.
        "constriction>=0.4,<0.6",
    ],
    extras_require={
        "tfds": ["tensorflow-datasets>=4.9,<5", "importlib_resources>=6"],
        "serving": ["tensorflow-serving-api>=2.21,<3"],
        "dev": ["pytest>=8", "pytest-xdist>=3.5", "ruff>=0.17,<0.18"],
    },
)
