"""Exports a pixel_zoo model as a TF Serving SavedModel with likelihood and sampling signatures.

`export_model` writes ``EXPORT_DIR/MODEL_NAME/VERSION/`` (a TF Serving model base
path holding one version) through `keras.export.ExportArchive`, one
`tf.function` per signature, outputs as dicts of named tensors:

- ``serving_default`` and ``log_prob``: ``images`` uint8 ``[B, H, W, C]`` ->
  ``log_prob`` float32 ``[B]`` (nats), ``bits_per_dim`` float32 ``[B]``.
- ``sample``: ``num`` int32 scalar, ``seed`` int64 ``[2]``, ``temperature``
  float32 scalar (default 1) -> ``images`` uint8 ``[num, H, W, C]``.
- ``complete``: ``images`` uint8 ``[B, H, W, C]``, ``known_rows`` int32 scalar,
  ``seed``, ``temperature`` (default 1) -> ``images`` uint8 ``[B, H, W, C]``,
  rows ``known_rows`` and below sampled given the rows above.
- ``complete_masked``: ``images``, ``mask`` bool ``[B, H, W]`` (True: known),
  ``seed``, ``temperature`` (default 1) -> ``images``, the unknown pixels
  sampled in raster order (see `AutoregressiveImageModel.complete`).

`export_detector` writes an OOD detector (`pixel_zoo.ood.LikelihoodRatio`: a model and
its background model) the same way, with one signature, ``ood_score``: ``images`` ->
``score`` (higher = more likely out of distribution), ``log_prob``,
``background_log_prob``, ``bits_per_dim``.

A class-conditional model's signatures also take ``labels`` int32 ``[B]`` (one
per image; for ``sample``, ``num`` of them), checked to be in ``[0, num_classes)``.

``temperature`` has a default: the SavedModel feeds it through a
``PlaceholderWithDefault`` and lists it in the SignatureDef's ``defaults``, so
TF Serving and ``saved_model_cli run`` accept requests without it (in Python,
``loaded.sample(num, seed)`` does; ``loaded.signatures["sample"]`` needs it).
The sampling loop runs inside the graph (`AutoregressiveImageModel.fill`),
keyed by ``seed`` only, so a seed gives the same images in every process. The
export needs neither pixel_zoo nor tensorflow-probability to load: traced, the
TFP head is plain TF ops.

Bad requests fail inside the served graph with ``InvalidArgument`` naming the
problem (`tf.debugging` asserts): pixel values outside ``[0, num_levels)``,
images of the wrong height, width or channels, ``known_rows`` outside
``[0, H]``, ``num`` outside ``[1, max_num]``, ``temperature`` not > 0 and finite.

Example:
    >>> model = pz.models.build("pixelcnn", image_shape=(28, 28, 1), num_levels=2,
    ...                         num_layers=2, hidden_units=16)
    >>> export_model(model, "/tmp/serving", "pixelcnn_mnist", version=1)
    '/tmp/serving/pixelcnn_mnist/1'
    >>> served = tf.saved_model.load("/tmp/serving/pixelcnn_mnist/1")
    >>> served.signatures["sample"](num=tf.constant(4), seed=tf.constant([1, 2], tf.int64),
    ...                             temperature=tf.constant(1.0))["images"].shape
    TensorShape([4, 28, 28, 1])
"""

import inspect
import os
import re

import keras
import tensorflow as tf

from pixel_zoo import metrics, sampling, validation

# Images one `sample` request may ask for: the whole batch lives in one graph run.
DEFAULT_MAX_NUM = 1024


def export_model(model, export_dir, model_name, version=1, max_num=DEFAULT_MAX_NUM):
    """Writes ``model``'s serving signatures to ``export_dir/model_name/version``.

    The version is written to a temporary folder beside it and renamed into
    place, so a TF Serving instance watching ``export_dir/model_name`` never
    loads a half-written version.

    Args:
      model: a built `pixel_zoo.models.AutoregressiveImageModel`.
      export_dir: the folder TF Serving reads (``--model_base_path``'s parent).
      model_name: the served model's name: letters, digits, ``_``, ``-``, ``.``.
      version: a non-negative integer; TF Serving serves the highest.
      max_num: the most images one ``sample`` request may ask for.

    Returns:
      The path of the new version folder.

    Raises:
      ValueError: for a bad ``model_name``, ``version`` or ``max_num``.
      FileExistsError: if that version was already exported.
    """
    if isinstance(max_num, bool) or not isinstance(max_num, int) or max_num < 1:
        raise ValueError(f"max_num must be a positive integer, got {max_num!r}.")
    return write_archive([model], serving_functions(model, max_num), export_dir, model_name,
                         version)


def export_detector(detector, export_dir, model_name, version=1):
    """Writes an OOD detector (`pixel_zoo.ood.LikelihoodRatio`) as one SavedModel.

    Both models are inside. One signature, ``ood_score`` (also ``serving_default``):
    ``images`` uint8 ``[B, H, W, C]`` -> ``score`` float32 ``[B]`` (``log p_background -
    log p_model``: higher = more likely out of distribution), ``log_prob`` and
    ``background_log_prob`` (nats) and ``bits_per_dim`` (the model's NLL), each ``[B]``,
    and ``percentile`` (float64, in [0, 1], also higher = more likely out: see
    `pixel_zoo.ood`) where the detector has a reference. Layout, arguments and errors as
    `export_model`.

    Example:
        >>> path = export_detector(pz.ood.LikelihoodRatio.from_zoo("pixelcnn_fashion_mnist"),
        ...                        "/tmp/serving", "fashion_ood")
        >>> tf.saved_model.load(path).ood_score(images)["score"]
    """
    images_spec = tf.TensorSpec((None, *detector.image_shape), tf.uint8, name="images")

    def ood_score(images):
        (images,) = _ensure_shapes([images], [images_spec])
        images, _ = detector.model.check_inputs(images)
        log_probs = detector.log_probs_graph(images)
        outputs = {
            "score": log_probs["background_log_prob"] - log_probs["log_prob"],  # (B,)
            "bits_per_dim": metrics.bits_per_dim(log_probs["log_prob"], detector.image_shape),
            **log_probs,
        }
        if detector.reference is not None:
            outputs["percentile"] = detector.percentile_graph(log_probs)
        return outputs

    functions = {"ood_score": (_positional(ood_score, [images_spec]), [images_spec])}
    return write_archive([detector.model, detector.background], functions, export_dir,
                         model_name, version)


def write_archive(models, functions, export_dir, model_name, version):
    """Writes ``functions`` (``{name: (function, input_signature)}``) of ``models``.

    The first endpoint is also written as ``serving_default``; the SavedModel goes to
    ``export_dir/model_name/version`` as `export_model` describes.
    """
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", model_name) or model_name in (".", ".."):
        raise ValueError(
            f"model_name must be letters, digits, '_', '-' or '.', got {model_name!r}."
        )
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValueError(f"version must be a non-negative integer, got {version!r}.")
    path = os.path.join(export_dir, model_name, str(version))
    if tf.io.gfile.exists(path):
        free = next_free_version(export_dir, model_name)
        raise FileExistsError(
            f"{path} exists: version {version} of {model_name!r} was exported already. "
            f"Export version {free} (--version={free}), the next free one, or delete {path}."
        )

    archive = keras.export.ExportArchive()
    for model in models:
        archive.track(model)
    for name, (function, input_signature) in functions.items():
        archive.add_endpoint(name, function, input_signature)
    partial_path = os.path.join(export_dir, model_name, f"tmp-{version}")
    if tf.io.gfile.exists(partial_path):
        tf.io.gfile.rmtree(partial_path)
    archive.write_out(partial_path, verbose=False)
    tf.io.gfile.rename(partial_path, path)
    return path


def next_free_version(export_dir, model_name):
    """One more than the highest version folder in ``export_dir/model_name`` (1 if none).

    Example:
        >>> next_free_version("/tmp/serving", "pixelcnn_mnist")   # versions 1 and 2 exist
        3
    """
    folder = os.path.join(export_dir, model_name)
    names = tf.io.gfile.listdir(folder) if tf.io.gfile.isdir(folder) else []
    versions = [int(name.rstrip("/")) for name in names if name.rstrip("/").isdigit()]
    return max(versions, default=0) + 1


def serving_functions(model, max_num=DEFAULT_MAX_NUM):
    """The signatures' functions: ``{name: (function, input_signature)}``, ``log_prob`` first.

    Each function takes the signature's inputs as tensors and returns a dict
    of named output tensors. They are plain Python functions; the caller
    wraps them in `tf.function` (`ExportArchive.add_endpoint` does).

    Example:
        >>> function, input_signature = serving_functions(model)["log_prob"]
        >>> tf.function(function, input_signature=input_signature)(images)["bits_per_dim"]
    """
    height, width, channels = model.image_shape
    conditional = model.num_classes is not None
    images_spec = tf.TensorSpec((None, height, width, channels), tf.uint8, name="images")
    seed_spec = tf.TensorSpec((2,), tf.int64, name="seed")
    temperature_spec = tf.TensorSpec((), tf.float32, name="temperature")
    # A conditional model's functions take `labels` [B] last but one, before `temperature`.
    label_specs = [tf.TensorSpec((None,), tf.int32, name="labels")] if conditional else []
    log_prob_specs = [images_spec, *label_specs]
    sample_specs = [tf.TensorSpec((), tf.int32, name="num"), seed_spec, *label_specs,
                    temperature_spec]
    complete_specs = [images_spec, tf.TensorSpec((), tf.int32, name="known_rows"), seed_spec,
                      *label_specs, temperature_spec]
    complete_masked_specs = [images_spec, tf.TensorSpec((None, height, width), tf.bool,
                                                        name="mask"), seed_spec, *label_specs,
                             temperature_spec]

    def log_prob(images, labels=None):
        images, labels = model.check_inputs(*_ensure_shapes(
            [images, labels], [images_spec, *label_specs]))
        log_prob = model.log_prob(images, labels)
        return {
            "log_prob": log_prob,
            "bits_per_dim": metrics.bits_per_dim(log_prob, model.image_shape),
        }

    def fill(images, known, seed, temperature, labels, checks=()):
        images, labels = model.check_inputs(images, labels)
        seed, temperature = _ensure_shapes([seed, temperature], [seed_spec, temperature_spec])
        temperature = validation.check_temperature(temperature)
        with tf.control_dependencies(checks):
            known = tf.identity(known)
        return {"images": model.fill(images, known, seed, temperature, labels)}

    def sample(num, seed, temperature, labels=None):
        (num,) = _ensure_shapes([num], sample_specs[:1])
        checks = [
            tf.debugging.assert_greater_equal(num, 1, message="num must be >= 1"),
            tf.debugging.assert_less_equal(
                num, max_num, message=f"num must be <= max_num={max_num}"
            ),
        ]
        with tf.control_dependencies(checks):
            blank = tf.zeros(tf.stack([num, height, width, channels]), tf.uint8)
        return fill(blank, tf.zeros_like(blank, tf.int32), seed, temperature, labels)

    def complete(images, known_rows, seed, temperature, labels=None):
        images, known_rows = _ensure_shapes([images, known_rows], complete_specs[:2])
        checks = [
            tf.debugging.assert_greater_equal(known_rows, 0, message="known_rows must be >= 0"),
            tf.debugging.assert_less_equal(
                known_rows, height, message=f"known_rows must be <= the height {height}"
            ),
        ]
        known = sampling.known_before(images, known_rows * width * channels)
        return fill(images, known, seed, temperature, labels, checks)

    def complete_masked(images, mask, seed, temperature, labels=None):
        images, mask = _ensure_shapes([images, mask], complete_masked_specs[:2])
        check = tf.debugging.assert_equal(
            tf.shape(mask)[0], tf.shape(images)[0],
            message="mask must have one [H, W] plane per image")
        with tf.control_dependencies([check]):
            known = validation.check_mask(mask, images)
        return fill(images, known, seed, temperature, labels)

    functions = {
        "log_prob": (log_prob, log_prob_specs),
        "sample": (sample, sample_specs),
        "complete": (complete, complete_specs),
        "complete_masked": (complete_masked, complete_masked_specs),
    }
    return {name: (_positional(body, specs), specs) for name, (body, specs) in functions.items()}


def _ensure_shapes(tensors, specs):
    """``tensors``, each checked at run time to have its spec's shape.

    The signature's static shapes are not enforced when TF Serving feeds the
    graph, and a wrong image size could get past the convolutions.
    """
    return [tf.ensure_shape(tensor, spec.shape) for tensor, spec in zip(tensors, specs)]


def _positional(body, specs):
    """``body`` as a function of one parameter per spec, named after it, in the specs' order.

    A trailing ``temperature`` gets the default 1, which the SavedModel keeps as a
    signature default. (The specs' order is the signature's; ``body`` takes them by name.)
    """
    parameters = [
        inspect.Parameter(spec.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, **(
            {"default": tf.constant(1.0)} if spec.name == "temperature" else {}))
        for spec in specs
    ]
    signature = inspect.Signature(parameters)

    def function(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return body(**bound.arguments)

    function.__signature__ = signature
    function.__name__ = body.__name__
    return function

