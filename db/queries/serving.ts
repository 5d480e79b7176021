import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client.js';
import {
  artifacts,
  deployments,
  modelAliases,
  models,
  modelVersions,
  pipelineRuns,
  type TrafficSplit,
} from '../schema.js';

/**
 * What the prediction server reads and writes: which versions to serve, the prediction log and
 * label feedback, and the NOTIFY channels that tell running servers to look again.
 */

/** Payload: the name of the model whose aliases or traffic split changed. */
export const SERVING_CHANNEL = 'mlops_serving';
/** Payload: empty; API tokens were created or revoked. */
export const API_TOKENS_CHANNEL = 'mlops_api_tokens';

/** A database or an open transaction: anything that runs SQL. */
export type SqlRunner = Pick<Database, 'execute'>;

/**
 * Tells every running server that what `modelName` serves changed (champion or challenger alias,
 * deployment traffic split). Call it after such a change, inside the same transaction when there
 * is one: PostgreSQL delivers the notification at commit, and never for a rolled-back change.
 */
export async function announceServingChange(db: SqlRunner, modelName: string): Promise<void> {
  await db.execute(sql`select pg_notify(${SERVING_CHANNEL}, ${modelName})`);
}

/** Tells every running server to re-read the API tokens; like announceServingChange, delivered at commit. */
export async function announceApiTokensChange(db: SqlRunner): Promise<void> {
  await db.execute(sql`select pg_notify(${API_TOKENS_CHANNEL}, '')`);
}

export interface ServedVersionRef {
  readonly modelVersionId: number;
  readonly version: number;
  /** The model document in S3; null for a version registered without one (it cannot be served). */
  readonly modelFile: { readonly uri: string; readonly sha256: string; readonly bytes: number } | null;
  /** What the version's training did to personal data; absent: nothing (no spec, or no rules). */
  readonly pii?: ServedPiiRules;
  /** Inputs its spec lets a request leave out (`serving.allowMissing`); absent: none. */
  readonly allowMissing?: readonly string[];
}

/**
 * The personal-data rules of the spec that trained a version (pipeline_runs.spec, the record
 * of what made it, so serving cannot drift from training): `hashed` columns reached the model as
 * keyed hashes (`pii.hash`, and `pii.hashed` of a retraining on logged predictions), `dropped`
 * ones never reached it (`pii.drop`).
 */
export interface ServedPiiRules {
  readonly hashed: readonly string[];
  readonly dropped: readonly string[];
}

export interface ServingPlanEntry {
  readonly modelId: number;
  readonly modelName: string;
  readonly champion: ServedVersionRef;
  readonly challenger: ServedVersionRef | null;
  /** Share of requests (0..1) the challenger gets; 0 without one. */
  readonly challengerShare: number;
  readonly deploymentId: number | null;
}

/**
 * What should be served now, per model: the version its `champion` alias points at (or, without
 * the alias, its deployment's championVersionId) and, when the model's active deployment names a
 * challenger with a share above 0, that challenger. Only models named in `only` when given.
 */
export async function readServingPlan(db: Database, only?: readonly string[]): Promise<ServingPlanEntry[]> {
  if (only?.length === 0) return [];
  const byName = (column: typeof models.name): SQL | undefined =>
    only ? inArray(column, [...only]) : undefined;
  const champions = await db
    .select({ modelId: models.id, modelName: models.name, versionId: modelAliases.modelVersionId })
    .from(modelAliases)
    .innerJoin(models, eq(modelAliases.modelId, models.id))
    .where(and(eq(modelAliases.alias, 'champion'), byName(models.name)));
  const activeDeployments = await db
    .select({
      id: deployments.id,
      modelId: models.id,
      modelName: models.name,
      split: deployments.trafficSplit,
    })
    .from(deployments)
    .innerJoin(models, eq(deployments.modelId, models.id))
    .where(and(eq(deployments.status, 'active'), byName(models.name)))
    .orderBy(desc(deployments.updatedAt));
  const deploymentOf = new Map<number, { id: number; modelName: string; split: TrafficSplit }>();
  for (const deployment of activeDeployments)
    if (!deploymentOf.has(deployment.modelId)) deploymentOf.set(deployment.modelId, deployment);

  const championIdOf = new Map(champions.map((row) => [row.modelId, row]));
  for (const [modelId, deployment] of deploymentOf) {
    if (!championIdOf.has(modelId) && deployment.split.championVersionId)
      championIdOf.set(modelId, {
        modelId,
        modelName: deployment.modelName,
        versionId: deployment.split.championVersionId,
      });
  }
  const wanted = new Set<number>();
  for (const { versionId } of championIdOf.values()) wanted.add(versionId);
  for (const deployment of deploymentOf.values())
    if (deployment.split.challengerVersionId) wanted.add(deployment.split.challengerVersionId);
  const versions = await versionRefs(db, [...wanted]);

  const plan: ServingPlanEntry[] = [];
  for (const { modelId, modelName, versionId } of championIdOf.values()) {
    const champion = versions.get(versionId);
    if (!champion || champion.modelId !== modelId) continue;
    const deployment = deploymentOf.get(modelId);
    const challengerId = deployment?.split.challengerVersionId;
    const candidate = challengerId ? versions.get(challengerId) : undefined;
    const share = clampShare(deployment?.split.challengerShare);
    const challenger =
      candidate && candidate.modelId === modelId && candidate.ref.modelVersionId !== versionId && share > 0
        ? candidate.ref
        : null;
    plan.push({
      modelId,
      modelName,
      champion: champion.ref,
      challenger,
      challengerShare: challenger ? share : 0,
      deploymentId: deployment?.id ?? null,
    });
  }
  return plan.sort((a, b) => a.modelName.localeCompare(b.modelName));
}

async function versionRefs(db: Database, ids: number[]) {
  const found = new Map<number, { modelId: number; ref: ServedVersionRef }>();
  if (ids.length === 0) return found;
  const rows = await db
    .select({
      id: modelVersions.id,
      modelId: modelVersions.modelId,
      version: modelVersions.version,
      uri: artifacts.uri,
      sha256: artifacts.sha256,
      bytes: artifacts.bytes,
      // The rules only, not the whole spec.
      pii: sql<unknown>`${pipelineRuns.spec} -> 'pii'`,
      allowMissing: sql<unknown>`${pipelineRuns.spec} -> 'serving' -> 'allowMissing'`,
    })
    .from(modelVersions)
    .leftJoin(artifacts, eq(modelVersions.modelArtifactId, artifacts.id))
    .leftJoin(pipelineRuns, eq(modelVersions.pipelineRunId, pipelineRuns.id))
    .where(inArray(modelVersions.id, ids));
  for (const row of rows) {
    const modelFile =
      row.uri !== null && row.sha256 !== null && row.bytes !== null
        ? { uri: row.uri, sha256: row.sha256, bytes: row.bytes }
        : null;
    found.set(row.id, {
      modelId: row.modelId,
      ref: {
        modelVersionId: row.id,
        version: row.version,
        modelFile,
        pii: piiRulesOf(row.pii),
        allowMissing: namesOf(row.allowMissing),
      },
    });
  }
  return found;
}

/** A stored spec's `pii` as serving rules (a smoke run's spec has none). */
function piiRulesOf(pii: unknown): ServedPiiRules {
  const rules = pii !== null && typeof pii === 'object' ? (pii as Record<string, unknown>) : {};
  return { hashed: [...namesOf(rules.hash), ...namesOf(rules.hashed)], dropped: namesOf(rules.drop) };
}

/** A stored spec's list of column names (anything else in it ignored; absent: none). */
function namesOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((name): name is string => typeof name === 'string') : [];
}

function clampShare(share: number | undefined): number {
  return typeof share === 'number' && Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 0;
}

/** One answered prediction, as prediction_logs stores it. */
export interface PredictionLogRow {
  readonly predictionId: string;
  readonly modelVersionId: number;
  readonly deploymentId: number | null;
  readonly inputs: unknown;
  readonly output: unknown;
  readonly probabilities: Readonly<Record<string, number>> | null;
  readonly latencyMs: number;
  readonly requestKey: string | null;
  /** When the prediction was answered (not when it was written). */
  readonly createdAt: Date;
}

/**
 * Writes a batch in one statement: the rows travel as one JSON document that PostgreSQL expands
 * with jsonb_to_recordset, so a batch costs one parameter and one round trip however many rows it
 * has: 2-3x the rows/s of a multi-row INSERT ... VALUES with nine parameters a row, and as fast
 * as or faster than json_to_recordset, which parses the nested documents a second time
 * (`npm run bench:serving`). A row already written (a retried batch whose commit was not
 * acknowledged) is skipped by its prediction id.
 */
export async function insertPredictionLogs(db: SqlRunner, rows: readonly PredictionLogRow[]): Promise<void> {
  if (rows.length === 0) return;
  const document = predictionLogRecordset(rows);
  await db.execute(sql`
    insert into prediction_logs
      (prediction_id, model_version_id, deployment_id, inputs, output, probabilities, latency_ms, request_key, created_at)
    select prediction_id, model_version_id, deployment_id, inputs, output, probabilities, latency_ms, request_key, created_at
    from jsonb_to_recordset(${document}::jsonb) as batch(
      prediction_id uuid, model_version_id integer, deployment_id integer, inputs jsonb, output jsonb,
      probabilities jsonb, latency_ms double precision, request_key text, created_at timestamptz)
    on conflict (prediction_id) do nothing`);
}

/** The rows as one JSON array of prediction_logs records, for `jsonb_to_recordset`. */
export function predictionLogRecordset(rows: readonly PredictionLogRow[]): string {
  return JSON.stringify(
    rows.map((row) => ({
      prediction_id: row.predictionId,
      model_version_id: row.modelVersionId,
      deployment_id: row.deploymentId,
      inputs: row.inputs,
      output: row.output,
      probabilities: row.probabilities,
      latency_ms: row.latencyMs,
      request_key: row.requestKey,
      created_at: row.createdAt.toISOString(),
    })),
  );
}

export interface LabelFeedbackItem {
  /** Lower-case UUID. */
  readonly predictionId: string;
  readonly label: string | number | boolean;
}

/**
 * Stores ground-truth labels for predictions `modelName` made; a label sent again for the same
 * prediction replaces the earlier one. Returns the ids stored: the others are not predictions of
 * this model (or not yet written).
 */
export async function upsertLabelFeedback(
  db: SqlRunner,
  modelName: string,
  items: readonly LabelFeedbackItem[],
): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const document = JSON.stringify(
    items.map((item) => ({ prediction_id: item.predictionId, label: item.label })),
  );
  const result = await db.execute<{ prediction_id: string }>(sql`
    with known as (
      select item.prediction_id, item.label
      from jsonb_to_recordset(${document}::jsonb) as item(prediction_id uuid, label jsonb)
      join prediction_logs on prediction_logs.prediction_id = item.prediction_id
      join model_versions on model_versions.id = prediction_logs.model_version_id
      join models on models.id = model_versions.model_id
      where models.name = ${modelName}
    )
    insert into label_feedback (prediction_id, label)
    select prediction_id, label from known
    on conflict (prediction_id) do update set label = excluded.label, received_at = now()
    returning prediction_id`);
  return new Set(result.rows.map((row) => row.prediction_id));
}

/** Whether the database answers (readiness). */
export async function pingDatabase(db: SqlRunner): Promise<void> {
  await db.execute(sql`select 1`);
}
