import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { GateOutcome, MetricValues } from '../contracts/pipeline.js';
import type { RunSpec } from '../contracts/runs.js';
import type { ParamValue, PrimaryMetric } from '../spec/types.js';

/**
 * The platform's data model. Every table an activity writes has a unique key made of business
 * values that stay the same across retries (workflow id and stage, content hashes, prediction ids),
 * so a retried write is an upsert or a no-op, never a duplicate row.
 */

/** The columns of a dataset version, in order, as its snapshot's Parquet file has them. */
export interface DatasetSchema {
  readonly columns: readonly { readonly name: string; readonly type: string; readonly nullable: boolean }[];
}

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const count = (name: string) => bigint(name, { mode: 'number' });

export const runStatus = pgEnum('run_status', ['running', 'succeeded', 'rejected', 'failed', 'cancelled']);
export const stageStatus = pgEnum('stage_status', ['running', 'succeeded', 'failed']);
export const modelVersionStatus = pgEnum('model_version_status', ['registered', 'rejected', 'archived']);
export const lineageNodeKind = pgEnum('lineage_node_kind', [
  'dataset_version',
  'artifact',
  'stage_run',
  'model_version',
  'deployment',
  'pipeline_run',
]);

export const datasets = pgTable('datasets', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  createdAt: createdAt(),
});

/** Immutable snapshots: the same content under the same dataset is one version. */
export const datasetVersions = pgTable(
  'dataset_versions',
  {
    id: serial('id').primaryKey(),
    datasetId: integer('dataset_id')
      .notNull()
      .references(() => datasets.id),
    sha256: text('sha256').notNull(),
    uri: text('uri').notNull(),
    rows: count('rows').notNull(),
    bytes: count('bytes').notNull(),
    schema: jsonb('schema').$type<DatasetSchema>().notNull(),
    profile: jsonb('profile').$type<Record<string, unknown>>(),
    /** Where the content came from: a source URI and query, or a deployment's logged predictions. */
    source: jsonb('source').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    unique('dataset_versions_content').on(table.datasetId, table.sha256),
    check('dataset_versions_rows_nonnegative', sql`${table.rows} >= 0`),
  ],
);

export const pipelineRuns = pgTable(
  'pipeline_runs',
  {
    id: serial('id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    runId: text('run_id').notNull(),
    pipelineName: text('pipeline_name').notNull(),
    kind: text('kind').notNull().default('training'),
    spec: jsonb('spec').$type<RunSpec>().notNull(),
    codeVersion: text('code_version').notNull(),
    status: runStatus('status').notNull().default('running'),
    error: jsonb('error').$type<{ type: string; message: string }>(),
    trigger: text('trigger').notNull().default('cli'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [
    unique('pipeline_runs_execution').on(table.workflowId, table.runId),
    index('pipeline_runs_by_pipeline').on(table.pipelineName, table.startedAt),
  ],
);

/** One row per stage of a run; a retried attempt updates its stage's row (attempt, worker, outcome). */
export const stageRuns = pgTable(
  'stage_runs',
  {
    id: serial('id').primaryKey(),
    pipelineRunId: integer('pipeline_run_id')
      .notNull()
      .references(() => pipelineRuns.id, { onDelete: 'cascade' }),
    stage: text('stage').notNull(),
    status: stageStatus('status').notNull(),
    attempt: integer('attempt').notNull(),
    workerIdentity: text('worker_identity').notNull(),
    inputs: jsonb('inputs').$type<Record<string, unknown>>().notNull().default({}),
    outputs: jsonb('outputs').$type<Record<string, unknown>>(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
    cacheKey: text('cache_key'),
    cacheHit: boolean('cache_hit').notNull().default(false),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    durationMs: doublePrecision('duration_ms'),
    cpuMs: doublePrecision('cpu_ms'),
    peakRssBytes: count('peak_rss_bytes'),
    energyJoules: doublePrecision('energy_joules'),
    gpuDevice: integer('gpu_device'),
    error: jsonb('error').$type<{ type: string; message: string }>(),
  },
  (table) => [
    unique('stage_runs_stage').on(table.pipelineRunId, table.stage),
    index('stage_runs_by_cache_key')
      .on(table.cacheKey)
      .where(sql`${table.status} = 'succeeded'`),
    check('stage_runs_attempt_positive', sql`${table.attempt} >= 1`),
  ],
);

export const artifacts = pgTable(
  'artifacts',
  {
    id: serial('id').primaryKey(),
    uri: text('uri').notNull().unique(),
    sha256: text('sha256').notNull(),
    bytes: count('bytes').notNull(),
    kind: text('kind').notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('artifacts_by_sha256').on(table.sha256)],
);

/** Directed edges `from -> to` ("dataset version feeds stage run", "stage run produced artifact"). */
export const lineageEdges = pgTable(
  'lineage_edges',
  {
    id: serial('id').primaryKey(),
    fromKind: lineageNodeKind('from_kind').notNull(),
    fromId: integer('from_id').notNull(),
    toKind: lineageNodeKind('to_kind').notNull(),
    toId: integer('to_id').notNull(),
    relation: text('relation').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    unique('lineage_edges_edge').on(table.fromKind, table.fromId, table.toKind, table.toId, table.relation),
    index('lineage_edges_by_target').on(table.toKind, table.toId),
    index('lineage_edges_by_source').on(table.fromKind, table.fromId),
  ],
);

export const models = pgTable('models', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  task: text('task'),
  createdAt: createdAt(),
});

export const modelVersions = pgTable(
  'model_versions',
  {
    id: serial('id').primaryKey(),
    modelId: integer('model_id')
      .notNull()
      .references(() => models.id),
    version: integer('version').notNull(),
    /** Stays the same across retries of the registering activity (the pipeline's workflow id). */
    registrationKey: text('registration_key').notNull(),
    status: modelVersionStatus('status').notNull(),
    pipelineRunId: integer('pipeline_run_id').references(() => pipelineRuns.id),
    datasetVersionId: integer('dataset_version_id').references(() => datasetVersions.id),
    modelArtifactId: integer('model_artifact_id').references(() => artifacts.id),
    reportArtifactId: integer('report_artifact_id').references(() => artifacts.id),
    metrics: jsonb('metrics').$type<MetricValues>().notNull().default({}),
    /** What its gates, champion comparisons and live monitoring judge it by. */
    primaryMetric: text('primary_metric').$type<PrimaryMetric>().notNull(),
    /** The trainer, its parameters and the seed. */
    params: jsonb('params').$type<Readonly<Record<string, ParamValue>>>().notNull().default({}),
    fairness: jsonb('fairness').$type<MetricValues>(),
    gates: jsonb('gates').$type<readonly GateOutcome[]>().notNull().default([]),
    rejectionReasons: jsonb('rejection_reasons').$type<string[]>(),
    codeVersion: text('code_version').notNull(),
    runtime: jsonb('runtime').$type<Readonly<Record<string, string>>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (table) => [
    unique('model_versions_version').on(table.modelId, table.version),
    unique('model_versions_registration').on(table.modelId, table.registrationKey),
    check('model_versions_version_positive', sql`${table.version} >= 1`),
  ],
);

export const modelAliases = pgTable(
  'model_aliases',
  {
    modelId: integer('model_id')
      .notNull()
      .references(() => models.id),
    alias: text('alias').notNull(),
    modelVersionId: integer('model_version_id')
      .notNull()
      .references(() => modelVersions.id),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ name: 'model_aliases_pk', columns: [table.modelId, table.alias] })],
);

export interface TrafficSplit {
  readonly championVersionId: number;
  readonly challengerVersionId?: number;
  /** Share of requests (0..1) sent to the challenger. */
  readonly challengerShare?: number;
}

export const deployments = pgTable('deployments', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  modelId: integer('model_id')
    .notNull()
    .references(() => models.id),
  trafficSplit: jsonb('traffic_split').$type<TrafficSplit>().notNull(),
  status: text('status').notNull().default('active'),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const predictionLogs = pgTable(
  'prediction_logs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    predictionId: uuid('prediction_id').notNull().unique(),
    deploymentId: integer('deployment_id').references(() => deployments.id),
    modelVersionId: integer('model_version_id')
      .notNull()
      .references(() => modelVersions.id),
    inputs: jsonb('inputs').$type<Record<string, unknown>>().notNull(),
    output: jsonb('output').notNull(),
    probabilities: jsonb('probabilities').$type<Record<string, number>>(),
    latencyMs: doublePrecision('latency_ms').notNull(),
    requestKey: text('request_key'),
    createdAt: createdAt(),
  },
  (table) => [
    index('prediction_logs_by_deployment_time').on(table.deploymentId, table.createdAt),
    index('prediction_logs_by_version_time').on(table.modelVersionId, table.createdAt),
  ],
);

export const labelFeedback = pgTable('label_feedback', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  predictionId: uuid('prediction_id')
    .notNull()
    .unique()
    .references(() => predictionLogs.predictionId),
  label: jsonb('label').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A window's live metric as its drift report keeps it, so a report can draw the metric over time. */
export interface StoredLiveMetric {
  readonly name: string;
  /** Null when the window's labeled rows could not give a value (too few, or one class only). */
  readonly value: number | null;
  readonly testValue: number | null;
  readonly lowerIsBetter: boolean;
  /** Labeled predictions the value was computed on. */
  readonly labeled: number;
}

export const driftReports = pgTable(
  'drift_reports',
  {
    id: serial('id').primaryKey(),
    modelVersionId: integer('model_version_id')
      .notNull()
      .references(() => modelVersions.id),
    deploymentId: integer('deployment_id').references(() => deployments.id),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    windowEnd: timestamp('window_end', { withTimezone: true }).notNull(),
    rows: count('rows').notNull(),
    drifted: boolean('drifted').notNull(),
    report: jsonb('report').$type<Record<string, unknown>>().notNull(),
    /** The primary metric on the window's labeled predictions; null when no label had arrived. */
    liveMetric: jsonb('live_metric').$type<StoredLiveMetric>(),
    createdAt: createdAt(),
  },
  (table) => [
    unique('drift_reports_window').on(table.modelVersionId, table.windowStart, table.windowEnd),
    check('drift_reports_window_order', sql`${table.windowStart} <= ${table.windowEnd}`),
  ],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: serial('id').primaryKey(),
    /** Same across retries of the writing activity, so an event is recorded once. */
    eventKey: text('event_key').notNull().unique(),
    subjectKind: text('subject_kind').notNull(),
    subject: text('subject').notNull(),
    action: text('action').notNull(),
    actor: text('actor').notNull(),
    reason: text('reason'),
    before: jsonb('before'),
    after: jsonb('after'),
    createdAt: createdAt(),
  },
  (table) => [index('audit_events_by_subject').on(table.subjectKind, table.subject, table.createdAt)],
);

export const apiTokenScope = ['predict', 'feedback', 'admin'] as const;
export type ApiTokenScope = (typeof apiTokenScope)[number];

/**
 * Bearer tokens of the serving API. Only the token's SHA-256 is stored (the token itself is shown
 * once, when created). A name belongs to one active token at a time; revoked rows stay for the record.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    tokenSha256: text('token_sha256').notNull().unique(),
    scopes: text('scopes').array().$type<ApiTokenScope[]>().notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('api_tokens_active_name')
      .on(table.name)
      .where(sql`${table.revokedAt} is null`),
    check('api_tokens_scopes_known', sql`${table.scopes} <@ array['predict', 'feedback', 'admin']::text[]`),
  ],
);
