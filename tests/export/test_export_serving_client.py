"""The serving clients against stand-ins for TF Serving that run the exported signatures.

No TF Serving binary can run here. The stand-ins answer the clients' real
HTTP and gRPC requests on localhost the way TF Serving's predict handlers do:
request tensors to arrays (`tf.make_ndarray` / JSON), the loaded signature,
outputs back (`tf.make_tensor_proto` / JSON, one unnamed output bare), graph
errors as HTTP 400 ``{"error": ...}`` or gRPC ``INVALID_ARGUMENT``.
"""

import http.server
import json
import re
import threading
from concurrent import futures

import grpc
import numpy as np
import pytest
import tensorflow as tf
from google.protobuf import text_format
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc
from tensorflow_serving.config import model_server_config_pb2
from test_case import tiny_model

from export import serving_client
from pixel_zoo import export_lib

MODEL_NAME = "tiny"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A tiny 3-level PixelCNN and its export loaded back."""
    model = tiny_model("pixelcnn", (4, 4, 1), num_levels=3)
    path = export_lib.export_model(model, tmp_path_factory.mktemp("serving"), MODEL_NAME, 2)
    return model, tf.saved_model.load(path)


def _run_signature(served, signature_name, arrays):
    signature = served.signatures[signature_name]
    specs = signature.structured_input_signature[1]
    inputs = {name: tf.constant(value, specs[name].dtype) for name, value in arrays.items()}
    return {name: value.numpy() for name, value in signature(**inputs).items()}


class _RestHandler(http.server.BaseHTTPRequestHandler):
    served = None

    def do_POST(self):
        match = re.fullmatch(rf"/v1/models/{MODEL_NAME}(/versions/2)?:predict", self.path)
        if not match:
            return self._reply(404, {"error": f"no model at {self.path}"})
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        try:
            outputs = _run_signature(self.served, body["signature_name"], body["inputs"])
        except tf.errors.InvalidArgumentError as error:
            return self._reply(400, {"error": error.message})
        outputs = {name: value.tolist() for name, value in outputs.items()}
        (single,) = outputs.values() if len(outputs) == 1 else (outputs,)
        self._reply(200, {"outputs": single})

    def _reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class _PredictionService(prediction_service_pb2_grpc.PredictionServiceServicer):
    def __init__(self, served):
        self.served = served

    def Predict(self, request, context):
        assert request.model_spec.name == MODEL_NAME
        arrays = {name: tf.make_ndarray(proto) for name, proto in request.inputs.items()}
        try:
            outputs = _run_signature(self.served, request.model_spec.signature_name, arrays)
        except tf.errors.InvalidArgumentError as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, error.message)
        response = predict_pb2.PredictResponse()
        for name, value in outputs.items():
            response.outputs[name].CopyFrom(tf.make_tensor_proto(value))
        return response


@pytest.fixture(scope="module")
def rest_client(exported):
    handler = type("Handler", (_RestHandler,), {"served": exported[1]})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield serving_client.RestClient(MODEL_NAME, f"http://127.0.0.1:{server.server_port}/")
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def grpc_client(exported):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(
        _PredictionService(exported[1]), server
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    client = serving_client.GrpcClient(MODEL_NAME, f"127.0.0.1:{port}", version=2)
    yield client
    client.close()
    server.stop(None)


@pytest.fixture(params=["rest", "grpc"])
def client(request):
    return request.getfixturevalue(f"{request.param}_client")


def _images(num=3):
    return np.random.default_rng(0).integers(0, 3, (num, 4, 4, 1)).astype(np.uint8)


def test_log_prob_round_trip(client, exported):
    model, _ = exported
    outputs = client.log_prob(_images())
    assert outputs["log_prob"].dtype == np.float32 and outputs["log_prob"].shape == (3,)
    np.testing.assert_allclose(outputs["log_prob"], model.log_prob(_images()), rtol=1e-5)
    np.testing.assert_allclose(
        outputs["bits_per_dim"], -outputs["log_prob"] / (16 * np.log(2.0)), rtol=1e-5
    )
    default = client.predict("serving_default", images=_images())
    np.testing.assert_array_equal(default["log_prob"], outputs["log_prob"])


def test_sample_and_complete_round_trip(client, exported):
    model, _ = exported
    sampled = client.sample(4, seed=(1, 2), temperature=0.7)["images"]
    assert sampled.dtype == np.uint8 and sampled.shape == (4, 4, 4, 1)
    np.testing.assert_array_equal(sampled, model.sample(4, seed=(1, 2), temperature=0.7))
    completed = client.complete(_images(), known_rows=2, seed=(3, 4))["images"]
    np.testing.assert_array_equal(completed, model.complete(_images(), known_rows=2, seed=(3, 4)))


def test_graph_errors_come_back_as_serving_errors(client):
    with pytest.raises(serving_client.ServingError, match="num must be <= max_num=1024"):
        client.sample(1025, seed=(1, 2))
    with pytest.raises(serving_client.ServingError, match="known_rows must be >= 0"):
        client.complete(_images(), known_rows=-1, seed=(1, 2))
    with pytest.raises(serving_client.ServingError, match="image values must be < num_levels=3"):
        client.log_prob(_images() + 1)


def test_rest_errors_name_the_http_status(rest_client):
    message = "(?s)HTTP 400: .*temperature must be > 0"
    with pytest.raises(serving_client.ServingError, match=message):
        rest_client.sample(2, seed=(1, 2), temperature=0.0)
    missing = serving_client.RestClient("other", rest_client.url.split("/v1/")[0])
    with pytest.raises(serving_client.ServingError, match="HTTP 404: no model"):
        missing.sample(1, seed=(1, 2))


def test_grpc_errors_name_the_status_code(grpc_client):
    message = "(?s)INVALID_ARGUMENT: .*num must be >= 1"
    with pytest.raises(serving_client.ServingError, match=message):
        grpc_client.sample(0, seed=(1, 2))


def test_rest_url_and_request_body():
    assert serving_client.rest_url("http://h:8501/", "m") == "http://h:8501/v1/models/m:predict"
    assert (
        serving_client.rest_url("http://h:8501", "m", version=4)
        == "http://h:8501/v1/models/m/versions/4:predict"
    )
    body = serving_client.rest_request("sample", {"num": 2, "seed": (1, 2), "temperature": 1})
    assert body == {
        "signature_name": "sample", "inputs": {"num": 2, "seed": [1, 2], "temperature": 1.0}
    }
    json.dumps(body)


def test_rest_response_with_one_unnamed_output_is_named():
    outputs = serving_client.parse_rest_response("sample", {"outputs": [[[[1]]]]})
    assert outputs["images"].dtype == np.uint8 and outputs["images"].shape == (1, 1, 1, 1)
    with pytest.raises(serving_client.ServingError, match="bad"):
        serving_client.parse_rest_response("sample", {"error": "bad"})


def test_grpc_request_carries_model_spec_and_dtypes():
    request = serving_client.grpc_request(
        "m", "complete", {"images": _images(1), "known_rows": 1, "seed": (1, 2)}, version=7
    )
    assert request.model_spec.name == "m" and request.model_spec.version.value == 7
    assert request.model_spec.signature_name == "complete"
    assert {name: tf.make_ndarray(proto).dtype for name, proto in request.inputs.items()} == {
        "images": np.uint8, "known_rows": np.int32, "seed": np.int64
    }
    np.testing.assert_array_equal(tf.make_ndarray(request.inputs["images"]), _images(1))


@pytest.mark.parametrize(
    "signature, inputs, message",
    [
        ("sample", {"num": 2, "seeds": (1, 2)}, "has no input 'seeds'"),
        ("generate", {"num": 2}, "Unknown signature 'generate'"),
        ("log_prob", {"images": np.full((1, 4, 4, 1), 256)}, "images must be integers that fit"),
        ("log_prob", {"images": np.full((1, 4, 4, 1), -1)}, "images must be integers that fit"),
        ("sample", {"num": 2.5}, "num must be integers that fit int32"),
    ],
)
def test_requests_refuse_unknown_names_and_lossy_values(signature, inputs, message):
    for build in (serving_client.rest_request,
                  lambda *args: serving_client.grpc_request("m", *args)):
        with pytest.raises(ValueError, match=re.escape(message)):
            build(signature, inputs)


def test_models_config_serves_every_model_from_its_base_path(tmp_path):
    path = serving_client.write_models_config(
        tmp_path / "config" / "models.config", ["pixelcnn_mnist", "row_lstm_mnist"]
    )
    config = text_format.Parse(
        path.read_text(), model_server_config_pb2.ModelServerConfig()
    )
    assert [
        (model.name, model.base_path, model.model_platform)
        for model in config.model_config_list.config
    ] == [
        ("pixelcnn_mnist", "/models/pixelcnn_mnist", "tensorflow"),
        ("row_lstm_mnist", "/models/row_lstm_mnist", "tensorflow"),
    ]
