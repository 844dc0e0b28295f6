"""The exported SavedModel: TF Serving layout, signatures, Keras-equal numbers, graph checks."""

import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2
from tensorflow.python.client import pywrap_tf_session
from test_case import MODEL_NAMES, tiny_model

from export import serving_client
from pixel_zoo import export_lib

IMAGE_SHAPE = (4, 4, 1)
MAX_NUM = 8
SAVED_MODEL_CLI = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A tiny binary PixelCNN and the path of its export."""
    model = tiny_model("pixelcnn", IMAGE_SHAPE, num_levels=2)
    base = tmp_path_factory.mktemp("serving")
    return model, export_lib.export_model(model, base, "tiny", version=3, max_num=MAX_NUM)


@pytest.fixture(scope="module")
def served(exported):
    return tf.saved_model.load(exported[1])


def _images(num, num_levels=2, shape=IMAGE_SHAPE, seed=0):
    return np.random.default_rng(seed).integers(0, num_levels, (num, *shape)).astype(np.uint8)


def _saved_model_cli(*args):
    return subprocess.run(
        [SAVED_MODEL_CLI, *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_export_writes_one_tf_serving_version(exported, tmp_path):
    model, path = exported
    base = os.path.dirname(path)
    assert path == os.path.join(base, "3") and os.path.basename(base) == "tiny"
    assert sorted(os.listdir(base)) == ["3"], "no temporary folder is left behind"
    assert os.path.isfile(os.path.join(path, "saved_model.pb"))
    assert os.path.isdir(os.path.join(path, "variables"))
    with pytest.raises(FileExistsError, match=r"version 3 of 'tiny' was exported already\. "
                                              r"Export version 4 \(--version=4\)"):
        export_lib.export_model(model, os.path.dirname(base), "tiny", version=3)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"model_name": "a/b"}, "model_name must be"),
        ({"version": -1}, "version must be a non-negative integer"),
        ({"version": "1"}, "version must be a non-negative integer"),
        ({"max_num": 0}, "max_num must be a positive integer"),
    ],
)
def test_export_refuses_bad_arguments(exported, tmp_path, arguments, message):
    arguments = {"model_name": "tiny", **arguments}
    with pytest.raises(ValueError, match=message):
        export_lib.export_model(exported[0], tmp_path, **arguments)


def test_class_conditional_signatures_take_labels(tmp_path):
    model = tiny_model("gated_pixelcnn", IMAGE_SHAPE, num_levels=2, num_classes=3)
    served = tf.saved_model.load(export_lib.export_model(model, tmp_path, "conditional"))
    labels = tf.constant([0, 2, 1], tf.int32)
    seed = tf.constant([5, 6], tf.int64)
    images = served.sample(num=tf.constant(3), seed=seed, labels=labels)["images"]
    np.testing.assert_array_equal(images, model.sample(3, seed=(5, 6), labels=labels))
    np.testing.assert_allclose(
        served.log_prob(images=images, labels=labels)["log_prob"],
        model.log_prob(images, labels=labels), atol=1e-5,
    )
    assert not np.allclose(served.log_prob(images=images, labels=labels)["log_prob"],
                           served.log_prob(images=images, labels=labels[::-1])["log_prob"])
    with pytest.raises(tf.errors.InvalidArgumentError, match="labels must be < num_classes"):
        served.log_prob(images=images, labels=tf.constant([0, 1, 3], tf.int32))


def test_masked_completion_signature(exported, served):
    model = exported[0]
    images = np.asarray(model.sample(2, seed=(1, 1)))
    mask = np.ones((2, *IMAGE_SHAPE[:2]), bool)
    mask[:, 1:3, 1:3] = False
    completed = served.signatures["complete_masked"](
        images=tf.constant(images), mask=tf.constant(mask), seed=tf.constant([2, 3], tf.int64),
        temperature=tf.constant(1.0))["images"]
    np.testing.assert_array_equal(completed, model.complete(images, mask=mask, seed=(2, 3)))
    np.testing.assert_array_equal(np.asarray(completed)[mask], images[mask])
    with pytest.raises(tf.errors.InvalidArgumentError, match="one \\[H, W\\] plane per image"):
        served.signatures["complete_masked"](
            images=tf.constant(images), mask=tf.constant(mask[:1]),
            seed=tf.constant([2, 3], tf.int64), temperature=tf.constant(1.0))


def _shown_signatures(text):
    """``{signature: {"inputs"|"outputs": {name: (dtype, shape)}}}`` from ``show --all``."""
    signatures = {}
    for block in text.split("signature_def['")[1:]:
        name, _, body = block.partition("']")
        inputs, _, outputs = body.partition("contains the following output(s)")
        signatures[name] = {
            key: {
                tensor: (dtype, shape)
                for tensor, dtype, shape in re.findall(
                    r"\w+\['(\w+)'\] tensor_info:\s+dtype: (\w+)\s+shape: (\(.*?\)|\S+)", part
                )
            }
            for key, part in (("inputs", inputs), ("outputs", outputs))
        }
    return signatures


def test_saved_model_cli_show_lists_the_signatures(exported):
    result = _saved_model_cli("show", "--dir", exported[1], "--all")
    assert result.returncode == 0, result.stderr
    shown = _shown_signatures(result.stdout)
    images = ("DT_UINT8", "(-1, 4, 4, 1)")
    log_prob = {
        "inputs": {"images": images},
        "outputs": {"log_prob": ("DT_FLOAT", "(-1)"), "bits_per_dim": ("DT_FLOAT", "(-1)")},
    }
    seed, temperature = ("DT_INT64", "(2)"), ("DT_FLOAT", "()")
    assert shown["serving_default"] == log_prob
    assert shown["log_prob"] == log_prob
    assert shown["sample"] == {
        "inputs": {"num": ("DT_INT32", "()"), "seed": seed, "temperature": temperature},
        "outputs": {"images": images},
    }
    assert shown["complete"] == {
        "inputs": {
            "images": images, "known_rows": ("DT_INT32", "()"), "seed": seed,
            "temperature": temperature,
        },
        "outputs": {"images": images},
    }
    # The client's table of signatures is the same contract.
    for name, signature in serving_client.SIGNATURES.items():
        for key in ("inputs", "outputs"):
            assert {
                tensor: f"DT_{tf.as_dtype(dtype).name.upper()}".replace("FLOAT32", "FLOAT")
                for tensor, dtype in signature[key].items()
            } == {tensor: dtype for tensor, (dtype, _) in shown[name][key].items()}


def test_temperature_defaults_to_one_in_the_signature_defs(exported):
    saved_model = saved_model_pb2.SavedModel()
    with open(os.path.join(exported[1], "saved_model.pb"), "rb") as file:
        saved_model.ParseFromString(file.read())
    signature_defs = saved_model.meta_graphs[0].signature_def
    for name in ("sample", "complete"):
        defaults = signature_defs[name].defaults
        assert list(defaults) == ["temperature"]
        assert tf.make_ndarray(defaults["temperature"]) == 1.0


def test_saved_model_cli_runs_every_signature(exported, tmp_path):
    model, path = exported
    images = _images(5)
    np.save(tmp_path / "images.npy", images)
    runs = {
        "serving_default": ["--inputs", f"images={tmp_path / 'images.npy'}"],
        "log_prob": ["--inputs", f"images={tmp_path / 'images.npy'}"],
        # `complete` feeds a temperature; `sample` leaves it to the signature's default.
        "sample": ["--input_exprs", "num=3;seed=[1,2]"],
        "complete": [
            "--inputs", f"images={tmp_path / 'images.npy'}",
            "--input_exprs", "known_rows=2;seed=[3,4];temperature=0.5",
        ],
    }
    for signature, arguments in runs.items():
        result = _saved_model_cli(
            "run", "--dir", path, "--tag_set", "serve", "--signature_def", signature,
            "--outdir", str(tmp_path / signature), *arguments,
        )
        assert result.returncode == 0, result.stderr[-2000:]

    expected_log_prob = np.asarray(model.log_prob(images))
    for run in ("serving_default", "log_prob"):
        np.testing.assert_allclose(
            np.load(tmp_path / run / "log_prob.npy"), expected_log_prob, rtol=1e-5, atol=1e-5
        )
        np.testing.assert_allclose(
            np.load(tmp_path / run / "bits_per_dim.npy"),
            -expected_log_prob / (16 * np.log(2.0)), rtol=1e-5,
        )
    np.testing.assert_array_equal(
        np.load(tmp_path / "sample" / "images.npy"), model.sample(3, seed=(1, 2))
    )
    completed = np.load(tmp_path / "complete" / "images.npy")
    np.testing.assert_array_equal(
        completed, model.complete(images, known_rows=2, seed=(3, 4), temperature=0.5)
    )
    np.testing.assert_array_equal(completed[:, :2], images[:, :2])


def test_saved_model_cli_run_reports_a_graph_check(exported):
    result = _saved_model_cli(
        "run", "--dir", exported[1], "--tag_set", "serve", "--signature_def", "sample",
        "--input_exprs", f"num={MAX_NUM + 1};seed=[1,2]",
    )
    assert result.returncode != 0
    assert "InvalidArgumentError" in result.stderr
    assert f"num must be <= max_num={MAX_NUM}" in result.stderr


# Runs in a fresh interpreter where importing pixel_zoo or TFP raises.
_WITHOUT_PIXEL_ZOO = textwrap.dedent(
    """
    import importlib.abc, sys

    class _Blocked(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in ("pixel_zoo", "tensorflow_probability"):
                raise ModuleNotFoundError(f"{name} is blocked here", name=name)

    sys.meta_path.insert(0, _Blocked())
    for blocked in ("pixel_zoo", "tensorflow_probability"):
        try:
            __import__(blocked)
            raise SystemExit(f"{blocked} is importable")
        except ModuleNotFoundError:
            pass

    import numpy as np
    import tensorflow as tf

    export_path, images_path, out_path = sys.argv[1:]
    served = tf.saved_model.load(export_path)
    images = tf.constant(np.load(images_path))
    seed = tf.constant([5, 6], tf.int64)
    sample = served.signatures["sample"]
    outputs = dict(
        log_prob=served.signatures["log_prob"](images=images)["log_prob"],
        first=sample(num=tf.constant(4), seed=seed, temperature=tf.constant(1.0))["images"],
        second=sample(num=tf.constant(4), seed=seed, temperature=tf.constant(1.0))["images"],
        default_temperature=served.sample(tf.constant(4), seed)["images"],
    )
    np.savez(out_path, **{name: value.numpy() for name, value in outputs.items()})
    assert not {"pixel_zoo", "tensorflow_probability"} & set(sys.modules)
    """
)


def test_export_runs_where_pixel_zoo_and_tfp_cannot_be_imported(exported, tmp_path):
    model, path = exported
    images = _images(6, seed=1)
    np.save(tmp_path / "images.npy", images)
    script = tmp_path / "serve_without_pixel_zoo.py"
    script.write_text(_WITHOUT_PIXEL_ZOO)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, str(script), path, str(tmp_path / "images.npy"),
         str(tmp_path / "out.npz")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = np.load(tmp_path / "out.npz")
    np.testing.assert_allclose(out["log_prob"], model.log_prob(images), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(out["first"], out["second"])
    np.testing.assert_array_equal(out["first"], out["default_temperature"])
    np.testing.assert_array_equal(out["first"], model.sample(4, seed=(5, 6)))


def _call(served, signature, **inputs):
    return served.signatures[signature](
        **{name: tf.constant(value, dtype) for name, (value, dtype) in inputs.items()}
    )


_SEED = ([1, 2], tf.int64)
_TEMPERATURE = (1.0, tf.float32)


@pytest.mark.parametrize(
    "signature, inputs, message",
    [
        ("log_prob", {"images": (_images(2, num_levels=3), tf.uint8)},
         "image values must be < num_levels=2"),
        ("sample", {"num": (0, tf.int32), "seed": _SEED, "temperature": _TEMPERATURE},
         "num must be >= 1"),
        ("sample", {"num": (-4, tf.int32), "seed": _SEED, "temperature": _TEMPERATURE},
         "num must be >= 1"),
        ("sample", {"num": (MAX_NUM + 1, tf.int32), "seed": _SEED, "temperature": _TEMPERATURE},
         f"num must be <= max_num={MAX_NUM}"),
        ("sample", {"num": (2, tf.int32), "seed": _SEED, "temperature": (0.0, tf.float32)},
         "temperature must be > 0"),
        ("sample", {"num": (2, tf.int32), "seed": _SEED,
                    "temperature": (float("inf"), tf.float32)},
         "temperature must be > 0 and finite"),
        ("complete", {"images": (_images(2), tf.uint8), "known_rows": (-1, tf.int32),
                      "seed": _SEED, "temperature": _TEMPERATURE},
         "known_rows must be >= 0"),
        ("complete", {"images": (_images(2), tf.uint8), "known_rows": (5, tf.int32),
                      "seed": _SEED, "temperature": _TEMPERATURE},
         "known_rows must be <= the height 4"),
        ("complete", {"images": (_images(2, num_levels=5), tf.uint8),
                      "known_rows": (1, tf.int32), "seed": _SEED, "temperature": _TEMPERATURE},
         "image values must be < num_levels=2"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_bad_requests_fail_inside_the_graph(served, signature, inputs, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(message)):
        _call(served, signature, **inputs)


def test_wrong_shapes_and_dtypes_fail_in_the_session_tf_serving_runs(exported):
    """TF Serving feeds a C++ session without checking the signature's static shapes.

    Python's `Session.run` checks them itself, so this feeds through the C
    API as TF Serving would, to show the graph's own checks catch them.
    """
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as session:
        meta_graph = tf.compat.v1.saved_model.load(session, ["serve"], exported[1])
        signature = meta_graph.signature_def["log_prob"]
        images = graph.get_tensor_by_name(signature.inputs["images"].name)
        log_prob = graph.get_tensor_by_name(signature.outputs["log_prob"].name)

        def run(value):
            return pywrap_tf_session.TF_SessionRun_wrapper(
                session._session, None, {images._as_tf_output(): value},
                [log_prob._as_tf_output()], [], None,
            )[0]

        assert run(_images(2)).shape == (2,)
        for shape in [(1, 8, 8, 1), (1, 4, 8, 1), (4, 4, 1), (1, 1, 4, 4, 1)]:
            with pytest.raises(
                tf.errors.InvalidArgumentError,
                match=re.escape("is not compatible with expected shape [?,4,4,1]"),
            ):
                run(np.zeros(shape, np.uint8))
        with pytest.raises(tf.errors.InvalidArgumentError, match="to be uint8 but float"):
            run(np.zeros((1, 4, 4, 1), np.float32))


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_family_exports_colour_images_with_the_same_numbers(name, tmp_path):
    model = tiny_model(name, (3, 4, 3), num_levels=4)
    served = tf.saved_model.load(export_lib.export_model(model, tmp_path, name))
    images = _images(3, num_levels=4, shape=(3, 4, 3))
    outputs = _call(served, "log_prob", images=(images, tf.uint8))
    np.testing.assert_allclose(outputs["log_prob"], model.log_prob(images), rtol=1e-5, atol=1e-5)
    # Only `complete` is run (each exported signature compiles its own sampler, which
    # takes a pixelcnn_pp tens of seconds); with no known rows it draws what `sample`
    # draws, whose signature the binary model's tests run. As many images as `sample`
    # gets here, so the model's own XLA-compiled sampler is built once.
    def served_completion(known_rows):
        return _call(served, "complete", images=(images, tf.uint8),
                     known_rows=(known_rows, tf.int32), seed=_SEED,
                     temperature=(0.8, tf.float32))["images"]

    np.testing.assert_array_equal(
        served_completion(0), model.sample(3, seed=(1, 2), temperature=0.8)
    )
    completed = served_completion(1)
    np.testing.assert_array_equal(
        completed, model.complete(images, known_rows=1, seed=(1, 2), temperature=0.8)
    )
    np.testing.assert_array_equal(completed[:, :1], images[:, :1])
