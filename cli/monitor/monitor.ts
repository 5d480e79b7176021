import { WorkflowNotFoundError } from '@temporalio/client';
import { ModelLoopClient } from '../../client/loop.js';
import type { Config } from '../../config/index.js';
import type { MonitorPolicy, MonitorStatus } from '../../contracts/monitor.js';
import type { Database } from '../../db/client.js';
import { findDriftReport } from '../../db/queries/drift.js';
import { openSession, type DatabaseSession, type Session } from '../session.js';
import { cliLogger, exitCodes, printJson } from '../shared.js';
import { driftReportCommand, driftReportPath, fileExists } from './report-file.js';

/** `mlops monitor start` options, parsed by commander (cli/options.ts); durations in seconds. */
export interface MonitorStartOptions {
  readonly interval?: number;
  readonly minRows?: number;
  readonly driftWindows?: number;
  readonly metricDrop?: number;
  readonly cooldown?: number;
  readonly json?: boolean;
}

export type MonitorAction = 'start' | 'status' | 'stop' | 'pause' | 'resume';

/** `mlops monitor start|status|stop|pause|resume <name>`: the model's monitor workflow. */
export async function monitorCommand(
  config: Config,
  action: MonitorAction,
  name: string,
  options: MonitorStartOptions,
): Promise<number> {
  const policy = action === 'start' ? policyFrom(options) : {};
  const log = cliLogger(config, 'monitor');
  // Status also reads the database, for the newest drift report.
  const session: Session & Partial<Pick<DatabaseSession, 'database'>> =
    action === 'status'
      ? await openSession(config, log, { workers: false, database: true })
      : await openSession(config, log, { workers: action === 'start' });
  const loop = new ModelLoopClient(session.client.temporal, config.taskQueues);
  try {
    if (action === 'start') {
      const workflowId = await loop.startMonitor(name, policy);
      if (options.json) printJson({ workflowId });
      else process.stdout.write(`monitoring ${name} (${workflowId})\n`);
    } else if (action === 'status') {
      const status = await loop.monitorStatus(name);
      const newestReport = session.database
        ? await newestReportOf(session.database.db, config.home, name)
        : null;
      if (options.json) printJson({ ...status, newestReport });
      else
        process.stdout.write(
          `${[...renderStatus(status), ...renderNewestReport(newestReport)].join('\n')}\n`,
        );
    } else {
      await (action === 'stop'
        ? loop.stopMonitor(name)
        : action === 'pause'
          ? loop.pauseMonitor(name)
          : loop.resumeMonitor(name));
      if (options.json) printJson({ [action]: true });
      else process.stdout.write(`${action}: ${name}\n`);
    }
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      process.stderr.write(`mlops: ${name} has no monitor; start one with \`mlops monitor start ${name}\`\n`);
      return exitCodes.failed;
    }
    throw error;
  } finally {
    await session.close();
  }
}

function policyFrom(options: MonitorStartOptions): Partial<MonitorPolicy> {
  return {
    ...(options.interval === undefined ? {} : { intervalSeconds: options.interval }),
    ...(options.cooldown === undefined ? {} : { cooldownSeconds: options.cooldown }),
    ...(options.minRows === undefined ? {} : { minRows: options.minRows }),
    ...(options.driftWindows === undefined ? {} : { driftWindows: options.driftWindows }),
    ...(options.metricDrop === undefined ? {} : { metricDrop: options.metricDrop }),
  };
}

/** The newest window's drift report: its saved file, or the command that saves it. */
interface NewestReport {
  readonly id: number;
  readonly windowEnd: string;
  /** Null until `mlops monitor report` saved it at the default place. */
  readonly path: string | null;
  readonly command: string;
}

async function newestReportOf(db: Database, home: string, name: string): Promise<NewestReport | null> {
  const newest = await findDriftReport(db, name, { newest: 1 });
  if (!newest) return null;
  const file = driftReportPath(home, name, newest.id);
  return {
    id: newest.id,
    windowEnd: newest.windowEnd.toISOString(),
    path: (await fileExists(file)) ? file : null,
    command: driftReportCommand(name),
  };
}

function renderNewestReport(report: NewestReport | null): string[] {
  if (!report) return ['  no drift report yet'];
  return report.path
    ? [`  newest drift report: ${report.path}`]
    : [`  newest drift report (window ending ${report.windowEnd}): \`${report.command}\` saves it`];
}

function renderStatus(status: MonitorStatus): string[] {
  const lines = [
    `${status.modelName}: ${status.paused ? 'PAUSED' : 'watching'} every ${status.policy.intervalSeconds}s; ${status.consecutiveDrifted} drifted window(s) in a row` +
      (status.retrainInFlight ? `; retraining: ${status.retrainInFlight}` : ''),
  ];
  for (const window of status.windows.slice(-10)) {
    const live =
      window.liveMetric?.value === null || !window.liveMetric
        ? ''
        : ` live ${window.liveMetric.name} ${window.liveMetric.value.toFixed(4)}`;
    lines.push(
      `  ${new Date(window.windowEnd).toISOString()}  v${window.servedVersion ?? '-'}  ${String(window.rows).padStart(7)} rows  ${window.drifted ? 'DRIFT' : 'ok   '}  max PSI ${window.maxPsi?.toFixed(3) ?? '-'}${live}${window.action ? `  ${window.action}` : ''}`,
    );
  }
  for (const retrain of status.retrains.slice(-5))
    lines.push(
      `  retrain ${retrain.workflowId}: ${retrain.status}${retrain.version ? ` (v${retrain.version})` : ''}; ${retrain.reason}`,
    );
  return lines;
}
