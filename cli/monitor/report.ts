import path from 'node:path';
import type { Config } from '../../config/index.js';
import type { Database } from '../../db/client.js';
import {
  countDriftWindows,
  findDriftReport,
  listDriftWindows,
  type DriftWindowRow,
} from '../../db/queries/drift.js';
import { modelEventsBetween } from '../../db/queries/model-events.js';
import { renderDriftReport } from '../../reports/drift-report.js';
import type { DriftHistoryPoint } from '../../reports/drift-types.js';
import { openSession } from '../session.js';
import { cliLogger, exitCodes, printJson } from '../shared.js';
import { openInBrowser } from '../open-file.js';
import { driftReportPath, saveReport } from './report-file.js';

/** `mlops monitor report` options, parsed by commander. */
export interface MonitorReportOptions {
  /** 1 = the newest window, 2 = the one before, ... */
  readonly window?: number;
  /** A drift report's id (as `mlops monitor status --json` and the drift-window activity give it). */
  readonly id?: number;
  readonly output?: string;
  readonly open?: boolean;
  readonly json?: boolean;
}

/** Windows before the chosen one that its report draws (live metric, max PSI) and takes events from. */
const HISTORY_WINDOWS = 50;

function historyPoint(row: DriftWindowRow): DriftHistoryPoint {
  return {
    id: row.id,
    version: row.version,
    windowStart: row.windowStart.toISOString(),
    windowEnd: row.windowEnd.toISOString(),
    rows: row.rows,
    drifted: row.drifted,
    maxPsi: row.maxPsi,
    liveMetric: row.liveMetric,
  };
}

/** `mlops monitor report <model>`: one window's drift report, built from the database and saved as HTML. */
export async function monitorReportCommand(
  config: Config,
  name: string,
  options: MonitorReportOptions,
): Promise<number> {
  const session = await openSession(config, cliLogger(config, 'monitor'), { workers: false, database: true });
  try {
    const db = session.database.db;
    const which = options.id === undefined ? { newest: options.window ?? 1 } : { id: options.id };
    const stored = await findDriftReport(db, name, which);
    if (!stored) {
      process.stderr.write(`mlops: ${await notFound(db, name, which)}\n`);
      return exitCodes.failed;
    }
    const history = (await listDriftWindows(db, name, { limit: HISTORY_WINDOWS, until: stored.windowEnd }))
      .reverse()
      .map(historyPoint);
    const events = await modelEventsBetween(db, name, {
      from: new Date(history[0]?.windowStart ?? stored.windowStart),
      to: stored.windowEnd,
    });
    const html = renderDriftReport({
      model: { name, version: stored.version },
      window: historyPoint(stored),
      drift: stored.report,
      history,
      events: events.map((event) => ({ ...event, at: event.at.toISOString() })),
      generatedAt: new Date().toISOString(),
    });
    const destination = options.output
      ? path.resolve(options.output)
      : driftReportPath(config.home, name, stored.id);
    await saveReport(destination, html);
    const opened = options.open ? await openInBrowser(destination) : null;
    const document = {
      model: name,
      reportId: stored.id,
      version: stored.version,
      windowStart: stored.windowStart.toISOString(),
      windowEnd: stored.windowEnd.toISOString(),
      rows: stored.rows,
      drifted: stored.drifted,
      path: destination,
      opened: opened?.opened ?? false,
    };
    if (options.json) printJson(document);
    else {
      process.stdout.write(
        `drift report of ${name} v${stored.version}, window ${document.windowStart} → ${document.windowEnd}` +
          ` (${stored.drifted ? 'drift' : 'no drift'}): ${destination}\n`,
      );
    }
    // Said on stderr, so --json output stays one document.
    if (opened) process.stderr.write(`mlops: ${opened.message}\n`);
    return exitCodes.ok;
  } finally {
    await session.close();
  }
}

async function notFound(
  db: Database,
  name: string,
  which: { readonly newest: number } | { readonly id: number },
): Promise<string> {
  const count = await countDriftWindows(db, name);
  if (count === 0)
    return `${name} has no drift report yet: its monitor stores one per judged window (\`mlops monitor start ${name}\`)`;
  return 'id' in which
    ? `${name} has no drift report ${which.id}; \`mlops monitor report ${name} --window 1\` gives the newest`
    : `${name} has ${count} drift report(s): --window ${which.newest} is beyond them (1 is the newest)`;
}
