import { decodePayloadValue } from '../../codec/data-converter.js';
import type { PipelineProgress } from '../../contracts/pipeline.js';
import type { PipelineRun } from '../../client/pipeline.js';
import { formatDuration, renderTable } from '../formatting.js';

/**
 * Live progress of a pipeline run on stderr: the `progress` query for stages, and the running
 * activity's heartbeat for training iterations. Redraws one line in a terminal; elsewhere prints a
 * line per change.
 */
export function watchProgress(run: PipelineRun, signal?: AbortSignal): { stop(): void } {
  const tty = process.stderr.isTTY === true;
  let last = '';
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    try {
      // A signal per tick: the SDK keeps a listener on the signal of every call made under it.
      const line = await run.handle.client.withAbortSignal(
        signal ? AbortSignal.any([signal]) : new AbortController().signal,
        async () => describe(await run.progress(), await heartbeatOf(run)),
      );
      if (line !== last) {
        process.stderr.write(
          tty ? `\r\u001b[2K${line.slice(0, (process.stderr.columns ?? 120) - 1)}` : `${line}\n`,
        );
        last = line;
      }
    } catch {
      // The run may not have its first task yet, or just ended: try again next tick.
    }
  };
  const timer = setInterval(() => void tick(), 500);
  void tick();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (tty && last) process.stderr.write('\n');
    },
  };
}

function describe(progress: PipelineProgress, heartbeat: Record<string, unknown> | undefined): string {
  const done = progress.stages.filter(
    (stage) => stage.status === 'succeeded' || stage.status === 'skipped',
  ).length;
  const width = 20;
  const filled = Math.round((done / progress.stages.length) * width);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
  const current = progress.stages.find((stage) => stage.stage === progress.currentStage);
  const cached = progress.stages.filter((stage) => stage.cacheHit).map((stage) => stage.stage);
  const parts = [`[${bar}] ${done}/${progress.stages.length}`, progress.currentStage ?? progress.status];
  if (current?.detail) parts.push(current.detail);
  if (heartbeat && typeof heartbeat.iteration === 'number' && heartbeat.iteration > 0) {
    const loss = typeof heartbeat.loss === 'number' ? ` loss ${heartbeat.loss.toPrecision(4)}` : '';
    const metric =
      typeof heartbeat.validationMetric === 'number'
        ? ` validation ${heartbeat.validationMetric.toPrecision(4)}`
        : '';
    parts.push(`iteration ${heartbeat.iteration}${loss}${metric}`);
  }
  if (heartbeat?.kind === 'command') parts.push(commandProgress(heartbeat));
  if (cached.length) parts.push(`cache hits: ${cached.join(', ')}`);
  if (progress.waitingFor) parts.push(`WAITING: ${progress.waitingFor}`);
  return parts.join(' | ');
}

/** A command trainer's last report (docs/trainers.md): its progress and metrics. */
function commandProgress(heartbeat: Record<string, unknown>): string {
  const progress =
    typeof heartbeat.progress === 'number' ? `${Math.round(heartbeat.progress * 100)}%` : 'running';
  const metrics = Object.entries((heartbeat.metrics as Record<string, number> | undefined) ?? {})
    .slice(0, 3)
    .map(([name, value]) => ` ${name} ${Number(value).toPrecision(4)}`)
    .join('');
  const checkpoint = (heartbeat.checkpoint as { name?: string } | null)?.name;
  return `trainer ${progress}${metrics}${checkpoint ? ` (checkpoint ${checkpoint})` : ''}`;
}

/** The last heartbeat of the run's running activity (training reports its iteration there). */
async function heartbeatOf(run: PipelineRun): Promise<Record<string, unknown> | undefined> {
  const description = await run.handle.describe();
  for (const activity of description.raw.pendingActivities ?? []) {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    // Raw in describe(): decrypted with the client's own codec.
    if (payload) return decodePayloadValue(run.handle.client.options.loadedDataConverter, payload);
  }
  return undefined;
}

/**
 * Every stage as the run ended: status, elapsed time and what it said, so the last thing shown is
 * the final state of each stage rather than the last live frame.
 */
export function stageList(progress: PipelineProgress): string[] {
  return renderTable(
    ['stage', 'status', 'elapsed', 'detail'],
    progress.stages.map((stage) => [
      stage.stage,
      stage.cacheHit ? `${stage.status} (cached)` : stage.status,
      stage.startedAt !== undefined && stage.finishedAt !== undefined
        ? formatDuration(stage.finishedAt - stage.startedAt)
        : '-',
      stage.detail ?? '',
    ]),
  );
}
