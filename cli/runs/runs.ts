import { workflowUiUrl } from '../../client/connect.js';
import { getPipelineRun } from '../../client/pipeline.js';
import type { Config } from '../../config/index.js';
import type { PipelineProgress } from '../../contracts/pipeline.js';
import type { Database } from '../../db/client.js';
import {
  findModelVersionOfRun,
  listPipelineRuns,
  type PipelineRunListing,
} from '../../db/queries/listing.js';
import { findPipelineRun, listStageRuns, type PipelineRun } from '../../db/queries/runs.js';
import { formatDuration, formatTimestamp, indent, renderTable } from '../formatting.js';
import { waitUntil } from '../../stack/processes.js';
import { openSession } from '../session.js';
import { cliLogger, exitCodes, printJson } from '../shared.js';
import { renderStages, renderTotals, stageDocument, totalsOf } from './stage-view.js';

export class PipelineRunNotFoundError extends Error {
  override readonly name = 'PipelineRunNotFoundError';
}

/** `mlops runs list [--pipeline <name>] [--limit n]`: recent pipeline runs, newest first. */
export async function runsListCommand(
  config: Config,
  options: { readonly pipeline?: string; readonly limit: number; readonly json?: boolean },
): Promise<number> {
  const session = await openSession(config, cliLogger(config, 'runs'), { workers: false, database: true });
  try {
    const runs = await listPipelineRuns(session.database.db, options);
    if (options.json) printJson({ runs: runs.map(runListingDocument) });
    else process.stdout.write(`${renderRunList(runs, options.pipeline).join('\n')}\n`);
    return exitCodes.ok;
  } finally {
    await session.close();
  }
}

/**
 * `mlops runs show <workflowId>`: the run's status, error, stages and Temporal UI link; while it
 * runs, also its live `progress` query (what stage it is in, what it waits for).
 */
export async function runsShowCommand(
  config: Config,
  workflowId: string,
  options: { readonly json?: boolean },
): Promise<number> {
  const session = await openSession(config, cliLogger(config, 'runs'), { workers: false, database: true });
  try {
    const run = await requireRun(session.database.db, workflowId);
    const model = await findModelVersionOfRun(session.database.db, run.id);
    const stages = (await listStageRuns(session.database.db, run.id)).map(stageDocument);
    const live =
      run.status === 'running' && run.kind === 'training'
        ? await queryProgress(session.client.temporal, run)
        : { progress: null, problem: null };
    const document = {
      ...runListingDocument({ run, model }),
      codeVersion: run.codeVersion,
      stages,
      totals: totalsOf(stages),
      ui: workflowUiUrl(session.client.connections, run.workflowId, run.runId) ?? null,
      progress: live.progress,
      progressProblem: live.problem,
    };
    if (options.json) {
      printJson(document);
      return exitCodes.ok;
    }
    const lines = [
      `${run.workflowId}: ${run.status.toUpperCase()}${model ? ` ${modelLabel(model)}` : ''}`,
      `  run           ${run.runId} (${run.kind}, triggered by ${run.trigger})`,
      `  started       ${formatTimestamp(run.startedAt)}${run.finishedAt ? `, finished ${formatTimestamp(run.finishedAt)} (${formatDuration(document.durationMs)})` : ''}`,
      `  code version  ${run.codeVersion}`,
    ];
    if (run.error)
      lines.push(
        `  error         ${run.error.type}: ${run.error.message.replace(/\n/g, '\n                ')}`,
      );
    if (live.progress) lines.push(`  now           ${describeProgress(live.progress)}`);
    if (live.problem) lines.push(`  now           (live progress unavailable: ${live.problem})`);
    if (document.ui) lines.push(`  inspect       ${document.ui}`);
    lines.push('', 'stages', ...indent(renderStages(stages)), '', `totals  ${renderTotals(document.totals)}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return exitCodes.ok;
  } finally {
    await session.close();
  }
}

function runListingDocument({ run, model }: PipelineRunListing) {
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    pipeline: run.pipelineName,
    kind: run.kind,
    status: run.status,
    trigger: run.trigger,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationMs: run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
    model,
    error: run.error,
  };
}

/** `penguins v3`, or `penguins v3 (reused)` when an identical earlier run had made that version. */
function modelLabel(model: NonNullable<PipelineRunListing['model']>): string {
  return `${model.name} v${model.version}${model.reused ? ' (reused)' : ''}`;
}

function renderRunList(runs: readonly PipelineRunListing[], pipeline: string | undefined): string[] {
  if (runs.length === 0) {
    return [
      pipeline
        ? `no runs of pipeline ${pipeline} yet`
        : 'no pipeline runs yet: `mlops run <spec>` starts one',
    ];
  }
  return renderTable(
    ['WORKFLOW ID', 'PIPELINE', 'STATUS', 'STARTED', 'DURATION', 'MODEL'],
    runs.map(({ run, model }) => [
      run.workflowId,
      run.pipelineName,
      run.status,
      formatTimestamp(run.startedAt),
      run.finishedAt ? formatDuration(run.finishedAt.getTime() - run.startedAt.getTime()) : '-',
      model ? modelLabel(model) : '-',
    ]),
  );
}

/**
 * `mlops runs cancel <workflowId>`: asks a running pipeline to stop. Its running activity hears it
 * at the next heartbeat, the run is recorded as `cancelled`, and whatever it had not registered
 * is not registered. Waits up to `waitSeconds` for the run to end (it needs a worker to do so).
 */
export async function runsCancelCommand(
  config: Config,
  workflowId: string,
  options: { readonly json?: boolean; readonly waitSeconds?: number },
): Promise<number> {
  const session = await openSession(config, cliLogger(config, 'runs'), { workers: false, database: true });
  try {
    const run = await requireRun(session.database.db, workflowId);
    if (run.status !== 'running') {
      process.stderr.write(`mlops: ${workflowId} has already ended (${run.status}); nothing to cancel\n`);
      return exitCodes.failed;
    }
    const handle = getPipelineRun(session.client.temporal, run.workflowId, run.runId).handle;
    await handle.cancel();
    const ended = await waitUntil(
      'the run to end',
      async () => (await handle.describe()).status.name !== 'RUNNING',
      { timeoutMs: (options.waitSeconds ?? 30) * 1000, intervalMs: 250 },
    ).then(
      () => true,
      () => false,
    );
    const status = ended
      ? ((await findPipelineRun(session.database.db, { workflowId }))?.status ?? 'cancelled')
      : 'cancelling';
    if (options.json) printJson({ workflowId, status });
    else
      process.stdout.write(
        ended
          ? `${workflowId}: ${status.toUpperCase()}\n`
          : `${workflowId}: cancellation requested; the run stops when a worker picks the request up\n`,
      );
    return exitCodes.ok;
  } finally {
    await session.close();
  }
}

async function requireRun(db: Database, workflowId: string): Promise<PipelineRun> {
  const run = await findPipelineRun(db, { workflowId });
  if (run) return run;
  throw new PipelineRunNotFoundError(
    `no pipeline run with workflow id ${JSON.stringify(workflowId)}; \`mlops runs list\` shows recent runs`,
  );
}

/** The live `progress` query of a running pipeline; a run Temporal no longer knows says why instead. */
async function queryProgress(
  temporal: Parameters<typeof getPipelineRun>[0],
  run: PipelineRun,
): Promise<{ progress: PipelineProgress | null; problem: string | null }> {
  try {
    return { progress: await getPipelineRun(temporal, run.workflowId, run.runId).progress(), problem: null };
  } catch (error) {
    return { progress: null, problem: error instanceof Error ? error.message : String(error) };
  }
}

function describeProgress(progress: PipelineProgress): string {
  const done = progress.stages.filter((stage) => stage.status === 'succeeded' || stage.status === 'skipped');
  const current = progress.stages.find((stage) => stage.stage === progress.currentStage);
  const parts = [
    `${done.length}/${progress.stages.length} stages done`,
    progress.currentStage ?? progress.status,
  ];
  if (current?.detail) parts.push(current.detail);
  if (progress.waitingFor) parts.push(`WAITING: ${progress.waitingFor}`);
  return parts.join(' | ');
}
