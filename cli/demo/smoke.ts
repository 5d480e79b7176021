import { runSmokePipeline } from '../../client/smoke.js';
import { connectClient, workflowUiUrl } from '../../client/connect.js';
import type { Config } from '../../config/index.js';
import { startStackAndPools } from '../session.js';
import { describeEndpoints } from '../platform/endpoints.js';
import { cliLogger, onShutdownSignal, printJson } from '../shared.js';

/**
 * `mlops smoke`: brings up the stack and both pools, runs the smoke pipeline through them (Postgres,
 * S3, the CPU and GPU pools) and prints endpoints and result. Then it keeps everything up for
 * inspection in the Temporal UI until Ctrl-C when run in a terminal, and exits when not (or with --exit).
 */
export async function smokeCommand(
  config: Config,
  options: { json?: boolean; exit?: boolean; keep?: boolean },
): Promise<void> {
  const log = cliLogger(config, 'smoke');
  const { stack, pools } = await startStackAndPools(config, log, undefined, { quietWorkers: true });
  const stopAll = async () => {
    await pools.shutdown();
    await stack.stop();
  };
  onShutdownSignal(stopAll);
  const client = await connectClient(config, stack.connections);
  try {
    const useGpu = pools.identities.gpu !== undefined;
    const run = await runSmokePipeline(client.temporal, {
      taskQueues: pools.taskQueues,
      useGpu,
      folds: Math.max(2, pools.gpuDevices.length),
    });
    const ui = workflowUiUrl(stack.connections, run.workflowId, run.runId);
    const summary = {
      ...describeEndpoints(stack.connections),
      workers: pools.identities,
      smoke: { ...run, ui: ui ?? null },
    };
    if (options.json) printJson(summary);
    else printSummary(summary, useGpu);
  } finally {
    await client.close();
  }
  const keep = options.keep ?? (!options.exit && process.stdout.isTTY === true);
  if (keep) {
    // stderr: with --json, stdout holds only the JSON document.
    process.stderr.write('\nThe stack stays up for inspection; Ctrl-C stops everything.\n');
    await pools.finished;
  } else await stopAll();
}

function printSummary(
  summary: ReturnType<typeof describeEndpoints> & {
    workers: Record<string, string | undefined>;
    smoke: Awaited<ReturnType<typeof runSmokePipeline>> & { ui: string | null };
  },
  useGpu: boolean,
) {
  const { result } = summary.smoke;
  const lines = [
    `Temporal     ${summary.temporal.address}   UI ${summary.temporal.ui ?? '-'}`,
    `PostgreSQL   ${summary.postgres.url}`,
    `S3           ${summary.s3.endpoint ?? 'AWS'} bucket ${summary.s3.bucket}`,
    '',
    `Smoke pipeline ${summary.smoke.workflowId}: succeeded`,
    `  dataset    ${result.dataset.uri} (${result.dataset.bytes} bytes, sha256 ${result.dataset.sha256.slice(0, 12)}…)`,
    `  prepare    on ${result.prepareWorker}`,
    ...result.folds.map(
      (fold) =>
        `  fit fold ${fold.fold} on ${fold.workerIdentity}${fold.gpuDevice === null ? '' : ` (GPU ${fold.gpuDevice})`}: y = ${fold.slope.toFixed(4)}x + ${fold.intercept.toFixed(4)}`,
    ),
    `  fitted     y = ${result.slope.toFixed(4)}x + ${result.intercept.toFixed(4)} (data: y = 3x + 2 + noise)`,
    useGpu ? '' : '  (no GPU found: folds ran on the CPU pool; MLOPS_GPUS=2 runs the GPU pool without one)',
    `  inspect    ${summary.smoke.ui ?? '(Temporal UI not embedded)'}`,
  ];
  process.stdout.write(`${lines.filter((line, index) => line !== '' || index === 3).join('\n')}\n`);
}
