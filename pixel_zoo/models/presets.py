"""Named hyper-parameter sets: the papers' models, and small ones that train on a CPU.

A preset gives ``num_layers``, ``hidden_units`` and ``output_units`` (for
pixelcnn_pp: ``num_hierarchies``, ``dropout`` and ``logistic_mixtures`` too); the
image shape and levels still come from the data. Arguments given to
`pz.models.build` next to a preset override it.

| family | ``paper_mnist`` | ``paper_cifar10`` | ``cpu_small`` |
|---|---|---|---|
| diagonal_bilstm | 7 layers, h=16 (PixelRNN table 4: 79.20 nats) | 12 layers, h=128, 1024 output units (3.00 bits/dim) | 2 layers, h=16 |
| row_lstm | 7 layers, h=16 (by analogy; not in the paper) | 12 layers, h=128, 1024 output units (3.07 bits/dim) | 2 layers, h=16 |
| pixelcnn | 7 layers, h=16 (by analogy) | 15 layers, h=128, 1024 output units (3.14 bits/dim) | 4 layers, h=32 |
| gated_pixelcnn | 7 layers, p=16 (by analogy) | 15 layers, p=128, 1024 output units (PixelCNN decoders paper: 3.03 bits/dim with 20 layers, p=384) | 5 layers, p=32 |
| pixelcnn_pp | ``peer_size``: 1 block per resolution, 2 resolutions, 43 filters, 5 logistics, dropout 0.3 (636k parameters on 28x28x1, like the 625k of ``tfd.PixelCNN``'s documented example) | 5 blocks per resolution, 3 resolutions, 160 filters, 10 logistics, dropout 0.5 (PixelCNN++ paper: 2.92 bits/dim) | 1 block, 3 resolutions, 32 filters, 5 logistics, dropout 0.1 |

The paper's CIFAR-10 models train on GPUs for days: use ``paper_cifar10`` with a
GPU and ``cpu_small`` to train on a laptop in about an hour.

Example:
    >>> pz.models.build("diagonal_bilstm", image_shape=(32, 32, 3), num_levels=256,
    ...                 preset="paper_cifar10").count_params()
"""

PRESETS = {
    "diagonal_bilstm": {
        "paper_mnist": {"num_layers": 7, "hidden_units": 16},
        "paper_cifar10": {"num_layers": 12, "hidden_units": 128, "output_units": 1024},
        "cpu_small": {"num_layers": 2, "hidden_units": 16},
    },
    "row_lstm": {
        "paper_mnist": {"num_layers": 7, "hidden_units": 16},
        "paper_cifar10": {"num_layers": 12, "hidden_units": 128, "output_units": 1024},
        "cpu_small": {"num_layers": 2, "hidden_units": 16},
    },
    "pixelcnn": {
        "paper_mnist": {"num_layers": 7, "hidden_units": 16},
        "paper_cifar10": {"num_layers": 15, "hidden_units": 128, "output_units": 1024},
        "cpu_small": {"num_layers": 4, "hidden_units": 32},
    },
    "gated_pixelcnn": {
        "paper_mnist": {"num_layers": 7, "hidden_units": 16},
        "paper_cifar10": {"num_layers": 15, "hidden_units": 128, "output_units": 1024},
        "cpu_small": {"num_layers": 5, "hidden_units": 32},
    },
    "pixelcnn_pp": {
        "peer_size": {"num_layers": 1, "hidden_units": 43, "num_hierarchies": 2,
                      "logistic_mixtures": 5, "dropout": 0.3},
        "paper_cifar10": {"num_layers": 5, "hidden_units": 160, "num_hierarchies": 3,
                          "logistic_mixtures": 10, "dropout": 0.5},
        "cpu_small": {"num_layers": 1, "hidden_units": 32, "num_hierarchies": 3,
                      "logistic_mixtures": 5, "dropout": 0.1},
    },
}


def preset_names(model_name):
    """The presets of a model family."""
    return sorted(PRESETS.get(model_name, {}))


def hyperparameters(model_name, preset):
    """The hyper-parameters of ``preset`` for ``model_name`` (a copy)."""
    if preset not in PRESETS.get(model_name, {}):
        raise ValueError(
            f"Unknown preset {preset!r} for {model_name}; choose one of {preset_names(model_name)}."
        )
    return dict(PRESETS[model_name][preset])
