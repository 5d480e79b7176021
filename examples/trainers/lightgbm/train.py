"""Flight delays with LightGBM, as a command trainer (docs/trainers.md).

Trains a gradient-boosted tree classifier (lightgbm.LGBMClassifier) on numeric features and
exports it with onnxmltools.

How it maps to the contract:
- reads MLOPS_TRAIN_PATH / MLOPS_VALIDATION_PATH (Parquet) with pyarrow: the MLOPS_FEATURES
  columns, which must all be numeric (integers, floats, booleans; a null becomes NaN, which
  LightGBM and the exported trees both treat as missing), and MLOPS_TARGET, trained as its index
  in MLOPS_CLASSES so probability column i is class i;
- params come from MLOPS_PARAMS_PATH (DEFAULT_PARAMS; anything else is an error); MLOPS_SEED
  seeds LightGBM, which runs in its deterministic mode: same data, params and seed, same trees;
- every tenth of the trees, a JSON line with the progress and the validation loss;
- MLOPS_OUTPUT_DIR/model.onnx: one float input `input` [N, len(features)] in MLOPS_FEATURES order,
  outputs `label` (int64 class index) and `probabilities` (float [N, classes]); written under a
  temporary name and renamed. Boosting takes seconds here, so there is no checkpoint.
"""

import json
import math
import os
import sys

import lightgbm
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DEFAULT_PARAMS = {
    "n_estimators": 100,
    "num_leaves": 31,
    "learning_rate": 0.1,
    "max_bin": 255,
    "min_child_samples": 20,
    # Two threads: a worker runs several stages at once, and this keeps one from taking every core.
    "n_jobs": 2,
}
ONNX_OPSET = 15  # the newest onnxmltools 1.16 writes
REPORTS = 10


class TrainerError(Exception):
    """A problem with the inputs: reported as one clear line, without a traceback."""


def report(progress, metrics=None):
    """One JSON object per line on stdout is a heartbeat; NaN is not JSON, so it is left out."""
    line = {"progress": round(float(progress), 4)}
    if metrics:
        line["metrics"] = {k: float(v) for k, v in metrics.items() if math.isfinite(v)}
    print(json.dumps(line), flush=True)


def log(message):
    print(f"train.py: {message}", file=sys.stderr, flush=True)


def required_env(name):
    value = os.environ.get(name)
    if not value:
        raise TrainerError(f"{name} is not set: run this through the platform, or set it (docs/trainers.md)")
    return value


def class_indices(column, classes, path):
    """Each target value's index in MLOPS_CLASSES, computed by Arrow over the whole column. Numbers
    are matched by value, since writers spell them differently (the platform's DuckDB writes 1.0 for
    a double, 1.00 for a decimal); booleans as "true"/"false"."""
    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        keys, known = column.cast(pa.float64()), pa.array([float(c) for c in classes], pa.float64())
    else:
        keys, known = column.cast(pa.string()), pa.array(classes, pa.string())
    indices = pc.index_in(keys, value_set=known)
    if indices.null_count > 0:
        unknown = sorted(str(value) for value in pc.unique(pc.filter(keys, pc.is_null(indices))).to_pylist())
        raise TrainerError(f"{path}: the target holds {unknown}, which MLOPS_CLASSES {classes} lacks")
    return indices.to_numpy()


def is_number(field_type):
    checks = (pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal, pa.types.is_boolean)
    return any(check(field_type) for check in checks)


def read_part(path, features, target, classes):
    """The features as one float32 matrix (NaN for null) in MLOPS_FEATURES order, and class indices."""
    table = pq.read_table(path, columns=[*features, target])
    columns = [pc.fill_null(table.column(name).cast(pa.float64()), math.nan).to_numpy() for name in features]
    # float32 like the ONNX input, so LightGBM's thresholds see the values the model will be given.
    x = np.stack(columns, axis=1).astype(np.float32)
    y = class_indices(table.column(target), classes, path)
    return x, y.astype(np.int64)


def progress_callback(n_estimators):
    every = max(1, n_estimators // REPORTS)

    def callback(env):
        done = env.iteration + 1
        if done % every == 0 or done == n_estimators:
            # evaluation_result_list: (data name, metric name, value, higher is better).
            metrics = {f"{data}_{metric}": value for data, metric, value, *_ in env.evaluation_result_list}
            report(0.9 * done / n_estimators, metrics)  # 1 is for when model.onnx is written

    return callback


def onnx_model(model, n_features):
    from onnxmltools import convert_lightgbm
    from onnxmltools.convert.common.data_types import FloatTensorType

    # zipmap off: probabilities as one float tensor [N, classes] instead of a list of maps.
    inputs = [("input", FloatTensorType([None, n_features]))]
    onnx = convert_lightgbm(model, initial_types=inputs, zipmap=False, target_opset=ONNX_OPSET)
    # onnxmltools declares the label output as [1]; it is [N], and onnxruntime warns on every batch.
    for output in onnx.graph.output:
        dims = output.type.tensor_type.shape.dim
        if len(dims) == 1 and dims[0].dim_value == 1:
            dims[0].dim_param = "N"
    # A fixed graph name and opset order, so the same model gives the same bytes.
    onnx.graph.name = "lightgbm"
    opsets = sorted((opset.domain, opset.version) for opset in onnx.opset_import)
    del onnx.opset_import[:]
    for domain, version in opsets:
        onnx.opset_import.add(domain=domain, version=version)
    return onnx


def write_atomically(model, output_dir):
    # The platform takes model.onnx as final once the command exits 0; never leave half a file there.
    final = os.path.join(output_dir, "model.onnx")
    partial = os.path.join(output_dir, ".model.onnx.partial")
    with open(partial, "wb") as file:
        file.write(model.SerializeToString())
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, final)
    return final


def main():
    task = required_env("MLOPS_TASK")
    if task not in ("binary", "multiclass"):
        raise TrainerError(f"this example trains a classifier; MLOPS_TASK is {task!r}")
    target = required_env("MLOPS_TARGET")
    features = json.loads(required_env("MLOPS_FEATURES"))
    classes = json.loads(required_env("MLOPS_CLASSES"))
    seed = int(os.environ.get("MLOPS_SEED") or 0)
    with open(required_env("MLOPS_PARAMS_PATH")) as file:
        given = json.load(file)
    unknown = sorted(set(given) - set(DEFAULT_PARAMS))
    if unknown:
        raise TrainerError(f"unknown params {unknown}; this trainer takes {sorted(DEFAULT_PARAMS)}")
    params = {**DEFAULT_PARAMS, **given}

    train_path = required_env("MLOPS_TRAIN_PATH")
    schema = pq.read_schema(train_path)
    missing = [name for name in [*features, target] if name not in schema.names]
    if missing:
        raise TrainerError(f"{train_path} has no column {missing} (it has {schema.names})")
    # One float input: a text column would need encoding outside the model, so list numeric ones only.
    others = [
        f"{name} ({schema.field(name).type})" for name in features if not is_number(schema.field(name).type)
    ]
    if others:
        raise TrainerError(
            f"features must be numeric for this trainer, not {others}: set `features:` in the spec"
        )
    log(f"features {features}, classes {classes}, params {params}")

    x_train, y_train = read_part(train_path, features, target, classes)
    # Probability column i is class i only if every class is in the training rows.
    absent = [label for index, label in enumerate(classes) if index not in set(y_train.tolist())]
    if absent:
        raise TrainerError(f"the training part has no row of classes {absent}")
    validation_path = os.environ.get("MLOPS_VALIDATION_PATH")
    validation = {}
    if validation_path and pq.read_metadata(validation_path).num_rows > 0:
        x_valid, y_valid = read_part(validation_path, features, target, classes)
        # The objective's own loss only: LightGBM updates it incrementally, where AUC would sort the
        # validation rows again after every tree. The platform scores the model itself anyway.
        validation = {"eval_X": x_valid, "eval_y": y_valid, "eval_names": ["validation"]}
    report(0.05)

    n_estimators = int(params["n_estimators"])
    model = lightgbm.LGBMClassifier(
        n_estimators=n_estimators,
        num_leaves=int(params["num_leaves"]),
        learning_rate=float(params["learning_rate"]),
        max_bin=int(params["max_bin"]),
        min_child_samples=int(params["min_child_samples"]),
        n_jobs=int(params["n_jobs"]),
        random_state=seed,
        deterministic=True,
        force_row_wise=True,  # deterministic needs a fixed histogram layout
        verbose=-1,
    )
    model.fit(x_train, y_train, callbacks=[progress_callback(n_estimators)], **validation)

    metrics = {}
    if validation:
        for name, values in model.evals_result_["validation"].items():
            metrics[f"validation_{name}"] = values[-1]
    path = write_atomically(onnx_model(model, len(features)), required_env("MLOPS_OUTPUT_DIR"))
    log(f"wrote {path}")
    report(1, metrics)
    return model


if __name__ == "__main__":
    try:
        main()
    except TrainerError as error:
        log(f"error: {error}")
        sys.exit(1)
