import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Connections } from '../../config/connections.js';
import type { DatabaseHandle } from '../../db/client.js';
import { connectionVariables } from '../../stack/env-file.js';

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM: drains, writes its prediction log, exits. */
  stop(): Promise<void>;
  /** SIGKILL: what a crash (OOM kill, power cut) does to it. */
  crash(): Promise<void>;
}

/**
 * `mlops serve` in its own process, as in production, serving only the benchmark's model, with a
 * prediction-log spill folder of its own (under the system temp folder, removed when it exits).
 */
export async function startOurServer(endpoints: Connections, modelName: string): Promise<ServerProcess> {
  const spillDir = await mkdtemp(path.join(os.tmpdir(), 'mlops-serve-spill-'));
  const child = spawn(process.execPath, ['cli/mlops.mjs', 'serve', '--port', '0', '--json'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...connectionVariables(endpoints),
      MLOPS_SERVING_MODELS: modelName,
      MLOPS_PREDICTION_SPILL_DIR: spillDir,
      MLOPS_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => rm(spillDir, { recursive: true, force: true }));
  const summary = await new Promise<{ url: string }>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      try {
        resolve(JSON.parse(text) as { url: string });
      } catch {
        // Not complete yet.
      }
    });
    child.once('exit', (code) => reject(new Error(`mlops serve exited (${code})`)));
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    url: summary.url,
    pid: child.pid ?? 0,
    stop: () => end('SIGTERM'),
    crash: () => end('SIGKILL'),
  };
}

export interface Counters {
  /** Predictions the server answered, and wrote to prediction_logs, by its own counters. */
  readonly answered: number;
  readonly written: number;
  /** prediction_logs rows of the benchmark's model version. */
  readonly rows: number;
  readonly cpuSeconds: number;
}

async function countersOf(
  url: string,
  db: DatabaseHandle,
  versionId: number,
  pid: number,
): Promise<Counters> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const sum = (pattern: RegExp) =>
    [...metrics.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
  const { rows } = await db.pool.query<{ count: string }>(
    'select count(*) from prediction_logs where model_version_id = $1',
    [versionId],
  );
  return {
    answered: sum(/^mlops_serving_predictions_total\{[^}]*\} (\d+)$/gm),
    written: sum(/^mlops_serving_prediction_log_written_total (\d+)$/gm),
    rows: Number(rows[0].count),
    cpuSeconds: treeCpuSeconds(pid),
  };
}

/**
 * Counters once the server's prediction log has caught up (everything answered is written), so a
 * run's rows are counted in that run; the server's CPU is read before waiting.
 */
export async function settledCounters(
  url: string,
  db: DatabaseHandle,
  versionId: number,
  pid: number,
): Promise<Counters> {
  const cpuSeconds = treeCpuSeconds(pid);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const counters = await countersOf(url, db, versionId, pid);
    if (counters.written >= counters.answered || Date.now() > deadline) return { ...counters, cpuSeconds };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** CPU seconds used so far by `pid` and its child processes (MLflow's server runs workers). */
export function treeCpuSeconds(pid: number): number {
  const ticksPerSecond = 100;
  let total = 0;
  const visit = (id: number) => {
    try {
      const stat = readFileSync(`/proc/${id}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
      const children = readFileSync(`/proc/${id}/task/${id}/children`, 'utf8').trim();
      for (const child of children ? children.split(' ') : []) visit(Number(child));
    } catch {
      // The process ended.
    }
  };
  visit(pid);
  return total;
}
