/**
 * The stand-in command trainer of the tests and the chaos run: plain Python (no requirements),
 * `python3 trainer.py <mode>`, that behaves as the mode says and, when it succeeds, writes a
 * committed scikit-learn ONNX fixture for penguins as its model.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The penguins features in the order of the committed ONNX fixtures (test/fixtures/onnx). */
export const PENGUIN_FEATURES = [
  'Island',
  'Beak Length (mm)',
  'Beak Depth (mm)',
  'Flipper Length (mm)',
  'Body Mass (g)',
  'Sex',
];

/** The trainer; its model is the fixture for PENGUIN_FEATURES and three classes. */
const TRAINER = `
import json, os, pathlib, shutil, sys, time

mode = sys.argv[1]
here = pathlib.Path(__file__).resolve().parent
output = pathlib.Path(os.environ["MLOPS_OUTPUT_DIR"])
checkpoints = pathlib.Path(os.environ["MLOPS_CHECKPOINT_DIR"])

def report(**fields):
    print(json.dumps(fields), flush=True)

def finish(model="model.onnx"):
    shutil.copy(here / model, output / "model.onnx")

if mode == "ok":
    print("training with", os.environ["MLOPS_FEATURES"], "and", os.environ.get("MLOPS_CLASSES"))
    print("{'a python': 'dict, not a report'}")
    report(progress=1, metrics={"validation_accuracy": 0.97})
    finish()
elif mode == "env":
    leaked = sorted(name for name in os.environ if name.startswith(("AWS_", "DATABASE", "S3_", "MLOPS_API", "MLOPS_PII")))
    report(metrics={"leaked": len(leaked)})
    print("leaked:", leaked, file=sys.stderr)
    finish()
elif mode == "fail":
    print("ValueError: the data has no rows", file=sys.stderr)
    sys.exit(3)
elif mode == "retry-later":
    if (checkpoints / "tried").exists():
        finish()
    else:
        (checkpoints / "tried").write_text("once")
        report(checkpoint="tried")
        sys.exit(75)
elif mode == "params":
    params = json.loads(pathlib.Path(os.environ["MLOPS_PARAMS_PATH"]).read_text())
    print("params", json.dumps(params, sort_keys=True), file=sys.stderr)
    finish()
elif mode == "no-model":
    report(progress=1)
elif mode == "garbage":
    (output / "model.onnx").write_bytes(b"this is not an ONNX graph")
elif mode == "bad-report":
    report(progress="half")
    finish()
elif mode == "wrong-model":
    finish(sys.argv[2])
elif mode == "steps":
    steps, pause = int(sys.argv[2]), float(sys.argv[3])
    done = sorted(checkpoints.glob("step-*"))
    start = int(done[-1].name.split("-")[1]) if done else 0
    print(f"starting at step {start}", file=sys.stderr, flush=True)
    for step in range(start + 1, steps + 1):
        time.sleep(pause)
        (checkpoints / f"step-{step:03d}").write_text(str(step))
        report(progress=step / steps, metrics={"step": step, "started_at": start}, checkpoint=f"step-{step:03d}")
    finish()
elif mode == "device":
    device = os.environ.get("CUDA_VISIBLE_DEVICES", "")
    report(metrics={"device": int(device) if device else -1})
    time.sleep(3)
    finish()
`;

/** Writes trainer.py and the ONNX fixtures it hands out (model.onnx and two wrong ones) into `folder`. */
export function writeStandInTrainer(folder: string): void {
  writeFileSync(path.join(folder, 'trainer.py'), TRAINER);
  for (const fixture of [
    'penguins-pipeline.onnx',
    'lightgbm-binary-matrix.onnx',
    'penguins-pipeline-zipmap.onnx',
  ])
    copyFileSync(
      path.join('test/fixtures/onnx', fixture),
      path.join(folder, fixture === 'penguins-pipeline.onnx' ? 'model.onnx' : fixture),
    );
}
