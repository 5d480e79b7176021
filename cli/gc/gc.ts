import { randomUUID } from 'node:crypto';
import type { Config } from '../../config/index.js';
import { auditKeys } from '../../contracts/audit-keys.js';
import type { Database } from '../../db/client.js';
import { recordAuditEvent } from '../../db/queries/audit.js';
import { deletePredictionLogBatch, removeRows } from '../../db/queries/retention.js';
import { ArtifactStore } from '../../storage/artifact-store.js';
import { formatBytes, renderTable } from '../formatting.js';
import { openSession } from '../session.js';
import { cliActor, cliLogger, exitCodes, printJson } from '../shared.js';
import { planGc, type DoomedObject, type GcPlan, type GcPolicy } from './plan.js';
import { sample } from './retention.js';

export interface GcOptions {
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly model?: string;
}

/** Objects deleted (and then checked) at once: S3 takes many, a small pool keeps the CLI polite. */
const OBJECTS_IN_FLIGHT = 8;

/**
 * `mlops gc [--dry-run] [--model <name>] [--json]`: plans what nothing keeps (cli/gc/retention.ts
 * says what is kept), then removes rows first and objects second, checks with a HEAD that each
 * object is gone, and deletes old prediction logs in batches. A second run right after finds
 * nothing. Exit 1 when an object is still there after its delete.
 */
export async function gcCommand(config: Config, options: GcOptions): Promise<number> {
  const session = await openSession(config, cliLogger(config, 'gc'), { workers: false, database: true });
  const store = ArtifactStore.fromSettings(session.stack.connections.s3);
  try {
    const db = session.database.db;
    const policy: GcPolicy = {
      now: new Date(),
      graceMs: config.retention.graceMs,
      artifactsMs: config.retention.artifactsMs,
      predictionLogsMs: config.retention.predictionLogsMs,
      ...(options.model === undefined ? {} : { model: options.model }),
    };
    const plan = await planGc(db, store, policy);
    const outcome = options.dryRun ? undefined : await applyPlan(db, store, plan, policy);
    // Recorded whenever something was removed, a partial run included (its rows are gone already).
    if (outcome && removedAnything(plan, outcome))
      await recordAuditEvent(db, {
        eventKey: auditKeys.gcRun(randomUUID()),
        subjectKind: 'storage',
        subject: `s3://${store.bucket}`,
        action: 'gc',
        actor: cliActor(),
        reason: options.model === undefined ? undefined : `--model ${options.model}`,
        after: counts(plan, outcome),
      });
    const document = gcDocument(plan, policy, store.bucket, options, outcome);
    if (options.json) printJson(document);
    else process.stdout.write(`${renderGc(document).join('\n')}\n`);
    return outcome && outcome.stillPresent.length > 0 ? exitCodes.failed : exitCodes.ok;
  } finally {
    store.client.destroy();
    await session.close();
  }
}

interface Outcome {
  readonly predictionLogsDeleted: number;
  readonly verifiedGone: number;
  readonly stillPresent: readonly string[];
}

async function applyPlan(
  db: Database,
  store: ArtifactStore,
  plan: GcPlan,
  policy: GcPolicy,
): Promise<Outcome> {
  // Rows first: from here on no row names an object about to go (see removeRows).
  await removeRows(db, {
    retiredVersionIds: plan.retiredVersions.map((version) => version.id),
    datasetVersionIds: plan.datasetVersions.map((dataset) => dataset.id),
    artifactIds: plan.artifacts.map((artifact) => artifact.id),
  });
  const stillPresent: string[] = [];
  await inPool(plan.objects, async (object) => {
    await store.delete(object.key);
    if (await store.exists(object.key)) stillPresent.push(object.key);
  });
  let predictionLogsDeleted = 0;
  if (plan.predictionLogs.before !== null)
    for (;;) {
      const deleted = await deletePredictionLogBatch(db, plan.predictionLogs.before, policy.model);
      predictionLogsDeleted += deleted;
      if (deleted === 0) break;
    }
  return { predictionLogsDeleted, verifiedGone: plan.objects.length - stillPresent.length, stillPresent };
}

async function inPool<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(OBJECTS_IN_FLIGHT, items.length) }, worker));
}

function removedAnything(plan: GcPlan, outcome: Outcome): boolean {
  return (
    plan.retiredVersions.length + plan.datasetVersions.length + plan.artifacts.length + plan.objects.length >
      0 || outcome.predictionLogsDeleted > 0
  );
}

const bytesOf = (items: readonly { readonly bytes: number }[]) =>
  items.reduce((sum, item) => sum + item.bytes, 0);
const keysOf = (objects: readonly DoomedObject[]) => sample(objects).map((object) => object.key);

function counts(plan: GcPlan, outcome: Outcome | undefined) {
  return {
    modelVersions: plan.retiredVersions.length,
    datasetVersions: plan.datasetVersions.length,
    artifacts: plan.artifacts.length,
    orphans: plan.orphans.length,
    objects: plan.objects.length,
    bytes: bytesOf(plan.objects),
    predictionLogs: outcome?.predictionLogsDeleted ?? plan.predictionLogs.count,
    stillPresent: outcome?.stillPresent.length ?? 0,
  };
}

type GcDocument = ReturnType<typeof gcDocument>;

export function gcDocument(
  plan: GcPlan,
  policy: GcPolicy,
  bucket: string,
  options: GcOptions,
  outcome: Outcome | undefined,
) {
  return {
    dryRun: options.dryRun === true,
    bucket,
    model: options.model ?? null,
    policy: {
      graceMs: policy.graceMs,
      artifactRetentionMs: policy.artifactsMs,
      predictionRetentionMs: policy.predictionLogsMs,
    },
    modelVersions: {
      count: plan.retiredVersions.length,
      sample: sample(plan.retiredVersions).map((version) => `${version.modelName}@${version.version}`),
    },
    datasetVersions: {
      count: plan.datasetVersions.length,
      bytes: bytesOf(plan.datasetVersions),
      sample: sample(plan.datasetVersions).map((dataset) => dataset.uri),
    },
    artifacts: {
      count: plan.artifacts.length,
      bytes: bytesOf(plan.artifacts),
      sample: sample(plan.artifacts).map((artifact) => artifact.uri),
    },
    orphans: { count: plan.orphans.length, bytes: bytesOf(plan.orphans), sample: keysOf(plan.orphans) },
    objects: {
      count: plan.objects.length,
      bytes: bytesOf(plan.objects),
      sample: keysOf(plan.objects),
      // Only after deleting: each checked with a HEAD.
      verifiedGone: outcome?.verifiedGone ?? null,
      stillPresent: outcome?.stillPresent ?? [],
    },
    predictionLogs: {
      before: plan.predictionLogs.before?.toISOString() ?? null,
      count: outcome?.predictionLogsDeleted ?? plan.predictionLogs.count,
    },
  };
}

function renderGc(document: GcDocument): string[] {
  const verb = document.dryRun ? 'would remove' : 'removed';
  const rows = [
    ['model versions (archived)', document.modelVersions.count, '-', document.modelVersions.sample],
    [
      'dataset versions',
      document.datasetVersions.count,
      document.datasetVersions.bytes,
      document.datasetVersions.sample,
    ],
    ['artifact rows', document.artifacts.count, document.artifacts.bytes, document.artifacts.sample],
    ['orphan objects', document.orphans.count, document.orphans.bytes, document.orphans.sample],
    ['objects in S3 (all)', document.objects.count, document.objects.bytes, document.objects.sample],
    ['prediction logs', document.predictionLogs.count, '-', []],
  ] as const;
  const lines = [
    `${document.dryRun ? 'dry run: ' : ''}gc of s3://${document.bucket}${document.model ? ` (model ${document.model})` : ''}`,
    ...renderTable(
      ['WHAT', verb.toUpperCase(), 'BYTES', 'SAMPLE'],
      rows.map(([what, count, bytes, keys]) => [
        what,
        String(count),
        typeof bytes === 'number' ? formatBytes(bytes) : bytes,
        keys.length ? keys.slice(0, 2).join(', ') + (count > 2 ? ', …' : '') : '-',
      ]),
    ),
  ];
  if (document.objects.verifiedGone !== null)
    lines.push(`${document.objects.verifiedGone} of ${document.objects.count} objects checked gone`);
  for (const key of document.objects.stillPresent) lines.push(`still present after delete: ${key}`);
  if (document.predictionLogs.before === null)
    lines.push('prediction logs: retention off (MLOPS_PREDICTION_RETENTION)');
  if (document.policy.artifactRetentionMs === null)
    lines.push(
      'versions, runs and dataset versions: retention off (MLOPS_ARTIFACT_RETENTION); only unreferenced objects and rows',
    );
  return lines;
}
