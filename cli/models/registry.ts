import type { Config } from '../../config/index.js';
import { findModelVersionDetail } from '../../db/queries/lineage.js';
import {
  listModelSummaries,
  listModelVersionsWithAliases,
  type ModelListing,
  type ModelVersionListing,
} from '../../db/queries/listing.js';
import { findModel } from '../../db/queries/registry.js';
import { formatMetric, formatTimestamp, renderTable } from '../formatting.js';
import { notFound } from './lineage.js';
import type { ModelReference } from '../options.js';
import { modelVersionDocument, renderModelVersion } from './version-view.js';
import { fetchReport } from './report-file.js';
import { openSession } from '../session.js';
import { cliLogger, exitCodes, printJson } from '../shared.js';

/** `mlops models list`: every model with its number of versions, latest version and champion. */
export async function modelsListCommand(
  config: Config,
  options: { readonly json?: boolean },
): Promise<number> {
  const session = await openSession(config, cliLogger(config, 'models'), { workers: false, database: true });
  try {
    const models = await listModelSummaries(session.database.db);
    if (options.json) printJson({ models: models.map(modelListingDocument) });
    else process.stdout.write(`${renderModelList(models).join('\n')}\n`);
    return exitCodes.ok;
  } finally {
    await session.close();
  }
}

/**
 * `mlops models show <name>`: its versions; `mlops models show <name>@<version>`: one version in
 * detail, with its HTML report fetched to `<MLOPS_HOME>/reports/` so a person can open it.
 */
export async function modelsShowCommand(
  config: Config,
  reference: ModelReference,
  options: { readonly json?: boolean },
): Promise<number> {
  const session = await openSession(config, cliLogger(config, 'models'), { workers: false, database: true });
  try {
    const db = session.database.db;
    if (reference.version === undefined) {
      const model = await findModel(db, reference.name);
      if (!model) throw await notFound(db, reference);
      const versions = await listModelVersionsWithAliases(db, model.id);
      const document = {
        name: model.name,
        task: model.task,
        createdAt: model.createdAt.toISOString(),
        versions: versions.map(versionListingDocument),
      };
      if (options.json) printJson(document);
      else process.stdout.write(`${renderVersionList(document.name, versions).join('\n')}\n`);
      return exitCodes.ok;
    }
    const detail = await findModelVersionDetail(db, reference.name, reference.version);
    if (!detail) throw await notFound(db, reference);
    const report = detail.report
      ? await fetchReport(session.stack.connections.s3, detail.report, {
          home: config.home,
          model: detail.model.name,
          version: detail.version.version,
        })
      : null;
    if (report?.problem) process.stderr.write(`mlops: warning: ${report.problem}\n`);
    const document = modelVersionDocument(detail, report);
    if (options.json) printJson(document);
    else process.stdout.write(`${renderModelVersion(document).join('\n')}\n`);
    return exitCodes.ok;
  } finally {
    await session.close();
  }
}

function modelListingDocument(model: ModelListing) {
  return {
    name: model.name,
    task: model.task,
    versions: model.versions,
    latestVersion: model.latestVersion,
    championVersion: model.championVersion,
    createdAt: model.createdAt.toISOString(),
  };
}

function versionListingDocument(version: ModelVersionListing) {
  return {
    version: version.version,
    status: version.status,
    createdAt: version.createdAt.toISOString(),
    aliases: version.aliases,
    champion: version.aliases.includes('champion'),
    primaryMetric:
      version.primaryMetric === null
        ? null
        : { name: version.primaryMetric, value: numberOrNull(version.metrics[version.primaryMetric]) },
    metrics: version.metrics,
  };
}

function renderModelList(models: readonly ModelListing[]): string[] {
  if (models.length === 0) return ['no models registered yet: `mlops run <spec>` trains and registers one'];
  return renderTable(
    ['MODEL', 'TASK', 'VERSIONS', 'LATEST', 'CHAMPION'],
    models.map((model) => [
      model.name,
      model.task ?? '-',
      String(model.versions),
      model.latestVersion === null ? '-' : `v${model.latestVersion}`,
      model.championVersion === null ? '-' : `v${model.championVersion}`,
    ]),
  );
}

function renderVersionList(name: string, versions: readonly ModelVersionListing[]): string[] {
  if (versions.length === 0) return [`${name} has no versions yet`];
  const table = renderTable(
    ['VERSION', 'STATUS', 'CREATED', 'PRIMARY METRIC', 'ALIASES'],
    versions.map((version) => [
      `${version.aliases.includes('champion') ? '*' : ' '} v${version.version}`,
      version.status,
      formatTimestamp(version.createdAt),
      version.primaryMetric === null
        ? '-'
        : `${version.primaryMetric} ${formatMetric(version.metrics[version.primaryMetric])}`,
      version.aliases.join(', ') || '-',
    ]),
  );
  return [`${name}  (* champion; \`mlops models show ${name}@<version>\` for one version)`, ...table];
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
