"""A zoo entry: what a pretrained model is, where its weights are, what it measured."""

import dataclasses
import json
import pathlib

PACKAGE_DIR = pathlib.Path(__file__).parent
CARDS_DIR = PACKAGE_DIR / "cards"
WEIGHTS_DIR = PACKAGE_DIR / "weights"


@dataclasses.dataclass(frozen=True)
class ZooEntry:
    """One pretrained model: architecture, weights file and sha256, data, measured metrics.

    Args:
      name: the zoo name, ``<model>_<data>`` (e.g. "pixelcnn_binarized_mnist").
      model: the family, a `pz.models.build` name.
      image_shape: ``(height, width, channels)``.
      num_levels: values per channel.
      hyperparameters: the other `pz.models.build` arguments.
      weights: a ``.weights.h5`` file; relative paths are inside the package's
        ``zoo/weights`` folder.
      sha256: hex digest of the weights file, checked before loading.
      dataset: the data it was trained on, as the trainers name it.
      metrics: measured figures, e.g. ``{"valid_nats": 85.1}``.
      training: how it was trained: command, steps, compute in words ("time"), and
        "history", the invocations that trained the weights (`pixel_zoo.provenance.segments`).
      description: one paragraph for the model card.
      samples_image: a PNG grid of samples next to the card, if any.
      completions_image: a PNG grid of completions next to the card, if any: per
        row, a validation image with its bottom half removed, completions of it,
        and the image itself.
      background: for an out-of-distribution detector (`pixel_zoo.ood`), the zoo
        name of the background model whose likelihood it divides by, else "".
      ood: the detector's measured AUROCs: ``{"in": DATA, "command": ..., "auroc":
        {OUT_DATA: {score: AUROC}}, "plot": PNG next to the card, "reference": {"data":
        DATA, "num_images": N, "quantiles": {score: the quantiles the percentile score
        ranks against}}, "weights_sha256": {entry: the sha256 of the weights measured,
        for this entry and its background}}`` (`pixel_zoo.ood.LikelihoodRatio`).

    Example:
        >>> entry = ZooEntry(name="mine", model="pixelcnn", image_shape=(28, 28, 1),
        ...                  num_levels=2, hyperparameters={"num_layers": 4},
        ...                  weights="/models/mine.weights.h5", sha256="...")
        >>> pz.zoo.register(entry)
    """

    name: str
    model: str
    image_shape: tuple
    num_levels: int
    weights: str
    sha256: str
    hyperparameters: dict = dataclasses.field(default_factory=dict)
    dataset: str = ""
    metrics: dict = dataclasses.field(default_factory=dict)
    training: dict = dataclasses.field(default_factory=dict)
    description: str = ""
    samples_image: str = ""
    completions_image: str = ""
    background: str = ""
    ood: dict = dataclasses.field(default_factory=dict)

    @property
    def weights_path(self):
        """Absolute path of the weights file."""
        return WEIGHTS_DIR / self.weights

    @classmethod
    def from_json(cls, path):
        """Reads an entry written by `to_json`."""
        fields = json.loads(pathlib.Path(path).read_text())
        fields["image_shape"] = tuple(fields["image_shape"])
        return cls(**fields)

    def to_json(self, path):
        """Writes the entry as a JSON model card."""
        pathlib.Path(path).write_text(json.dumps(dataclasses.asdict(self), indent=2) + "\n")

    def card(self):
        """The model card as Markdown text."""
        lines = [
            f"# {self.name}",
            "",
            self.description,
            "",
            f"- architecture: `{self.model}` {self.hyperparameters}",
            f"- image: {'x'.join(map(str, self.image_shape))}, {self.num_levels} levels",
            f"- data: {self.dataset}",
        ]
        lines += [f"- {key}: {value}" for key, value in self.metrics.items()]
        lines += [f"- training {key}: {value}" for key, value in self.training.items()
                  if key != "history"]
        for segment in self.training.get("history", []):
            minutes = segment.get("wall_minutes")
            took = f", {minutes:.1f} min" if minutes is not None else ""
            lines.append(f"  - steps {segment['steps_from']}-{segment['steps_to']}{took}: "
                         f"{segment.get('outcome')}; `{segment.get('command')}`")
        if self.background:
            lines.append(f"- OOD detector: likelihood ratio against `{self.background}`")
        if "reference" in self.ood:
            reference = self.ood["reference"]
            lines.append(f"- percentile score: against {reference['num_images']:,} images of "
                         f"{reference['data']}")
        for out, aurocs in self.ood.get("auroc", {}).items():
            figures = ", ".join(f"{score} {value:.4f}" for score, value in aurocs.items())
            lines.append(f"- AUROC, {self.ood['in']} (in) vs {out} (out): {figures}")
        lines.append(f"- weights: {self.weights} (sha256 {self.sha256})")
        return "\n".join(lines) + "\n"
