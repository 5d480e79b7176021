"""Penguin species with a scikit-learn pipeline, as a command trainer (docs/trainers.md).

Trains one-hot encoding for the text features, median imputation and standardization for the
numeric ones, then a logistic regression, and exports the whole pipeline with skl2onnx.

How it maps to the contract:
- reads MLOPS_TRAIN_PATH / MLOPS_VALIDATION_PATH (Parquet) with pyarrow, the columns named by
  MLOPS_FEATURES and MLOPS_TARGET; which features are text is read from the Parquet schema;
- params come from MLOPS_PARAMS_PATH (C, max_iter; anything else is an error, so a typo in the
  spec or in train.search fails loudly instead of being ignored);
- the target is trained as its index in MLOPS_CLASSES, so the probability columns are in exactly
  that order whatever the target's type (the platform sorts numbers numerically, not as text);
- progress goes to stdout as JSON lines, everything else to stderr;
- MLOPS_OUTPUT_DIR/model.onnx: one input per feature named as the column ([N, 1], string for text,
  float for numbers; NaN for a missing number, "" for a missing text), outputs `label` (int64
  class index) and `probabilities` (float [N, classes]); written under a temporary name, renamed.
A single fit has nothing worth checkpointing, so this trainer reports no checkpoint.
"""

import json
import math
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

DEFAULT_PARAMS = {"C": 1.0, "max_iter": 1000}
# A string tensor cannot hold a null, so a missing text is this category in training and serving.
MISSING_TEXT = ""
ONNX_OPSET = 17  # the highest opset the graph may use; skl2onnx writes the lowest that suffices


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
    """Each target value's index in MLOPS_CLASSES. Numbers are matched by value, since writers spell
    them differently (the platform's DuckDB writes 1.0 for a double, 1.00 for a decimal)."""
    kind = column.type
    if pa.types.is_boolean(kind):
        key, index_of = (lambda value: "true" if value else "false"), {c: i for i, c in enumerate(classes)}
    elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        key, index_of = float, {float(c): i for i, c in enumerate(classes)}
    else:
        key, index_of = str, {c: i for i, c in enumerate(classes)}
    keys = [None if value is None else key(value) for value in column.to_pylist()]
    unknown = sorted({str(k) for k in keys if k not in index_of})
    if unknown:
        raise TrainerError(f"{path}: the target holds {unknown}, which MLOPS_CLASSES {classes} lacks")
    return [index_of[k] for k in keys]


def is_text(field_type):
    if pa.types.is_dictionary(field_type):
        field_type = field_type.value_type
    return any(
        check(field_type) for check in (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view)
    )


def is_number(field_type):
    checks = (pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal, pa.types.is_boolean)
    return any(check(field_type) for check in checks)


def read_part(path, features, text_features, target, classes):
    """The features as float64 (NaN for null) and string ("" for null) columns, and class indices."""
    table = pq.read_table(path, columns=[*features, target])
    columns = {
        name: pc.fill_null(table.column(name).cast(pa.string()), MISSING_TEXT)
        if name in text_features
        else pc.fill_null(table.column(name).cast(pa.float64()), math.nan)
        for name in features
    }
    y = class_indices(table.column(target), classes, path)
    return pa.table(columns), np.array(y, dtype=np.int64)


def onnx_model(pipeline, features, text_features):
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    inputs = [
        (name, StringTensorType([None, 1]) if name in text_features else FloatTensorType([None, 1]))
        for name in features
    ]
    # zipmap off: probabilities as one float tensor [N, classes] instead of a list of maps.
    options = {id(pipeline): {"zipmap": False}}
    model = convert_sklearn(pipeline, initial_types=inputs, options=options, target_opset=ONNX_OPSET)
    # skl2onnx turns "Beak Length (mm)" into "Beak_Length__mm_"; the contract wants the column's name.
    renamed = {graph_input.name: name for graph_input, name in zip(model.graph.input, features, strict=True)}
    if len(renamed) != len(features):
        raise TrainerError(f"features {features} collide once skl2onnx sanitizes their names: rename one")
    for graph_input in model.graph.input:
        graph_input.name = renamed[graph_input.name]
    for node in model.graph.node:
        node.input[:] = [renamed.get(name, name) for name in node.input]
    # skl2onnx names the graph with a random UUID and lists opsets in set order: fix both, so the
    # same data and params give the same bytes (the platform stores models content-addressed).
    model.graph.name = "sklearn_pipeline"
    opsets = sorted((opset.domain, opset.version) for opset in model.opset_import)
    del model.opset_import[:]
    for domain, version in opsets:
        model.opset_import.add(domain=domain, version=version)
    return model


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
    text_features = [name for name in features if is_text(schema.field(name).type)]
    numeric_features = [name for name in features if is_number(schema.field(name).type)]
    others = [
        f"{name} ({schema.field(name).type})"
        for name in features
        if name not in text_features + numeric_features
    ]
    if others:
        raise TrainerError(
            f"features of a type this trainer cannot encode: {others}; exclude them in the spec"
        )
    log(f"text features {text_features}, numeric {numeric_features}, classes {classes}, params {params}")

    x_train, y_train = read_part(train_path, features, text_features, target, classes)
    # Probability column i is class i only if every class is in the training rows.
    absent = [label for index, label in enumerate(classes) if index not in set(y_train.tolist())]
    if absent:
        raise TrainerError(f"the training part has no row of classes {absent}")
    validation_path = os.environ.get("MLOPS_VALIDATION_PATH")
    has_validation = bool(validation_path) and pq.read_metadata(validation_path).num_rows > 0
    if has_validation:
        x_valid, y_valid = read_part(validation_path, features, text_features, target, classes)
    report(0.1)

    preprocess = ColumnTransformer(
        [
            ("text", OneHotEncoder(handle_unknown="ignore"), text_features),
            # keep_empty_features: a column that is all null in training still gets an input.
            (
                "numeric",
                make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()),
                numeric_features,
            ),
        ]
    )
    classifier = LogisticRegression(C=float(params["C"]), max_iter=int(params["max_iter"]), random_state=seed)
    pipeline = Pipeline([("preprocess", preprocess), ("classifier", classifier)]).fit(x_train, y_train)
    metrics = {"train_accuracy": pipeline.score(x_train, y_train)}
    report(0.7, metrics)

    if has_validation:
        probabilities = pipeline.predict_proba(x_valid)
        metrics["validation_accuracy"] = np.mean(probabilities.argmax(axis=1) == y_valid)
        picked = probabilities[np.arange(len(y_valid)), y_valid]
        metrics["validation_logloss"] = -np.mean(np.log(np.clip(picked, 1e-15, 1)))
    path = write_atomically(onnx_model(pipeline, features, text_features), required_env("MLOPS_OUTPUT_DIR"))
    log(f"wrote {path}")
    report(1, metrics)
    return pipeline


if __name__ == "__main__":
    try:
        main()
    except TrainerError as error:
        log(f"error: {error}")
        sys.exit(1)
