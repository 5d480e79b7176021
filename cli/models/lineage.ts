import type { Config } from '../../config/index.js';
import type { Database } from '../../db/client.js';
import { findModelVersionLineage, type ModelVersionLineage } from '../../db/queries/lineage.js';
import { findModel, listModelVersions } from '../../db/queries/registry.js';
import { formatBytes, formatParams, formatTimestamp, indent, renderTable, shortHash } from '../formatting.js';
import type { ModelReference } from '../options.js';
import { openSession } from '../session.js';
import { cliLogger, exitCodes, printJson } from '../shared.js';
import {
  renderStages,
  renderTotals,
  stageDocument,
  totalsOf,
  type ResourceTotals,
  type StageDocument,
} from '../runs/stage-view.js';

/** `mlops lineage <name>@<version> --json` (DESIGN.md, CLI contract). */
export interface LineageDocument {
  readonly model: {
    readonly name: string;
    readonly version: number;
    readonly status: string;
    readonly task: string | null;
    readonly aliases: readonly string[];
    readonly createdAt: string;
  };
  readonly pipelineRun: {
    readonly workflowId: string;
    readonly runId: string;
    readonly status: string;
    readonly startedAt: string;
    readonly finishedAt: string | null;
  } | null;
  readonly datasetVersions: readonly {
    readonly name: string;
    readonly uri: string;
    readonly sha256: string;
    readonly rows: number;
  }[];
  readonly stages: readonly StageDocument[];
  readonly artifacts: readonly {
    readonly uri: string;
    readonly sha256: string;
    readonly bytes: number;
    readonly kind: string;
    /** `trained_on`, `model_file`, `evaluation` or `report` for the version's own; null for intermediates. */
    readonly relation: string | null;
    /** The stage whose outputs hold it, when one does. */
    readonly stage: string | null;
  }[];
  readonly codeVersion: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Per model version: the sums over its stage runs. */
  readonly totals: ResourceTotals;
}

export class ModelVersionNotFoundError extends Error {
  override readonly name = 'ModelVersionNotFoundError';
}

/** `mlops lineage <name>@<version>`: where a model version came from and what it cost. */
export async function lineageCommand(
  config: Config,
  reference: Required<ModelReference>,
  options: { readonly json?: boolean },
): Promise<number> {
  const session = await openSession(config, cliLogger(config, 'lineage'), { workers: false, database: true });
  try {
    const lineage = await findModelVersionLineage(session.database.db, reference.name, reference.version);
    if (!lineage) throw await notFound(session.database.db, reference);
    const document = lineageDocument(lineage);
    if (options.json) printJson(document);
    else process.stdout.write(`${renderLineage(document).join('\n')}\n`);
    return exitCodes.ok;
  } finally {
    await session.close();
  }
}

function lineageDocument(lineage: ModelVersionLineage): LineageDocument {
  const stages = lineage.stages.map(stageDocument);
  const run = lineage.pipelineRun;
  return {
    model: {
      name: lineage.model.name,
      version: lineage.version.version,
      status: lineage.version.status,
      task: lineage.model.task,
      aliases: lineage.aliases,
      createdAt: lineage.version.createdAt.toISOString(),
    },
    pipelineRun: run
      ? {
          workflowId: run.workflowId,
          runId: run.runId,
          status: run.status,
          startedAt: run.startedAt.toISOString(),
          finishedAt: run.finishedAt?.toISOString() ?? null,
        }
      : null,
    datasetVersions: lineage.datasetVersions.map(({ name, version }) => ({
      name,
      uri: version.uri,
      sha256: version.sha256,
      rows: version.rows,
    })),
    stages,
    artifacts: lineage.artifacts.map(({ artifact: { uri, sha256, bytes, kind }, relation, stage }) => ({
      uri,
      sha256,
      bytes,
      kind,
      relation,
      stage,
    })),
    codeVersion: lineage.version.codeVersion,
    params: lineage.version.params,
    totals: totalsOf(stages),
  };
}

export function renderLineage(document: LineageDocument): string[] {
  const { model, pipelineRun } = document;
  const aliases = model.aliases.length ? ` [${model.aliases.join(', ')}]` : '';
  const lines = [`${model.name} v${model.version}: ${model.status}${aliases}`];
  lines.push(
    pipelineRun
      ? `  pipeline run  ${pipelineRun.workflowId} (run ${pipelineRun.runId}), ${pipelineRun.status}, started ${formatTimestamp(pipelineRun.startedAt)}`
      : '  pipeline run  (none recorded)',
  );
  lines.push('', 'dataset');
  if (document.datasetVersions.length === 0) lines.push('  (none recorded)');
  for (const dataset of document.datasetVersions) {
    lines.push(`  ${dataset.name}  ${dataset.uri}`, `    sha256 ${dataset.sha256}  ${dataset.rows} rows`);
  }
  lines.push('', 'stages', ...indent(renderStages(document.stages)));
  lines.push('', 'artifacts');
  lines.push(
    ...indent(
      document.artifacts.length
        ? renderTable(
            ['KIND', 'ROLE', 'URI', 'SIZE', 'SHA256'],
            document.artifacts.map((artifact) => [
              artifact.kind,
              artifact.relation ?? (artifact.stage ? `from ${artifact.stage}` : '-'),
              artifact.uri,
              formatBytes(artifact.bytes),
              shortHash(artifact.sha256),
            ]),
          )
        : ['(none recorded)'],
    ),
  );
  lines.push(
    '',
    `code version  ${document.codeVersion}`,
    `params        ${formatParams(document.params)}`,
    `totals        ${renderTotals(document.totals)} (sum over ${document.stages.length} stage runs)`,
  );
  return lines;
}

/** A clear "not found" naming what does exist, so the next command is obvious. */
export async function notFound(db: Database, reference: ModelReference): Promise<ModelVersionNotFoundError> {
  const model = await findModel(db, reference.name);
  if (!model) {
    return new ModelVersionNotFoundError(
      `no model named ${JSON.stringify(reference.name)} is registered; \`mlops models list\` shows the registered models`,
    );
  }
  const versions = (await listModelVersions(db, reference.name)).map((row) => row.version).reverse();
  return new ModelVersionNotFoundError(
    `${reference.name} has no version ${reference.version}; its versions are ${versions.length ? versions.join(', ') : '(none yet)'}`,
  );
}
