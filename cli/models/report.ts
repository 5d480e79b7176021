import type { Config } from '../../config/index.js';
import { findModelVersionDetail } from '../../db/queries/lineage.js';
import { openInBrowser } from '../open-file.js';
import type { ModelReference } from '../options.js';
import { openSession } from '../session.js';
import { cliLogger, exitCodes, printJson } from '../shared.js';
import { notFound } from './lineage.js';
import { fetchReport } from './report-file.js';

/**
 * `mlops models report <name>@<version> [--open]`: the version's HTML report fetched from S3
 * (checked against its recorded hash) to `<MLOPS_HOME>/reports/`, its path printed, and with
 * `--open` shown in the desktop's browser. A version whose report stage has not run yet says so.
 */
export async function modelsReportCommand(
  config: Config,
  reference: Required<ModelReference>,
  options: { readonly open?: boolean; readonly json?: boolean },
): Promise<number> {
  const session = await openSession(config, cliLogger(config, 'models'), { workers: false, database: true });
  try {
    const detail = await findModelVersionDetail(session.database.db, reference.name, reference.version);
    if (!detail) throw await notFound(session.database.db, reference);
    const label = `${detail.model.name}@${detail.version.version}`;
    if (!detail.report) {
      process.stderr.write(
        `mlops: ${label} has no report yet: its pipeline run has not reached the report stage ` +
          `(\`mlops models show ${label}\` shows its run)\n`,
      );
      return exitCodes.failed;
    }
    const report = await fetchReport(session.stack.connections.s3, detail.report, {
      home: config.home,
      model: detail.model.name,
      version: detail.version.version,
    });
    if (!report.path) {
      process.stderr.write(`mlops: ${report.problem ?? `could not fetch ${report.uri}`}\n`);
      return exitCodes.failed;
    }
    const opened = options.open ? await openInBrowser(report.path) : undefined;
    if (options.json)
      printJson({ model: label, uri: report.uri, path: report.path, opened: opened?.opened ?? false });
    else {
      process.stdout.write(`${report.path}\n`);
      if (opened) process.stderr.write(`mlops: ${opened.message}\n`);
    }
    return exitCodes.ok;
  } finally {
    await session.close();
  }
}
