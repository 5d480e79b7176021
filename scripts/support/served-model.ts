/**
 * A served model for the load and chaos runs: trained by the real pipeline on the run's workers,
 * a canary version added the way the lifecycle adds one (changeServing: alias, split, audit event,
 * NOTIFY), request bodies with request keys of their own, and the model's prediction-log rows.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { parse } from 'yaml';
import { startPipeline } from '../../client/pipeline.js';
import type { DatabaseHandle } from '../../db/client.js';
import { createApiToken } from '../../db/queries/api-tokens.js';
import { changeServing } from '../../db/queries/deployments.js';
import { findModel, findModelVersion, registerModelVersion } from '../../db/queries/registry.js';
import { parseSpec } from '../../spec/parse.js';
import type { PipelineSpec } from '../../spec/types.js';

export const CANARY_SHARE = 0.3;

/**
 * The measurements, which two penguins lack: traffic replays every penguin, so requests may leave
 * them out (serving.allowMissing), as production data with gaps would.
 */
export const PENGUIN_MEASUREMENTS = [
  'Beak Length (mm)',
  'Beak Depth (mm)',
  'Flipper Length (mm)',
  'Body Mass (g)',
];

/** The penguins example with one logistic regression (no search): a small pipeline of every stage. */
export function smallPipelineSpec(name: string): PipelineSpec {
  const document = parse(readFileSync(path.resolve('examples/penguins.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  return parseSpec({
    ...document,
    name: `${name}-${randomUUID().slice(0, 6)}`,
    train: { trainer: 'logistic_regression', params: { l2: 0.001 } },
    serving: { allowMissing: PENGUIN_MEASUREMENTS },
  });
}

/** Trains and promotes a small model on `taskQueue`; its name and a predict token for it. */
export async function trainServedModel(
  temporal: Client,
  database: DatabaseHandle,
  taskQueue: string,
  name: string,
): Promise<{ modelName: string; token: string }> {
  const spec = smallPipelineSpec(name);
  const run = await startPipeline(temporal, spec, {
    taskQueues: { cpu: taskQueue, gpu: taskQueue },
    trigger: 'load',
  });
  const trained = await run.result();
  if (trained.status !== 'succeeded' || !trained.promoted)
    throw new Error(`training the served model failed: ${trained.status} ${trained.error?.message ?? ''}`);
  const { token } = await createApiToken(database.db, {
    name: `${name}-${randomUUID().slice(0, 8)}`,
    scopes: ['predict'],
  });
  return { modelName: spec.name, token };
}

/**
 * Registers a second version of the champion's model file and serves it to CANARY_SHARE of request
 * keys. Servers load it from S3 (versions are loaded by id, even of a file they already hold).
 */
export async function startCanary(database: DatabaseHandle, modelName: string): Promise<number> {
  const db = database.db;
  const first = await findModelVersion(db, modelName, 1);
  const model = await findModel(db, modelName);
  if (!first || !model) throw new Error(`${modelName} v1 does not exist`);
  const { id: _id, modelId: _model, version: _version, createdAt: _created, ...record } = first;
  const { version: second } = await registerModelVersion(db, modelName, model.task ?? 'multiclass', {
    ...record,
    registrationKey: `${modelName}-canary`,
  });
  await changeServing(db, {
    modelName,
    championVersion: first.version,
    challengerVersion: second.version,
    challengerShare: CANARY_SHARE,
    audit: {
      eventKey: `canary-${second.id}`,
      action: 'canary',
      actor: 'load-run',
      reason: 'a canary under load',
    },
  });
  return second.version;
}

/** Whether the server at `url` serves a canary of `modelName` now. */
export async function servesCanary(url: string, modelName: string, token: string): Promise<boolean> {
  const answer = await fetch(`${url}/v1/models/${modelName}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await answer.json()) as { versions?: { challenger: unknown } };
  return Boolean(body.versions?.challenger);
}

/** 1000 bodies of `rows` penguins each, every body with a request key of its own (the canary is sticky by key). */
export async function requestBodies(rows: number): Promise<string[]> {
  const file = path.resolve('node_modules/vega-datasets/data/penguins.json');
  const penguins = (JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>[])
    .filter((row) => row.Species !== null)
    .map(({ Species: _species, Sex: _sex, ...features }) => features);
  return Array.from({ length: 1000 }, (_, body) =>
    JSON.stringify({
      instances: Array.from({ length: rows }, (_, row) => penguins[(body * rows + row) % penguins.length]),
      requestKey: `user-${body}`,
    }),
  );
}

/**
 * The model's prediction_logs rows (and those of `challengerVersion`), waited for until they reach
 * `answered` or `waitMs` ran out: a server writes its log a moment after answering.
 */
export async function loggedRows(
  database: DatabaseHandle,
  modelName: string,
  challengerVersion: number,
  answered: number,
  waitMs = 120_000,
): Promise<{ rows: number; challengerRows: number }> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { rows } = await database.pool.query<{ rows: string; challenger: string }>(
      `select count(*) as rows, count(*) filter (where v.version = $2) as challenger
         from prediction_logs l
         join model_versions v on v.id = l.model_version_id
         join models m on m.id = v.model_id
        where m.name = $1`,
      [modelName, challengerVersion],
    );
    const counts = { rows: Number(rows[0].rows), challengerRows: Number(rows[0].challenger) };
    if (counts.rows >= answered || Date.now() > deadline) return counts;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
