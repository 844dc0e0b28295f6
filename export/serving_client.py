"""TF Serving clients for pixel_zoo models (REST and gRPC), and a ``models.config`` writer.

Both clients send numpy arrays (or numbers, or nested lists) and return dicts
of numpy arrays named like the signature's outputs (see `pixel_zoo.export_lib`). The
request builders and response parsers are plain functions, so every step but
the network call runs without a server.

Example:
    >>> client = RestClient("pixelcnn_mnist")                # http://localhost:8501
    >>> images = client.sample(16, seed=(1, 2))["images"]      # uint8 (16, 28, 28, 1)
    >>> client.log_prob(images)["bits_per_dim"]                # float32 (16,)
    >>> GrpcClient("pixelcnn_mnist").complete(images, known_rows=14, seed=(3, 4))
    >>> write_models_config("/tmp/serving/models.config", ["pixelcnn_mnist", "row_lstm_mnist"])
"""

import json
import os
import urllib.error
import urllib.request

import grpc
import numpy as np
import tensorflow as tf
from google.protobuf import text_format
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc
from tensorflow_serving.config import model_server_config_pb2

_LOG_PROB = {
    "inputs": {"images": np.uint8},
    "outputs": {"log_prob": np.float32, "bits_per_dim": np.float32},
}
# The served signatures' inputs and outputs with their dtypes (`pixel_zoo.export_lib` writes them).
SIGNATURES = {
    "serving_default": _LOG_PROB,
    "log_prob": _LOG_PROB,
    "sample": {
        "inputs": {"num": np.int32, "seed": np.int64, "temperature": np.float32},
        "outputs": {"images": np.uint8},
    },
    "complete": {
        "inputs": {
            "images": np.uint8, "known_rows": np.int32, "seed": np.int64,
            "temperature": np.float32,
        },
        "outputs": {"images": np.uint8},
    },
    "complete_masked": {
        "inputs": {
            "images": np.uint8, "mask": np.bool_, "seed": np.int64, "temperature": np.float32,
        },
        "outputs": {"images": np.uint8},
    },
}
# A class-conditional model's signatures also take one label per image.
CONDITIONAL_INPUTS = {"labels": np.int32}

# Sampled batches can pass gRPC's 4 MB default.
_GRPC_OPTIONS = [("grpc.max_receive_message_length", 1 << 30)]


class ServingError(RuntimeError):
    """TF Serving refused a request; the message is the server's (e.g. a failed graph check)."""


class _Client:
    """The signatures as methods, on top of a transport's `predict`."""

    def predict(self, signature_name, **inputs):
        """Runs ``signature_name`` on ``inputs``; returns ``{output name: numpy array}``."""
        raise NotImplementedError

    def _predict(self, signature_name, labels, **inputs):
        """`predict`, with ``labels`` for a class-conditional model (None: unconditional)."""
        if labels is not None:
            inputs["labels"] = labels
        return self.predict(signature_name, **inputs)

    def log_prob(self, images, labels=None):
        """``{"log_prob": [B] nats, "bits_per_dim": [B]}`` of uint8 ``images`` ``[B, H, W, C]``."""
        return self._predict("log_prob", labels, images=images)

    def sample(self, num, seed, temperature=1.0, labels=None):
        """``{"images": uint8 [num, H, W, C]}``; ``seed`` is a pair of ints."""
        return self._predict("sample", labels, num=num, seed=seed, temperature=temperature)

    def complete(self, images, known_rows, seed, temperature=1.0, labels=None):
        """``{"images": ...}``: ``images`` with rows ``known_rows`` and below sampled."""
        return self._predict("complete", labels, images=images, known_rows=known_rows, seed=seed,
                             temperature=temperature)

    def complete_masked(self, images, mask, seed, temperature=1.0, labels=None):
        """``{"images": ...}``: ``images`` with the pixels where bool ``mask`` ``[B, H, W]``
        is False sampled."""
        return self._predict("complete_masked", labels, images=images, mask=mask, seed=seed,
                             temperature=temperature)


class RestClient(_Client):
    """TF Serving's REST API: ``POST /v1/models/NAME[/versions/N]:predict``.

    Args:
      model_name: the served model's name.
      server: ``http://HOST:PORT`` of the server's ``--rest_api_port``.
      version: a version number, or None for the newest.
      timeout: seconds to wait for a reply.

    Example:
        >>> RestClient("pixelcnn_mnist", "http://localhost:8501").sample(4, seed=(1, 2))
    """

    def __init__(self, model_name, server="http://localhost:8501", version=None, timeout=600):
        self.url = rest_url(server, model_name, version)
        self.timeout = timeout

    def predict(self, signature_name, **inputs):
        body = json.dumps(rest_request(signature_name, inputs)).encode()
        request = urllib.request.Request(
            self.url, data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                return parse_rest_response(signature_name, json.load(reply))
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            try:
                message = json.loads(text)["error"]
            except (ValueError, KeyError, TypeError):
                message = text
            raise ServingError(f"HTTP {error.code}: {message}") from None


class GrpcClient(_Client):
    """TF Serving's gRPC ``PredictionService.Predict``.

    Args:
      model_name: the served model's name.
      target: ``HOST:PORT`` of the server's ``--port``.
      version: a version number, or None for the newest.
      timeout: seconds to wait for a reply.

    Example:
        >>> GrpcClient("pixelcnn_mnist", "localhost:8500").log_prob(images)["log_prob"]
    """

    def __init__(self, model_name, target="localhost:8500", version=None, timeout=600):
        self.model_name, self.version, self.timeout = model_name, version, timeout
        self.channel = grpc.insecure_channel(target, options=_GRPC_OPTIONS)
        self.stub = prediction_service_pb2_grpc.PredictionServiceStub(self.channel)

    def predict(self, signature_name, **inputs):
        request = grpc_request(self.model_name, signature_name, inputs, self.version)
        try:
            response = self.stub.Predict(request, timeout=self.timeout)
        except grpc.RpcError as error:
            raise ServingError(f"{error.code().name}: {error.details()}") from None
        return parse_grpc_response(response)

    def close(self):
        self.channel.close()


def rest_url(server, model_name, version=None):
    """The predict URL: ``SERVER/v1/models/NAME[/versions/N]:predict``."""
    version_path = "" if version is None else f"/versions/{int(version)}"
    return f"{server.rstrip('/')}/v1/models/{model_name}{version_path}:predict"


def rest_request(signature_name, inputs):
    """The JSON body (a dict) of a REST predict request, in the columnar ``inputs`` format."""
    arrays = _as_arrays(signature_name, inputs)
    return {
        "signature_name": signature_name,
        "inputs": {name: array.tolist() for name, array in arrays.items()},
    }


def parse_rest_response(signature_name, body):
    """``{output name: numpy array}`` from a REST predict reply's JSON (a dict).

    Raises:
      ServingError: if the reply is an error.
    """
    if "error" in body:
        raise ServingError(body["error"])
    outputs = body["outputs"]
    dtypes = _signature(signature_name)["outputs"]
    if not isinstance(outputs, dict):
        # TF Serving leaves the name out when a signature has one output.
        (name,) = dtypes
        outputs = {name: outputs}
    return {name: np.asarray(value, dtypes[name]) for name, value in outputs.items()}


def grpc_request(model_name, signature_name, inputs, version=None):
    """A `PredictRequest` for ``signature_name`` of ``model_name`` (newest version if None)."""
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model_name
    request.model_spec.signature_name = signature_name
    if version is not None:
        request.model_spec.version.value = int(version)
    for name, array in _as_arrays(signature_name, inputs).items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(array))
    return request


def parse_grpc_response(response):
    """``{output name: numpy array}`` from a `PredictResponse`."""
    return {name: tf.make_ndarray(proto) for name, proto in response.outputs.items()}


def models_config(model_names, base_dir="/models"):
    """A TF Serving ``--model_config_file`` serving each of ``model_names``.

    Each model's base path is ``base_dir/NAME``: the layout `pixel_zoo.export_lib`
    writes, with the export folder mounted at ``base_dir``.

    Example:
        >>> print(models_config(["pixelcnn_mnist"]))
        model_config_list {
          config {
            name: "pixelcnn_mnist"
            base_path: "/models/pixelcnn_mnist"
            model_platform: "tensorflow"
          }
        }
    """
    config = model_server_config_pb2.ModelServerConfig()
    for name in model_names:
        config.model_config_list.config.add(
            name=name, base_path=f"{base_dir.rstrip('/')}/{name}", model_platform="tensorflow"
        )
    return text_format.MessageToString(config)


def write_models_config(path, model_names, base_dir="/models"):
    """Writes `models_config` to ``path``; returns ``path``."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as file:
        file.write(models_config(model_names, base_dir))
    return path


def _signature(signature_name):
    if signature_name not in SIGNATURES:
        raise ValueError(f"Unknown signature {signature_name!r}; choose one of {list(SIGNATURES)}.")
    return SIGNATURES[signature_name]


def _as_arrays(signature_name, inputs):
    """``inputs`` as numpy arrays of the signature's dtypes, refusing lossy conversions.

    An image value of 300 or -1 would wrap around in uint8 and reach the model
    as a valid pixel, so integers must fit their dtype exactly.
    """
    dtypes = {**_signature(signature_name)["inputs"], **CONDITIONAL_INPUTS}
    arrays = {}
    for name, value in inputs.items():
        if name not in dtypes:
            raise ValueError(
                f"Signature {signature_name!r} has no input {name!r}; its inputs are "
                f"{list(dtypes)}."
            )
        value = np.asarray(value)
        if dtypes[name] is np.bool_ and value.dtype != np.bool_:
            raise ValueError(f"{name} must be bool, got {value.dtype.name}.")
        array = value.astype(dtypes[name])
        if np.issubdtype(array.dtype, np.integer) and not np.array_equal(array, value):
            raise ValueError(
                f"{name} must be integers that fit {array.dtype.name}, got {value.dtype.name} "
                f"values in [{value.min()}, {value.max()}]."
            )
        arrays[name] = array
    return arrays
