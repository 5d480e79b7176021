import { pathToFileURL } from 'node:url';
import type { GateOutcome } from '../../contracts/pipeline.js';
import type { ModelVersionDetail } from '../../db/queries/lineage.js';
import { formatBytes, formatMetric, formatParams, formatTimestamp, shortHash } from '../formatting.js';
import type { ReportFile } from './report-file.js';

/** `mlops models show <name>@<version> --json`: one version in detail. */
export interface ModelVersionDocument {
  readonly name: string;
  readonly version: number;
  readonly status: string;
  readonly task: string | null;
  readonly createdAt: string;
  readonly aliases: readonly string[];
  readonly champion: boolean;
  readonly rejectionReasons: readonly string[];
  readonly metrics: Readonly<Record<string, unknown>>;
  readonly fairness: Readonly<Record<string, unknown>> | null;
  readonly gates: readonly GateOutcome[];
  readonly params: Readonly<Record<string, unknown>>;
  readonly datasetVersion: {
    readonly name: string;
    readonly uri: string;
    readonly sha256: string;
    readonly rows: number;
  } | null;
  readonly codeVersion: string;
  readonly runtime: Readonly<Record<string, unknown>>;
  readonly pipelineRun: { readonly workflowId: string; readonly runId: string } | null;
  readonly modelFile: { readonly uri: string; readonly sha256: string; readonly bytes: number } | null;
  readonly report: ReportFile | null;
}

export function modelVersionDocument(
  detail: ModelVersionDetail,
  report: ReportFile | null,
): ModelVersionDocument {
  const { model, version } = detail;
  // The dataset the version row names; `trained_on` edges only add to it for versions made otherwise.
  const dataset =
    detail.datasetVersions.find((entry) => entry.version.id === version.datasetVersionId) ??
    detail.datasetVersions[0];
  return {
    name: model.name,
    version: version.version,
    status: version.status,
    task: model.task,
    createdAt: version.createdAt.toISOString(),
    aliases: detail.aliases,
    champion: detail.aliases.includes('champion'),
    rejectionReasons: version.rejectionReasons ?? [],
    metrics: version.metrics,
    fairness: version.fairness,
    gates: version.gates,
    params: version.params,
    datasetVersion: dataset
      ? {
          name: dataset.name,
          uri: dataset.version.uri,
          sha256: dataset.version.sha256,
          rows: dataset.version.rows,
        }
      : null,
    codeVersion: version.codeVersion,
    runtime: version.runtime,
    pipelineRun: detail.pipelineRun
      ? { workflowId: detail.pipelineRun.workflowId, runId: detail.pipelineRun.runId }
      : null,
    modelFile: detail.modelFile
      ? { uri: detail.modelFile.uri, sha256: detail.modelFile.sha256, bytes: detail.modelFile.bytes }
      : null,
    report,
  };
}

export function renderModelVersion(document: ModelVersionDocument): string[] {
  const aliases = document.aliases.length ? ` [${document.aliases.join(', ')}]` : '';
  const lines = [
    `${document.name} v${document.version}: ${document.status}${aliases}`,
    `  created       ${formatTimestamp(document.createdAt)}${document.task ? `  task ${document.task}` : ''}`,
  ];
  for (const reason of document.rejectionReasons) lines.push(`  rejected      ${reason}`);
  lines.push(`  metrics       ${formatNumbers(document.metrics)}`);
  if (document.fairness) lines.push(`  fairness      ${formatNumbers(document.fairness)}`);
  for (const gate of document.gates) {
    const bound = `${gate.bound === 'min' ? '>=' : '<='} ${gate.threshold ?? 'n/a'}`;
    lines.push(
      `  gate          ${gate.passed ? 'pass' : 'FAIL'} ${gate.name} = ${formatMetric(gate.value)} (${bound}${gate.note ? `, ${gate.note}` : ''})`,
    );
  }
  lines.push(`  params        ${formatParams(document.params)}`);
  const dataset = document.datasetVersion;
  lines.push(
    dataset
      ? `  dataset       ${dataset.name} ${dataset.uri} (${dataset.rows} rows, sha256 ${shortHash(dataset.sha256)})`
      : '  dataset       (none recorded)',
  );
  lines.push(`  code version  ${document.codeVersion}`);
  lines.push(`  runtime       ${formatParams(document.runtime)}`);
  if (document.pipelineRun) lines.push(`  pipeline run  ${document.pipelineRun.workflowId}`);
  if (document.modelFile) {
    lines.push(
      `  model file    ${document.modelFile.uri} (${formatBytes(document.modelFile.bytes)}, sha256 ${shortHash(document.modelFile.sha256)})`,
    );
  }
  if (!document.report) lines.push('  report        (none yet)');
  else {
    lines.push(`  report        ${document.report.uri}`);
    lines.push(
      document.report.path
        ? `                ${pathToFileURL(document.report.path).href}`
        : `                (not fetched: ${document.report.problem})`,
    );
  }
  return lines;
}

/** `accuracy 0.9512  f1 0.9400`: numbers to four decimals; nested values (per-class) are left to --json. */
function formatNumbers(values: Readonly<Record<string, unknown>>): string {
  const shown = Object.entries(values).filter(([, value]) => typeof value === 'number' || value === null);
  if (shown.length === 0) return '(none)';
  return shown.map(([name, value]) => `${name} ${formatMetric(value)}`).join('  ');
}
