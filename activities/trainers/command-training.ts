import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { extract } from 'tar';
import { errorTypes, failureTypeOf } from '../../contracts/errors.js';
import type { ArtifactRef } from '../../contracts/artifacts.js';
import type { CommandTrainerRecipe, TrainInput, TrainOutput } from '../../contracts/pipeline-stages.js';
import type { TrainerReport } from '../../contracts/trainer-protocol.js';
import { exportPartParquet } from '../../data/index.js';
import { upsertArtifact } from '../../db/queries/artifacts.js';
import { artifactKeys } from '../../storage/artifact-store.js';
import type { ActivityDependencies } from '../dependencies.js';
import { withHeartbeat } from '../heartbeat.js';
import { localCopy, temporaryDirectory } from '../local-files.js';
import { featureColumns, recipeInputs } from '../pipeline/frames.js';
import { baseEnvironment } from './base-environment.js';
import { logTail, TrainerError } from './errors.js';
import { recipeFacts, storeOnnxModel } from './onnx-model-file.js';
import { pythonEnvironment, type PythonEnvironment } from './python-environment.js';
import { TrainerLog } from './trainer-log.js';
import { runTrainerProcess } from './trainer-process.js';

/** What a command training heartbeats: its last report and checkpoint, read back on a retry. */
interface CommandHeartbeat {
  readonly kind: 'command';
  readonly progress: number | null;
  readonly metrics: Readonly<Record<string, number>>;
  readonly reports: number;
  readonly checkpoint: { readonly name: string; readonly file: ArtifactRef } | null;
}

/** What a command training stores as its stage's outputs: the model document, its ONNX file, the log. */
export type CommandTrainingOutputs = Omit<TrainOutput, 'cacheHit'> & {
  readonly onnx: ArtifactRef;
  readonly log: ArtifactRef;
  readonly pythonEnvironment: Pick<
    PythonEnvironment,
    'key' | 'pythonVersion' | 'packages' | 'installer'
  > | null;
  readonly resumedFromCheckpoint: string | null;
};

const MAX_MODEL_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * Runs a command trainer (docs/trainers.md): in a fresh folder holding the run's packaged code,
 * the train and validation parts as Parquet, the params and the last checkpoint (on a retry), in
 * its Python environment when it has one, on the GPU the worker assigned. Each report becomes a
 * heartbeat, a reported checkpoint is uploaded first. The ONNX file it writes is checked against
 * the dataset's features, task and classes before it is stored, with a model document naming it.
 */
export async function trainWithCommand(
  deps: ActivityDependencies,
  input: TrainInput,
  command: CommandTrainerRecipe,
): Promise<CommandTrainingOutputs> {
  const { recipe } = input;
  const context = Context.current();
  const previous = context.info.heartbeatDetails as Partial<CommandHeartbeat> | undefined;
  let beat: CommandHeartbeat = {
    kind: 'command',
    progress: null,
    metrics: {},
    reports: 0,
    checkpoint: previous?.kind === 'command' ? (previous.checkpoint ?? null) : null,
  };
  let resumedFrom = beat.checkpoint?.name ?? null;
  const log = new TrainerLog();
  const folder = await temporaryDirectory('trainer');
  const paths = {
    code: path.join(folder.path, 'code'),
    train: path.join(folder.path, 'data', 'train.parquet'),
    validation: path.join(folder.path, 'data', 'validation.parquet'),
    params: path.join(folder.path, 'params.json'),
    output: path.join(folder.path, 'output'),
    checkpoints: path.join(folder.path, 'checkpoints'),
    tmp: path.join(folder.path, 'tmp'),
  };
  let environment: PythonEnvironment | null = null;
  try {
    return await withHeartbeat(
      async () => {
        const preparing = Date.now();
        for (const directory of [
          paths.code,
          path.dirname(paths.train),
          paths.output,
          paths.checkpoints,
          paths.tmp,
        ])
          await mkdir(directory, { recursive: true, mode: 0o700 });
        // The code and its environment, the data parts and the checkpoint are independent: fetched
        // and made at once, so the trainer waits for the slowest of them rather than their sum.
        const codeAndEnvironment = async () => {
          const archive = await localCopy(deps, command.code, '.tar.gz');
          // Files and folders only: a packaged link could point anywhere on the worker.
          await extract({
            file: archive,
            cwd: paths.code,
            strict: true,
            filter: (_, entry) => isPlain(entry),
          });
          if (!command.python) return null;
          const requirements = command.python.requirements
            ? command.python.requirements.join('\n')
            : await readRequirementsFile(paths.code, command.python.requirementsFile ?? '');
          return pythonEnvironment(requirements, {
            log: (line) => log.write(line),
            signal: context.cancellationSignal,
          });
        };
        const dataParts = async () => {
          const inputs = await recipeInputs(deps, recipe);
          const features = await featureColumns(deps, recipe);
          const columns = [...features, recipe.target];
          const [rowCount, validationRowCount, facts] = await Promise.all([
            exportPartParquet({ ...inputs, part: 'train', columns, outputPath: paths.train }),
            exportPartParquet({ ...inputs, part: 'validation', columns, outputPath: paths.validation }),
            recipeFacts(deps, recipe, features, inputs.snapshotPath),
          ]);
          return { rowCount, validationRowCount, facts, features };
        };
        const restoredCheckpoint = async () => {
          if (!beat.checkpoint) return;
          let restored: string;
          try {
            // localCopy checks the bytes against the sha256 the heartbeat recorded.
            restored = await localCopy(deps, beat.checkpoint.file, '.checkpoint');
          } catch (error) {
            if (failureTypeOf(error) !== errorTypes.integrityMismatch.type) throw error;
            // Rewritten in S3 since it was stored: resuming from it could plant anything in the model.
            log.write(
              `[platform] checkpoint ${beat.checkpoint.name} does not match the sha256 recorded when it was stored; training from the start`,
            );
            deps.log.warn(
              { checkpoint: beat.checkpoint.file.uri },
              'checkpoint failed its sha256 check; not resumed',
            );
            beat = { ...beat, checkpoint: null };
            resumedFrom = null;
            return;
          }
          await copyFile(restored, path.join(paths.checkpoints, beat.checkpoint.name));
          log.write(`[platform] restored checkpoint ${beat.checkpoint.name} from the previous attempt`);
        };
        const [prepared, data] = await allDone([
          codeAndEnvironment(),
          dataParts(),
          restoredCheckpoint(),
          writeFile(paths.params, JSON.stringify(recipe.params)),
        ] as const);
        environment = prepared;
        const { rowCount, validationRowCount, facts, features } = data;
        const { classes } = facts;
        log.write(
          `[platform] ready in ${seconds(preparing)}: ${rowCount} train rows, ${validationRowCount} validation rows${environment ? `, Python environment ${environment.key.slice(0, 12)} (${environment.reused ? 'reused' : 'built'})` : ''}`,
        );
        const started = Date.now();
        const device = deps.gpu?.currentDevice();
        const base = baseEnvironment();
        await runTrainerProcess({
          command: command.command,
          cwd: paths.code,
          env: {
            ...base,
            PATH: environment ? `${environment.binDirectory}${path.delimiter}${base.PATH ?? ''}` : base.PATH,
            TMPDIR: paths.tmp,
            PYTHONUNBUFFERED: '1',
            MLOPS_TRAIN_PATH: paths.train,
            MLOPS_VALIDATION_PATH: paths.validation,
            MLOPS_TARGET: recipe.target,
            MLOPS_FEATURES: JSON.stringify(features),
            MLOPS_TASK: recipe.task,
            ...(classes ? { MLOPS_CLASSES: JSON.stringify(classes) } : {}),
            MLOPS_PARAMS_PATH: paths.params,
            MLOPS_OUTPUT_DIR: paths.output,
            MLOPS_CHECKPOINT_DIR: paths.checkpoints,
            MLOPS_SEED: String(recipe.seed),
            CUDA_VISIBLE_DEVICES: device === undefined ? '' : String(device),
          },
          log,
          signal: context.cancellationSignal,
          onReport: async (report) => {
            beat = await afterReport(deps, input.pipelineName, paths.checkpoints, beat, report, log);
            context.heartbeat(beat);
          },
        });

        log.write(`[platform] the trainer exited 0 after ${seconds(started)}`);
        const storing = Date.now();
        const onnxPath = path.join(paths.output, 'model.onnx');
        const { model, onnx } = await storeOnnxModel(deps, {
          pipelineName: input.pipelineName,
          recipe,
          facts,
          onnxPath,
          bytes: await readModel(onnxPath, log),
          trainer: { name: 'command', command: command.command, params: recipe.params },
          training: { seed: recipe.seed, rowCount, validationRowCount, metrics: beat.metrics },
        });
        log.write(`[platform] model checked and stored in ${seconds(storing)}`);
        const [metricName, metricValue] = Object.entries(beat.metrics)[0] ?? [null, null];
        return {
          model,
          onnx,
          log: await storeLog(deps, input.pipelineName, log),
          iterations: beat.reports,
          finalLoss: null,
          validationMetric: metricValue,
          validationMetricName: metricName,
          pythonEnvironment: environmentRecord(environment),
          resumedFromCheckpoint: resumedFrom,
        };
      },
      () => beat,
    );
  } catch (error) {
    // The log of a failed attempt is kept too: the error names it.
    const stored = await storeLog(deps, input.pipelineName, log).catch(() => undefined);
    if (stored && error instanceof TrainerError) error.message += `\nfull log: ${stored.uri}`;
    throw error;
  } finally {
    await folder.remove();
  }
}

/** A report's checkpoint is stored before the heartbeat that names it, so a retry finds it. */
async function afterReport(
  deps: ActivityDependencies,
  pipelineName: string,
  checkpointFolder: string,
  beat: CommandHeartbeat,
  report: TrainerReport,
  log: TrainerLog,
): Promise<CommandHeartbeat> {
  let checkpoint = beat.checkpoint;
  const file = report.checkpoint === undefined ? undefined : path.join(checkpointFolder, report.checkpoint);
  const info = file ? await stat(file).catch(() => undefined) : undefined;
  // A trainer may prune old checkpoints while an upload lags behind its reports: a reported file
  // already gone leaves the previous checkpoint in place rather than failing the run.
  if (report.checkpoint !== undefined && !info?.isFile())
    log.write(
      `[platform] checkpoint ${report.checkpoint} was reported but is not in MLOPS_CHECKPOINT_DIR; the previous one stays`,
    );
  if (file && report.checkpoint !== undefined && info?.isFile()) {
    const stored = await deps.artifacts.putFileContentAddressed(
      artifactKeys.checkpoint(pipelineName),
      '.checkpoint',
      file,
    );
    checkpoint = {
      name: report.checkpoint,
      file: { uri: stored.uri, sha256: stored.sha256, bytes: stored.bytes },
    };
  }
  return {
    kind: 'command',
    progress: report.progress ?? beat.progress,
    metrics: report.metrics ?? beat.metrics,
    reports: beat.reports + 1,
    checkpoint,
  };
}

async function readModel(file: string, log: TrainerLog): Promise<Uint8Array> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile())
    throw new TrainerError(
      `the trainer exited 0 but wrote no model: write the ONNX model to $MLOPS_OUTPUT_DIR/model.onnx (docs/trainers.md)${logTail(log.lastLines(10))}`,
    );
  if (info.size > MAX_MODEL_BYTES)
    throw new TrainerError(`model.onnx is ${info.size} bytes; at most ${MAX_MODEL_BYTES} are accepted`);
  return readFile(file);
}

async function readRequirementsFile(codeFolder: string, file: string): Promise<string> {
  try {
    return await readFile(path.join(codeFolder, file), 'utf8');
  } catch {
    throw new TrainerError(
      `train.python.requirementsFile ${JSON.stringify(file)} is not a file in the spec's folder`,
    );
  }
}

async function storeLog(
  deps: ActivityDependencies,
  pipelineName: string,
  log: TrainerLog,
): Promise<ArtifactRef> {
  const stored = await deps.artifacts.putContentAddressed(
    artifactKeys.trainerLog(pipelineName),
    '.log',
    log.text(),
    {
      contentType: 'text/plain; charset=utf-8',
    },
  );
  const ref = { uri: stored.uri, sha256: stored.sha256, bytes: stored.bytes };
  await upsertArtifact(deps.db, { ...ref, kind: 'trainer_log' });
  return ref;
}

function environmentRecord(
  environment: PythonEnvironment | null,
): CommandTrainingOutputs['pythonEnvironment'] {
  if (!environment) return null;
  const { key, pythonVersion, packages, installer } = environment;
  return { key, pythonVersion, packages, installer };
}

/**
 * Like Promise.all, but settles only once every task has: the folder they write into is removed
 * after a failure, and none of them may still be writing there then.
 */
async function allDone<T extends readonly unknown[]>(
  tasks: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(2)} s`;
}

function isPlain(entry: unknown): boolean {
  const type = (entry as { type?: string }).type;
  return type === 'File' || type === 'Directory' || type === 'OldFile';
}
