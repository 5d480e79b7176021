import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { connectClient, workflowUiUrl } from '../../client/connect.js';
import { ModelLoopClient } from '../../client/loop.js';
import { startPipeline } from '../../client/pipeline.js';
import type { Config } from '../../config/index.js';
import { connectDatabase } from '../../db/client.js';
import { createApiToken, revokeApiToken } from '../../db/queries/api-tokens.js';
import { listModelVersions } from '../../db/queries/registry.js';
import { parseSpecText } from '../../spec/parse.js';
import { lifecycleWorkflowId } from '../../contracts/lifecycle.js';
import { monitorWorkflowId, type MonitorStatus } from '../../contracts/monitor.js';
import { TrafficReplay } from './replay.js';
import {
  eventsBetween,
  summarizeWeek,
  tableHeader,
  tableRow,
  type DemoEvent,
  type DemoWindow,
} from './summary.js';
import { loadTraffic } from './traffic.js';
import { startStackAndPools } from '../session.js';
import { startServing } from '../serving/serving-process.js';
import { cliLogger, onShutdownSignal, printJson, UsageError } from '../shared.js';

export interface DemoOptions {
  readonly weeks?: string;
  readonly weekSeconds?: string;
  readonly flightsPerWeek?: string;
  readonly json?: boolean;
  readonly keep?: boolean;
  readonly exit?: boolean;
}

const MODEL = 'flights-delay-live';
/** January 2001 trains the first model; February to June is replayed as production traffic. */
const INITIAL_SPEC = `
name: ${MODEL}
dataset:
  uri: ./node_modules/vega-datasets/data/flights-3m.parquet
  query: >-
    select * from (
      select hour("date") as hour, dayofweek("date") as day_of_week, distance, origin, destination, "date", delay > 15 as delayed
      from data where "date" < timestamp '2001-02-01' and delay is not null
    ) using sample 120000 rows (reservoir, 42)
target: delayed
features: [hour, day_of_week, distance, origin, destination]
validation: { minRows: 1000, columns: { distance: { type: number, min: 0, max: 6000 } } }
split: { strategy: time, timeColumn: date, validationFrom: '2001-01-22', testFrom: '2001-01-27' }
train: { trainer: gradient_boosting, params: { nEstimators: 80, learningRate: 0.1, maxLeaves: 31, minSamplesLeaf: 20 } }
evaluation: { primaryMetric: auc, gates: [{ metric: auc, min: 0.55 }] }
deploy: { promote: true }
`;

/**
 * `mlops demo` (and `npm start`): the whole loop on real flights. Trains on January 2001, serves
 * the model, replays February-June through the server at an accelerated clock with the true
 * outcomes sent back later, and lets the monitor, retraining and promotion act on their own,
 * printing what each simulated week looked like. What happens is what the data does.
 */
export async function demoCommand(config: Config, options: DemoOptions): Promise<void> {
  const weeks = count('--weeks', options.weeks ?? '22', 1, 22);
  const weekSeconds = count('--week-seconds', options.weekSeconds ?? '11', 2, 3600);
  const perWeek = count('--flights-per-week', options.flightsPerWeek ?? '1500', 50, 100_000);
  const log = cliLogger(config, 'demo');
  const say = (line: string) => (options.json ? undefined : process.stdout.write(`${line}\n`));

  const { stack, pools } = await startStackAndPools(config, log, undefined, { quietWorkers: true });
  const serving = await startServing({ config, stack, log, port: 0, host: '127.0.0.1' }).catch(
    async (error: unknown) => {
      await pools.shutdown();
      await stack.stop();
      throw error;
    },
  );
  const client = await connectClient(config, stack.connections);
  const database = connectDatabase(stack.connections.databaseUrl, { maxConnections: 2 });
  const tokenName = `demo-${randomUUID().slice(0, 8)}`;
  const stopAll = async () => {
    await revokeApiToken(database.db, tokenName, { actor: 'demo', reason: 'the demo ended' }).catch(
      () => undefined,
    );
    await client.close();
    await database.close();
    await serving.close();
    await pools.shutdown();
    await stack.stop();
  };
  const loop = new ModelLoopClient(client.temporal, config.taskQueues);
  onShutdownSignal(async () => {
    await endMonitor(loop, client.temporal, 'the demo was stopped');
    await stopAll();
  });
  const ui = (workflowId: string) => workflowUiUrl(stack.connections, workflowId) ?? workflowId;

  // A fresh start: the previous demo's monitor, its retraining and its lifecycle (same model name) are ended.
  await endMonitor(loop, client.temporal, 'a new demo starts');
  await client.temporal.workflow
    .getHandle(lifecycleWorkflowId(MODEL))
    .terminate('a new demo starts')
    .catch((error: unknown) => {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    });
  const { token } = await createApiToken(
    database.db,
    { name: tokenName, scopes: ['predict', 'feedback'] },
    { actor: 'demo', reason: "the demo's replayed traffic and labels" },
  );
  say(`Temporal UI ${stack.connections.temporal.uiUrl ?? '-'}   serving ${serving.url}`);
  say('Training the first model on January 2001 (120,000 flights sampled)...');
  const traffic = loadTraffic({ from: '2001-02-01', to: '2001-07-01', perWeek, weeks });
  // Loaded while the model trains; a failure surfaces where it is awaited.
  traffic.catch(() => undefined);
  const initial = await (
    await startPipeline(client.temporal, parseSpecText(INITIAL_SPEC, 'demo.yaml'), {
      taskQueues: config.taskQueues,
      trigger: 'demo',
    })
  ).result();
  if (initial.status !== 'succeeded' || !initial.model)
    throw new Error(`the first model did not train: ${initial.error?.message ?? initial.status}`);
  say(
    `v${initial.model.version} trained: test AUC ${initial.metrics.auc?.toFixed(4)}, serving as champion. ${ui(initial.workflowId)}`,
  );
  await waitUntilServed(serving.url, token, initial.model.version);

  await loop.startMonitor(MODEL, {
    intervalSeconds: weekSeconds,
    minRows: Math.min(300, Math.floor(perWeek / 2)),
    minLabels: Math.min(200, Math.floor(perWeek / 3)),
    driftWindows: 2,
    metricDrop: 0.03,
    cooldownSeconds: weekSeconds * 3,
    includeTrainingData: true,
    canary: {
      share: 0.3,
      bakeSeconds: weekSeconds * 2,
      minLabels: Math.min(150, Math.floor(perWeek / 5)),
      checkIntervalSeconds: Math.max(1, weekSeconds / 4),
      comparisonWindowSeconds: weekSeconds,
    },
  });
  const replay = new TrafficReplay({
    url: serving.url,
    token,
    model: MODEL,
    weekSeconds,
    labelDelayHours: 24,
  });
  say(
    `Replaying ${weeks} weeks of February-June 2001, ${perWeek} flights a week, one week every ${weekSeconds}s; labels follow a simulated day later.\n`,
  );
  say(tableHeader());
  const windows: DemoWindow[] = [];
  const events: DemoEvent[] = [];
  for (const week of await traffic) {
    const wallFrom = Date.now();
    const played = await replay.playWeek(week);
    const monitor = await loop.monitorStatus(MODEL).catch(() => null);
    // Until a challenger starts it, the lifecycle workflow is the one a new demo ended (or none).
    const lifecycle = (await isRunning(client.temporal, lifecycleWorkflowId(MODEL)))
      ? await loop.lifecycleStatus(MODEL).catch(() => null)
      : null;
    const weekEvents = eventsBetween(wallFrom, Date.now(), week.index + 1, monitor, lifecycle);
    events.push(...weekEvents);
    const window = summarizeWeek(week, played, monitor, wallFrom, Date.now(), weekEvents);
    windows.push(window);
    say(tableRow(window));
  }
  await replay.flushLabels();
  const finalMonitor = await endMonitor(loop, client.temporal, 'the demo ended');
  const firstVersion = initial.model.version;
  // This run's versions: the first model (a stage-cache hit reuses an earlier demo's) and what
  // this run's retraining registered (a version's registration key is its pipeline's workflow id).
  const retrainRuns = new Set(finalMonitor?.retrains.map((retrain) => retrain.workflowId));
  const versions = (await listModelVersions(database.db, MODEL)).filter(
    (version) => version.version === firstVersion || retrainRuns.has(version.registrationKey),
  );
  const summary = {
    model: MODEL,
    windows,
    versions: versions
      .map((version) => ({
        version: version.version,
        status: version.status,
        testAuc: version.metrics.auc ?? null,
        trigger: version.version === firstVersion ? 'initial (January)' : 'retrained on production data',
      }))
      .reverse(),
    events,
    retrains: finalMonitor?.retrains ?? [],
    links: {
      initialRun: ui(initial.workflowId),
      monitor: ui(monitorWorkflowId(MODEL)),
      lifecycle: ui(lifecycleWorkflowId(MODEL)),
    },
    verdict: verdict(windows, finalMonitor),
  };
  if (options.json) printJson(summary);
  else {
    say('');
    for (const version of summary.versions)
      say(
        `v${version.version}  ${version.status.padEnd(10)}  test AUC ${version.testAuc?.toFixed(4) ?? '-'}  ${version.trigger}`,
      );
    say(`\n${summary.verdict}`);
    say(
      `\nEvery step is in the Temporal UI:\n  first training  ${summary.links.initialRun}\n  monitor         ${summary.links.monitor}\n  lifecycle       ${summary.links.lifecycle}`,
    );
  }
  const keep = options.keep ?? (!options.exit && process.stdout.isTTY === true);
  if (keep) {
    say('\nThe stack stays up for inspection; Ctrl-C stops everything.');
    await pools.finished;
  } else await stopAll();
}

/**
 * Stops the demo's monitor and cancels the retraining it has running. Retraining outlives a stopped
 * monitor by design, but the demo's workers stop with it: a run left behind would finish in the next
 * demo and register a version there. Waits (a while) for each cancelled run to record its end.
 */
async function endMonitor(
  loop: ModelLoopClient,
  temporal: Client,
  reason: string,
): Promise<MonitorStatus | null> {
  // A monitor that has ended (a demo that ended normally) has no retraining left running.
  if (!(await isRunning(temporal, monitorWorkflowId(MODEL)))) return null;
  await loop.stopMonitor(MODEL, reason).catch((error: unknown) => {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  });
  // A stopped workflow still answers queries, replayed by a worker on its task queue. One left by
  // a killed demo with another task queue has none: the query gives up (StatusQueryTimeout).
  const status = await loop.monitorStatus(MODEL).catch(() => null);
  const running = (status?.retrains ?? []).filter((retrain) => retrain.finishedAt === null);
  // What became of each: cancelled now, or (not found) never started or already over.
  const ended = new Map<string, string>();
  await Promise.all(
    running.map(async ({ workflowId }) => {
      const handle = temporal.workflow.getHandle(workflowId);
      try {
        await handle.cancel();
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        const closed = await handle.describe().catch(() => null);
        ended.set(workflowId, closed ? closed.status.name.toLowerCase() : `not started: ${reason}`);
        return;
      }
      ended.set(workflowId, `cancelled: ${reason}`);
      await Promise.race([handle.result().catch(() => undefined), delay(30_000, undefined, { ref: false })]);
    }),
  );
  if (!status) return null;
  return {
    ...status,
    retrains: status.retrains.map((retrain) => {
      const outcome = ended.get(retrain.workflowId);
      return outcome ? { ...retrain, status: outcome } : retrain;
    }),
  };
}

async function isRunning(temporal: Client, workflowId: string): Promise<boolean> {
  try {
    return (await temporal.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/** What the run showed, in words: drift or not, retrains, promotions. */
function verdict(windows: readonly DemoWindow[], monitor: MonitorStatus | null): string {
  const drifted = windows.filter((window) => window.drift?.drifted).length;
  const judged = windows.filter((window) => window.drift).length;
  const aucs = windows.map((window) => window.liveAuc).filter((value): value is number => value !== null);
  const retrains = monitor?.retrains ?? [];
  const promoted = windows
    .flatMap((window) => window.events)
    .filter((event) => event.startsWith('canary-promote')).length;
  const rolledBack = windows
    .flatMap((window) => window.events)
    .filter((event) => event.startsWith('canary-rollback') || event.startsWith('challenger-rejected')).length;
  return [
    `Drift: ${drifted} of ${judged} judged weeks drifted from January's inputs.`,
    `Live AUC ranged ${aucs.length ? `${Math.min(...aucs).toFixed(3)}-${Math.max(...aucs).toFixed(3)}` : 'n/a'} over the weeks.`,
    `Retraining: ${retrains.length} run(s) (${retrains.map((retrain) => `${retrain.status}${retrain.version ? ` v${retrain.version}` : ''}: ${retrain.reason}`).join('; ') || 'none triggered'}).`,
    `Promotion: ${promoted} challenger(s) promoted after a canary, ${rolledBack} rolled back or rejected.`,
  ].join('\n');
}

async function waitUntilServed(url: string, token: string, version: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${url}/v1/models/${MODEL}`, {
      headers: { authorization: `Bearer ${token}` },
    }).catch(() => undefined);
    const body = response?.ok
      ? ((await response.json()) as { ready?: boolean; version?: number })
      : undefined;
    if (body?.ready && body.version === version) return;
    if (Date.now() > deadline)
      throw new Error(`the server did not start serving ${MODEL} v${version} within a minute`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function count(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  return value;
}
