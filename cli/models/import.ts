import { stat } from 'node:fs/promises';
import type { Config } from '../../config/index.js';
import { IMPORTED_MODEL } from '../../spec/types.js';
import { ArtifactStore, artifactKeys } from '../../storage/artifact-store.js';
import { readSpec, startAndReport } from '../runs/run.js';
import { openSession } from '../session.js';
import { cliLogger, UsageError } from '../shared.js';

export interface ImportOptions {
  readonly name: string;
  readonly spec: string;
  readonly json?: boolean;
  /** commander's `--no-cache` */
  readonly cache?: boolean;
}

/**
 * `mlops models import <file.onnx> --name <model> --spec <spec.yaml>`: a model trained elsewhere
 * goes through the pipeline as if the platform had trained it: the spec's dataset, checks,
 * de-identification and split, then the ONNX file is checked against the data, evaluated on the
 * test split, gated, registered (its sha256 and the dataset version in lineage) and promoted when
 * the spec asks. Exit codes as for `mlops run`.
 */
export async function importCommand(config: Config, file: string, options: ImportOptions): Promise<number> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`cannot read the ONNX file ${file}`);
  const spec = await readSpec(options.spec, config, (document) => {
    if (document.train !== undefined)
      process.stderr.write(
        `mlops: ${options.spec}'s train section is ignored: the model is imported, not trained\n`,
      );
    // The spec is checked with a built-in trainer named; once the file is stored, `train` names it instead.
    return { ...document, name: options.name, train: { trainer: 'logistic_regression' } };
  });
  if (typeof spec === 'number') return spec;
  const session = await openSession(config, cliLogger(config, 'import'), { workers: true });
  const store = ArtifactStore.fromSettings(session.stack.connections.s3);
  try {
    const stored = await store.putFileContentAddressed(artifactKeys.modelFile(spec.name), '.onnx', file, {
      contentType: 'application/octet-stream',
    });
    const imported = { uri: stored.uri, sha256: stored.sha256, bytes: stored.bytes };
    return await startAndReport(
      config,
      session,
      { ...spec, train: { ...spec.train, trainer: IMPORTED_MODEL, imported, params: {}, search: undefined } },
      { wait: true, json: options.json, cache: options.cache },
    );
  } finally {
    store.client.destroy();
    await session.close();
  }
}
