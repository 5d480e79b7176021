"""A real Open Inference Protocol (KServe V2) client against the prediction server: NVIDIA's
tritonclient HTTP client, as Triton users call it. Reads {"url", "token", "model", "rows"} as JSON
on stdin and prints what each call answered as one JSON document (the test checks it)."""
import json
import sys

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

request = json.load(sys.stdin)
headers = {"Authorization": f"Bearer {request['token']}"}
client = httpclient.InferenceServerClient(url=request["url"].removeprefix("http://"))
model = request["model"]
rows = request["rows"]
report = {
    "live": client.is_server_live(),
    "ready": client.is_server_ready(),
    "server": client.get_server_metadata(),
    "modelReady": client.is_model_ready(model, headers=headers),
    "metadata": client.get_model_metadata(model, headers=headers),
}

NUMPY = {"FP64": np.float64, "FP32": np.float32, "INT64": np.int64, "BOOL": np.bool_, "BYTES": np.object_}


def tensors(metadata, rows, datatypes=None):
    """One [N] tensor per model input, in the datatype the metadata gives (or the one asked for)."""
    inputs = []
    for described in metadata["inputs"]:
        name = described["name"]
        datatype = (datatypes or {}).get(name, described["datatype"])
        column = [row[name] for row in rows]
        values = np.array([str(value) for value in column] if datatype == "BYTES" else column, dtype=NUMPY[datatype])
        tensor = httpclient.InferInput(name, list(values.shape), datatype)
        tensor.set_data_from_numpy(values, binary_data=False)
        inputs.append(tensor)
    return inputs


def text(values):
    """A BYTES tensor's elements as text (bytes from binary data, str from JSON)."""
    return [value.decode() if isinstance(value, bytes) else value for value in values.tolist()]


def answer(result):
    return {
        "response": result.get_response(),
        "predictions": text(result.as_numpy("predictions")),
        "probabilities": result.as_numpy("probabilities").tolist(),
    }


metadata = report["metadata"]
outputs = [httpclient.InferRequestedOutput(name, binary_data=False) for name in ("predictions", "probabilities")]
# The client's defaults ask for binary outputs (binary_data_output): the server answers JSON tensors.
report["default"] = answer(client.infer(model, tensors(metadata, rows), headers=headers, request_id="r-1"))
report["chosen"] = answer(
    client.infer(model, tensors(metadata, rows, {"Body Mass (g)": "FP32"}), outputs=outputs, headers=headers)
)
report["pinned"] = answer(
    client.infer(model, tensors(metadata, rows), model_version="1", headers=headers, outputs=outputs)
)
report["ids"] = text(
    client.infer(
        model,
        tensors(metadata, rows),
        outputs=[httpclient.InferRequestedOutput("prediction_ids", binary_data=False)],
        headers=headers,
    ).as_numpy("prediction_ids")
)
errors = {}
for case, call in {
    "wrongDatatype": lambda: client.infer(model, tensors(metadata, rows, {"Body Mass (g)": "BYTES"}), headers=headers),
    "unknownVersion": lambda: client.infer(model, tensors(metadata, rows), model_version="99", headers=headers),
    "noToken": lambda: client.get_model_metadata(model),
}.items():
    try:
        call()
        errors[case] = None
    except InferenceServerException as error:
        errors[case] = {"status": error.status(), "message": error.message()}
report["errors"] = errors
print(json.dumps(report))
