import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { batchKey, startBatchScoring } from '../../client/batch-scoring.js';
import { workflowUiUrl } from '../../client/connect.js';
import type { Config } from '../../config/index.js';
import { checkScoresDestination } from '../../data/index.js';
import type { BatchProgress, BatchScoringResult } from '../../contracts/batch-scoring.js';
import { keySegment } from '../../storage/keys.js';
import { formatDuration } from '../formatting.js';
import { parseModelReference } from '../options.js';
import { openSession } from '../session.js';
import { cliLogger, exitCodes, printJson, UsageError } from '../shared.js';

export interface ScoreOptions {
  readonly input: string;
  readonly output?: string;
  readonly format?: string;
  readonly chunkRows?: number;
  readonly parallel?: number;
  readonly monitorRows?: number;
  readonly detach?: boolean;
  readonly json?: boolean;
}

const FORMATS = ['parquet', 'csv', 'json'] as const;

/**
 * `mlops score <model>[@<version>|@champion] --input <uri>`: starts a batch scoring workflow and,
 * unless --detach, follows it to the end: the rows scored, rows/s, the output's manifest and hash,
 * and which worker scored each chunk. Exit 0 done, 1 failed, 2 bad usage.
 */
export async function scoreCommand(
  config: Config,
  reference: string,
  options: ScoreOptions,
): Promise<number> {
  const { modelName, version } = parseTarget(reference);
  const format = options.format?.toLowerCase();
  if (format !== undefined && !FORMATS.includes(format as (typeof FORMATS)[number]))
    throw new UsageError(
      `--format must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(options.format)}`,
    );
  const key = batchKey();
  const outputUri = options.output ?? `s3://${config.s3.bucket}/scores/${keySegment(modelName)}/${key}`;
  try {
    checkScoresDestination(outputUri, { platformBucket: config.s3.bucket, dataBuckets: config.dataBuckets });
  } catch (error) {
    throw new UsageError(`--output: ${(error as Error).message}`);
  }

  const session = await openSession(config, cliLogger(config, 'score'), { workers: true });
  try {
    const run = await startBatchScoring(
      session.client.temporal,
      {
        modelName,
        version,
        inputUri: options.input,
        format: format as (typeof FORMATS)[number] | undefined,
        outputUri,
        chunkRows: options.chunkRows ?? 250_000,
        parallelism: options.parallel ?? 4,
        monitorRows: options.monitorRows ?? 0,
        taskQueues: config.taskQueues,
        trigger: 'cli',
      },
      key,
    );
    const ui = workflowUiUrl(session.stack.connections, run.workflowId);
    // Workers this command runs itself go away with it: then it waits, whatever --detach says.
    if (options.detach && session.pools)
      process.stderr.write(
        "mlops: no worker polls the CPU queue but this command's own: waiting for the batch here\n",
      );
    if (options.detach && !session.pools) {
      if (options.json) printJson({ workflowId: run.workflowId });
      else process.stdout.write(`${run.workflowId}${ui ? `   ${ui}` : ''}\n`);
      return exitCodes.ok;
    }
    if (!options.json)
      process.stderr.write(`scoring ${options.input} with ${reference}: ${ui ?? run.workflowId}\n`);
    const stopWatching = options.json || !process.stderr.isTTY ? undefined : watch(run.progress);
    let result: BatchScoringResult;
    try {
      result = await run.handle.result();
    } catch (error) {
      if (!(error instanceof WorkflowFailedError)) throw error;
      const cause = error.cause as { message?: string; cause?: { message?: string } } | undefined;
      process.stderr.write(
        `mlops: ${run.workflowId} failed: ${cause?.cause?.message ?? cause?.message ?? error.message}\n`,
      );
      return exitCodes.failed;
    } finally {
      await stopWatching?.();
    }
    if (options.json) printJson(result);
    else process.stdout.write(`${summary(result).join('\n')}\n`);
    return exitCodes.ok;
  } finally {
    await session.close();
  }
}

/** `name` (the champion), `name@champion` or `name@<version>`. */
function parseTarget(reference: string): { modelName: string; version: number | 'champion' } {
  if (reference.endsWith('@champion')) {
    return {
      modelName: parseModelReference(reference.slice(0, -'@champion'.length), { versionRequired: false })
        .name,
      version: 'champion',
    };
  }
  const parsed = parseModelReference(reference, { versionRequired: false });
  return { modelName: parsed.name, version: parsed.version ?? 'champion' };
}

/** A progress line on stderr, rewritten in place every half second, until the returned stop. */
function watch(progress: () => Promise<BatchProgress>): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      const state = await progress().catch(() => undefined);
      if (state)
        process.stderr.write(
          `\r\u001b[2K${state.stage}: ${state.chunksDone}/${state.chunks} chunks, ${state.rowsDone.toLocaleString('en-US')} of ${state.rows.toLocaleString('en-US')} rows`,
        );
      await sleep(500);
    }
    process.stderr.write('\r\u001b[2K');
  })();
  return async () => {
    running = false;
    await loop;
  };
}

function summary(result: BatchScoringResult): string[] {
  const rowsPerSecond =
    result.scoringMs > 0 ? Math.round((result.rows / result.scoringMs) * 1000) : result.rows;
  const workers = new Map<string, number>();
  for (const worker of result.chunkWorkers) workers.set(worker, (workers.get(worker) ?? 0) + 1);
  const manifestFolder = result.manifest.uri.replace(/\/_manifest\.json$/, '/');
  return [
    `${result.workflowId}: SCORED ${result.rows.toLocaleString('en-US')} rows with ${result.modelName} v${result.version}`,
    `  speed     ${rowsPerSecond.toLocaleString('en-US')} rows/s (${formatDuration(result.scoringMs)} scoring ${result.parts.length} chunks)`,
    `  input     ${result.inputUri} (sha256 ${result.inputSha256.slice(0, 12)})`,
    `  output    ${manifestFolder} (${result.parts.length} Parquet parts; manifest sha256 ${result.outputSha256.slice(0, 12)})`,
    ...(result.monitorRows > 0
      ? [`  monitor   ${result.monitorRows.toLocaleString('en-US')} predictions logged for the monitor`]
      : []),
    `  workers   ${[...workers].map(([worker, chunks]) => `${worker} (${chunks})`).join(', ')}`,
  ];
}
