import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ArtifactRef } from '../contracts/artifacts.js';
import type {
  SmokeActivities,
  SmokeFitInput,
  SmokeFitResult,
  SmokePrepareInput,
} from '../contracts/smoke.js';
import { errorTypes } from '../contracts/errors.js';
import { addLineageEdge, upsertArtifact } from '../db/queries/artifacts.js';
import { artifactKeys } from '../storage/artifact-store.js';
import { activityLogger, type ActivityDependencies } from './dependencies.js';
import { recordStage } from './stage-recorder.js';

/** The smoke pipeline's stages (contracts/smoke.ts). */
export function createSmokeActivities(
  deps: ActivityDependencies,
): Pick<SmokeActivities, 'smokePrepareData' | 'smokeFitFold'> {
  return {
    async smokePrepareData(input: SmokePrepareInput): Promise<ArtifactRef & { workerIdentity: string }> {
      if (!Number.isInteger(input.rows) || input.rows < 10) {
        throw ApplicationFailure.create({
          ...errorTypes.invalidInput,
          message: `rows must be an integer of at least 10, got ${input.rows}`,
        });
      }
      const { result, stageRun } = await recordStage(
        deps,
        { pipelineRunId: input.pipelineRunId, stage: 'prepare', params: { ...input } },
        async () => {
          const stored = await deps.artifacts.putContentAddressed(
            artifactKeys.dataset('smoke'),
            '.csv',
            seededLineCsv(input.rows, input.seed),
            {
              contentType: 'text/csv',
              signal: Context.current().cancellationSignal,
            },
          );
          return { uri: stored.uri, sha256: stored.sha256, bytes: stored.bytes };
        },
      );
      const artifact = await upsertArtifact(deps.db, { ...result, kind: 'dataset' });
      await addLineageEdge(
        deps.db,
        { kind: 'stage_run', id: stageRun.id },
        { kind: 'artifact', id: artifact.id },
        'produced',
      );
      activityLogger(deps.log).info({ uri: result.uri }, 'smoke dataset stored');
      return { ...result, workerIdentity: deps.workerIdentity };
    },

    async smokeFitFold(input: SmokeFitInput): Promise<SmokeFitResult> {
      const startedAt = Date.now();
      const stage = {
        pipelineRunId: input.pipelineRunId,
        stage: `fit-fold-${input.fold}`,
        inputs: { dataset: input.dataset },
      };
      const { result: fit } = await recordStage(deps, stage, async () => {
        const bytes = await deps.artifacts.getBuffer(
          deps.artifacts.keyOf(input.dataset.uri),
          16 * 1024 * 1024,
          {
            signal: Context.current().cancellationSignal,
          },
        );
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        if (sha256 !== input.dataset.sha256) {
          throw ApplicationFailure.create({
            ...errorTypes.integrityMismatch,
            message: `${input.dataset.uri} has sha256 ${sha256}, expected ${input.dataset.sha256}`,
          });
        }
        const fit = fitLineOnFold(bytes.toString('utf8'), input.fold, input.folds);
        const remaining = input.minDurationMs - (Date.now() - startedAt);
        if (remaining > 0)
          await sleep(remaining, undefined, { signal: Context.current().cancellationSignal });
        return { ...fit, fold: input.fold };
      });
      return {
        ...fit,
        workerIdentity: deps.workerIdentity,
        gpuDevice: deps.gpu?.currentDevice() ?? null,
        startedAt,
        finishedAt: Date.now(),
      };
    },
  };
}

/** y = 3x + 2 plus seeded noise; the same seed gives the same bytes (and so the same object). */
export function seededLineCsv(rows: number, seed: number): string {
  let state = seed >>> 0 || 1;
  const random = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  const lines = ['x,y'];
  for (let index = 0; index < rows; index += 1) {
    const x = index / rows;
    lines.push(`${x.toFixed(6)},${(3 * x + 2 + (random() - 0.5) * 0.1).toFixed(6)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Least squares on the rows outside fold `fold` of `folds` (k-fold style). */
export function fitLineOnFold(csv: string, fold: number, folds: number) {
  let count = 0;
  let sumX = 0;
  let sumY = 0;
  let sumXX = 0;
  let sumXY = 0;
  const lines = csv.trimEnd().split('\n').slice(1);
  lines.forEach((line, index) => {
    if (folds > 1 && index % folds === fold) return;
    const [x, y] = line.split(',').map(Number);
    count += 1;
    sumX += x;
    sumY += y;
    sumXX += x * x;
    sumXY += x * y;
  });
  const slope = (count * sumXY - sumX * sumY) / (count * sumXX - sumX * sumX);
  return { slope, intercept: (sumY - slope * sumX) / count, rows: count };
}
