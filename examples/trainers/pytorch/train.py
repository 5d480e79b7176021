"""Penguin species with a PyTorch MLP, as a command trainer (docs/trainers.md).

Trains a two-hidden-layer perceptron on the numeric features with Adam, one checkpoint per epoch,
and exports it with torch.onnx.export.

How it maps to the contract:
- reads MLOPS_TRAIN_PATH / MLOPS_VALIDATION_PATH (Parquet) with pyarrow: the MLOPS_FEATURES
  columns, all numeric (a null is NaN, imputed with the training medians), and MLOPS_TARGET,
  trained as its index in MLOPS_CLASSES so probability column i is class i;
- params come from MLOPS_PARAMS_PATH (DEFAULT_PARAMS; anything else is an error);
  `sleep_per_epoch` slows epochs down, for trying out kill-and-resume;
- runs on `cuda` when PyTorch sees a GPU (the platform sets CUDA_VISIBLE_DEVICES to the one it
  assigned; empty on the CPU pool), else on the CPU;
- after every epoch, MLOPS_CHECKPOINT_DIR/epoch-<n>.pt (model with its normalization statistics,
  optimizer, epoch), written under a temporary name and renamed, then a JSON line naming it; on
  start it resumes from the newest checkpoint there (a retry gets the last reported one back);
- MLOPS_OUTPUT_DIR/model.onnx: one float input `input` [N, len(features)] in MLOPS_FEATURES order,
  imputation and standardization inside the graph, output `probabilities` (softmax, float
  [N, classes]); written under a temporary name and renamed.
"""

import json
import math
import os
import re
import sys
import time
from functools import partial

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import torch
from torch import nn

DEFAULT_PARAMS = {
    "epochs": 40,
    "hidden": 32,
    "learning_rate": 0.01,
    "batch_size": 32,
    "weight_decay": 0.0001,
    "sleep_per_epoch": 0.0,
}
CHECKPOINT_NAME = re.compile(r"^epoch-(\d+)\.pt$")
# Older checkpoints are deleted; a few are kept so that one the worker is still uploading survives.
KEEP_CHECKPOINTS = 3
ONNX_OPSET = 18


class TrainerError(Exception):
    """A problem with the inputs: reported as one clear line, without a traceback."""


def report(progress, metrics, checkpoint=None):
    """One JSON object per line on stdout is a heartbeat; NaN is not JSON, so it is left out."""
    line = {"progress": round(progress, 4), "metrics": {k: v for k, v in metrics.items() if math.isfinite(v)}}
    if checkpoint:
        line["checkpoint"] = checkpoint
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


def read_part(path, features, target, classes):
    """The features as a float32 tensor (NaN for null) in MLOPS_FEATURES order, and class indices."""
    table = pq.read_table(path, columns=[*features, target])
    numeric = (pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal, pa.types.is_boolean)
    others = [
        f"{f.name} ({f.type})"
        for f in table.schema
        if f.name != target and not any(c(f.type) for c in numeric)
    ]
    if others:
        raise TrainerError(
            f"features must be numeric for this MLP, not {others}: set `features:` in the spec"
        )
    columns = [pc.fill_null(table.column(name).cast(pa.float64()), math.nan).to_numpy() for name in features]
    y = class_indices(table.column(target), classes, path)
    x = torch.stack([torch.from_numpy(column) for column in columns], dim=1).float()
    return x, torch.tensor(y, dtype=torch.int64)


class Classifier(nn.Module):
    """The MLP with its preprocessing as buffers, so the exported graph takes the raw features."""

    def __init__(self, n_features, hidden, n_classes):
        super().__init__()
        self.register_buffer("medians", torch.zeros(n_features))
        self.register_buffer("means", torch.zeros(n_features))
        self.register_buffer("stds", torch.ones(n_features))
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, n_classes),
        )

    def fit_normalization(self, x):
        medians = torch.nanmedian(x, dim=0).values.nan_to_num(0.0)  # an all-null column imputes 0
        filled = torch.where(torch.isnan(x), medians, x)
        self.medians.copy_(medians)
        self.means.copy_(filled.mean(dim=0))
        self.stds.copy_(filled.std(dim=0).clamp_min(1e-6))  # a constant column must not divide by 0

    def logits(self, x):
        x = torch.where(torch.isnan(x), self.medians, x)
        return self.net((x - self.means) / self.stds)

    def forward(self, x):
        return torch.softmax(self.logits(x), dim=1)


def checkpoints(directory):
    """(epoch, file name) of the checkpoints in the folder, oldest first."""
    found = [
        (int(match.group(1)), name)
        for name in os.listdir(directory)
        if (match := CHECKPOINT_NAME.match(name))
    ]
    return sorted(found)


def write_atomically(directory, name, write):
    """write(file) under a temporary name, then renamed: no reader ever sees half a file."""
    temporary = os.path.join(directory, f".{name}.partial")  # not a checkpoint name: never resumed from
    with open(temporary, "wb") as file:
        write(file)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, os.path.join(directory, name))


def load_newest_checkpoint(directory, device, identity):
    """The newest checkpoint that loads and was written for this run's data and params, or None."""
    for _, name in reversed(checkpoints(directory)):
        try:
            # weights_only: a checkpoint is tensors and plain values; nothing in it is executed.
            state = torch.load(os.path.join(directory, name), map_location=device, weights_only=True)
        except Exception as error:  # a foreign or damaged file: try the one before it
            log(f"ignoring checkpoint {name}: {error}")
            continue
        if {key: state.get(key) for key in identity} == identity:
            return name, state
        log(f"ignoring checkpoint {name}: it was written for other features, classes or params")
    return None, None


def onnx_bytes(model, n_features):
    model = model.to("cpu").eval()
    program = torch.onnx.export(
        model,
        (torch.zeros(2, n_features),),
        input_names=["input"],
        output_names=["probabilities"],
        dynamic_shapes=({0: torch.export.Dim("batch", min=1)},),
        opset_version=ONNX_OPSET,
        dynamo=True,
    )
    proto = program.model_proto  # weights inside: one self-contained file
    # The exporter notes each node's source file and line, which names this run's temporary
    # folder: drop those notes, so the same weights give the same bytes and no local path leaks.
    for item in [*proto.graph.node, *proto.graph.input, *proto.graph.output, *proto.graph.value_info]:
        del item.metadata_props[:]
    return proto.SerializeToString()


def main():
    task = required_env("MLOPS_TASK")
    if task not in ("binary", "multiclass"):
        raise TrainerError(f"this example trains a classifier; MLOPS_TASK is {task!r}")
    target = required_env("MLOPS_TARGET")
    features = json.loads(required_env("MLOPS_FEATURES"))
    classes = json.loads(required_env("MLOPS_CLASSES"))
    seed = int(os.environ.get("MLOPS_SEED") or 0)
    checkpoint_dir = required_env("MLOPS_CHECKPOINT_DIR")
    with open(required_env("MLOPS_PARAMS_PATH")) as file:
        given = json.load(file)
    unknown = sorted(set(given) - set(DEFAULT_PARAMS))
    if unknown:
        raise TrainerError(f"unknown params {unknown}; this trainer takes {sorted(DEFAULT_PARAMS)}")
    params = {**DEFAULT_PARAMS, **given}
    epochs, batch_size = int(params["epochs"]), int(params["batch_size"])
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cpu" and os.environ.get("CUDA_VISIBLE_DEVICES"):
        log("CUDA_VISIBLE_DEVICES is set but PyTorch sees no GPU: training on the CPU")
    log(f"features {features}, classes {classes}, params {params}, device {device}")

    x_train, y_train = read_part(required_env("MLOPS_TRAIN_PATH"), features, target, classes)
    validation_path = os.environ.get("MLOPS_VALIDATION_PATH")
    x_valid = None
    if validation_path and pq.read_metadata(validation_path).num_rows > 0:
        x_valid, y_valid = (t.to(device) for t in read_part(validation_path, features, target, classes))

    torch.manual_seed(seed)
    model = Classifier(len(features), int(params["hidden"]), len(classes))
    model.fit_normalization(x_train)
    model.to(device)
    x_train, y_train = x_train.to(device), y_train.to(device)
    optimizer = torch.optim.Adam(
        model.parameters(), lr=float(params["learning_rate"]), weight_decay=float(params["weight_decay"])
    )
    # What a checkpoint must match to be resumed (sleep_per_epoch does not change the model).
    model_params = {key: value for key, value in params.items() if key != "sleep_per_epoch"}
    identity = {"features": features, "classes": classes, "seed": seed, "params": model_params}
    first_epoch, metrics = 1, {}
    name, state = load_newest_checkpoint(checkpoint_dir, device, identity)
    if state is not None:
        model.load_state_dict(state["model"])  # with the normalization statistics (buffers)
        optimizer.load_state_dict(state["optimizer"])
        first_epoch, metrics = state["epoch"] + 1, state["metrics"]
        log(f"resuming from checkpoint {name}: {state['epoch']} of {epochs} epochs done")

    loss_function = nn.CrossEntropyLoss()
    for epoch in range(first_epoch, epochs + 1):
        model.train()
        # Shuffled by (seed, epoch), so a resumed run sees the same batches as an uninterrupted one.
        generator = torch.Generator().manual_seed(seed * 100_003 + epoch)
        order = torch.randperm(len(y_train), generator=generator).to(device)
        total = torch.zeros((), device=device)  # summed on the device: no sync per batch on a GPU
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = loss_function(model.logits(x_train[rows]), y_train[rows])
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(rows)
        metrics = {"train_loss": total.item() / len(y_train)}
        if x_valid is not None:
            model.eval()
            with torch.no_grad():
                logits = model.logits(x_valid)
            metrics["validation_loss"] = loss_function(logits, y_valid).item()
            metrics["validation_accuracy"] = (logits.argmax(dim=1) == y_valid).float().mean().item()
        name = f"epoch-{epoch}.pt"
        state = {"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()}
        write_atomically(checkpoint_dir, name, partial(torch.save, {**state, **identity, "metrics": metrics}))
        for done, old in checkpoints(checkpoint_dir):
            if done <= epoch - KEEP_CHECKPOINTS:
                os.remove(os.path.join(checkpoint_dir, old))
        report(0.95 * epoch / epochs, metrics, checkpoint=name)  # 1 once model.onnx is written
        time.sleep(float(params["sleep_per_epoch"]))

    data = onnx_bytes(model, len(features))
    output_dir = required_env("MLOPS_OUTPUT_DIR")
    write_atomically(output_dir, "model.onnx", lambda file: file.write(data))  # final once we exit 0
    log(f"wrote {os.path.join(output_dir, 'model.onnx')}")
    report(1, metrics)
    return model


if __name__ == "__main__":
    try:
        main()
    except TrainerError as error:
        log(f"error: {error}")
        sys.exit(1)
