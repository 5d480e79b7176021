import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageTrainerCode } from '../../client/trainer-code.js';
import type { PipelineSpec } from '../../spec/types.js';
import { exampleSpec } from './pipeline.js';
import { testArtifactStore } from './platform.js';

/** The penguins features in the order of the committed ONNX fixtures (test/fixtures/onnx). */
export const PENGUIN_FEATURES = [
  'Island',
  'Beak Length (mm)',
  'Beak Depth (mm)',
  'Flipper Length (mm)',
  'Body Mass (g)',
  'Sex',
];

/**
 * A stand-in command trainer in plain Python (no requirements): `python3 trainer.py <mode>`. It
 * behaves as the mode says and, when it succeeds, writes the committed scikit-learn ONNX fixture
 * for penguins (PENGUIN_FEATURES, three classes) as its model.
 */
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

/**
 * A trainer folder of this test's own (the stand-in trainer, the fixture it writes, `files`) with
 * a penguins spec that trains with `command`, packaged the way `mlops run` packages it.
 */
export async function commandTrainerSpec(
  command: string[],
  options: {
    train?: Record<string, unknown>;
    files?: Record<string, string>;
    spec?: Record<string, unknown>;
  } = {},
): Promise<PipelineSpec> {
  const folder = mkdtempSync(path.join(path.resolve('.mlops'), 'trainer-'));
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
  for (const [name, text] of Object.entries(options.files ?? {}))
    writeFileSync(path.join(folder, name), text);
  const spec = exampleSpec('penguins.yaml', {
    features: PENGUIN_FEATURES,
    sensitive: [],
    train: { trainer: 'command', command, ...options.train },
    evaluation: { primaryMetric: 'accuracy', gates: [], compareToChampion: false },
    deploy: { promote: false },
    ...options.spec,
  });
  const store = testArtifactStore();
  try {
    return await packageTrainerCode(spec, folder, store);
  } finally {
    store.client.destroy();
  }
}
