import { createHash, createHmac, randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchScoringResult } from '../../contracts/batch-scoring.js';
import { lineageEdges, pipelineRuns, predictionLogs } from '../../db/schema.js';
import { loadModelDocument, predictRowInto } from '../../ml/model/index.js';
import { parseSpec } from '../../spec/parse.js';
import { runPipeline } from '../support/pipeline.js';
import {
  stackEnvironment,
  startTestPlatform,
  testArtifactStore,
  type TestPlatform,
} from '../support/platform.js';
import { runMlops } from '../support/processes.js';

const KEY = 'test-key-0123456789abcdef0123456789abcdef';

describe('batch scoring (mlops score)', () => {
  let platform: TestPlatform;
  let env: NodeJS.ProcessEnv;
  const store = testArtifactStore();
  // Under the working directory (where local inputs may be read from), outside .mlops.
  const folder = path.resolve('test', 'artifacts', 'datasets', randomUUID());
  const name = `churn-batch-${randomUUID().slice(0, 8)}`;
  const people = Array.from({ length: 950 }, (_, index) => ({
    name: `Person Number${index}`,
    email: `person${index}@example.com`,
    age: 20 + (index % 45),
    plan: ['basic', 'plus', 'pro'][index % 3],
    churned: index % 3 === 0 || index % 7 === 0 ? 'churn' : 'stay',
  }));
  const csv = (rows: typeof people) =>
    `name,email,age,plan,churned\n${rows.map((person) => Object.values(person).join(',')).join('\n')}\n`;

  beforeAll(async () => {
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'train.csv'), csv(people.slice(0, 600)));
    await writeFile(path.join(folder, 'batch.csv'), csv(people));
    await writeFile(path.join(folder, 'no-plan.csv'), 'name,email,age\nA,a@example.com,30\n');
    platform = await startTestPlatform({ pools: ['cpu'], env: { MLOPS_PII_HMAC_KEY: KEY } });
    env = {
      ...stackEnvironment(),
      MLOPS_CPU_TASK_QUEUE: platform.config.taskQueues.cpu,
      MLOPS_GPU_TASK_QUEUE: platform.config.taskQueues.gpu,
    };
    const spec = parseSpec({
      name,
      dataset: { uri: path.join(folder, 'train.csv') },
      target: 'churned',
      pii: { drop: ['name'], hash: ['email'] },
      exclude: ['email'],
      train: { trainer: 'logistic_regression' },
      deploy: { promote: true },
    });
    expect((await runPipeline(platform, spec)).status).toBe('succeeded');
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    store.client.destroy();
    await rm(folder, { recursive: true, force: true });
  });

  const readParquet = async (uri: string) => {
    const file = path.join(folder, `${createHash('sha256').update(uri).digest('hex')}.parquet`);
    await writeFile(file, await store.getBuffer(store.keyOf(uri)));
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${file}')`);
    const rows = reader.getRowObjectsJson() as Record<string, string | number | null>[];
    connection.closeSync();
    instance.closeSync();
    return { columns: reader.columnNames(), rows };
  };

  it('scores every row in chunks across the pool, de-identified, with a prediction id per row, recorded in lineage', async () => {
    const scored = await runMlops(
      [
        'score',
        name,
        '--input',
        path.join(folder, 'batch.csv'),
        '--chunk-rows',
        '200',
        '--parallel',
        '2',
        '--monitor-rows',
        '95',
        '--json',
      ],
      env,
    );
    expect(scored.code, scored.stderr).toBe(0);
    const result = scored.json<BatchScoringResult>();
    expect(result).toMatchObject({ modelName: name, version: 1, rows: 950, monitorRows: 95 });
    expect(result.parts).toHaveLength(5);
    expect(result.chunkWorkers).toEqual(Array(5).fill(platform.pools.identities.cpu));

    const parts = await Promise.all(result.parts.map((part) => readParquet(part.uri)));
    const rows = parts.flatMap((part) => part.rows);
    expect(parts[0].columns).toEqual([
      'row_number',
      'prediction_id',
      'prediction',
      'probability_churn',
      'probability_stay',
      'email',
      'age',
      'plan',
      'churned',
    ]);
    expect(rows.map((row) => Number(row.row_number))).toEqual(people.map((_, index) => index));
    const ids = rows.map((row) => String(row.prediction_id));
    expect(new Set(ids).size).toBe(950);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Personal data as training treated it: the name dropped, the email its keyed hash.
    const text = JSON.stringify(rows);
    expect(text).not.toContain('Person Number');
    expect(text).not.toContain('@example.com');
    expect(rows[7].email).toBe(createHmac('sha256', KEY).update(people[7].email).digest('hex'));

    // Each prediction is what the model's row scorer (serving's path) gives for that row.
    const [run] = await platform.database.db
      .select()
      .from(pipelineRuns)
      .where(eq(pipelineRuns.workflowId, result.workflowId));
    expect(run).toMatchObject({ kind: 'batch_scoring', status: 'succeeded', pipelineName: name });
    const modelFile = (
      await platform.database.db.execute<{ uri: string }>(sql`
      select a.uri from model_versions v join models m on m.id = v.model_id join artifacts a on a.id = v.model_artifact_id
      where m.name = ${name} and v.version = 1`)
    ).rows[0].uri;
    const model = loadModelDocument((await store.getBuffer(store.keyOf(modelFile))).toString('utf8'));
    const probabilities = new Float64Array(2);
    for (const [index, row] of rows.entries()) {
      const predicted = predictRowInto(
        model,
        { age: people[index].age, plan: people[index].plan },
        probabilities,
      );
      expect(row.prediction).toBe(model.classes![predicted]);
      expect(Number(row.probability_churn)).toBeCloseTo(probabilities[model.classes!.indexOf('churn')], 9);
    }

    // The manifest: every part with its sha256, the model version and the input's hash; its own
    // sha256 is the output's hash, and lineage ties the run to the version and the output.
    const manifest = JSON.parse((await store.getBuffer(store.keyOf(result.manifest.uri))).toString('utf8'));
    expect(
      createHash('sha256')
        .update(await store.getBuffer(store.keyOf(result.manifest.uri)))
        .digest('hex'),
    ).toBe(result.outputSha256);
    expect(manifest).toMatchObject({
      model: { name, version: 1 },
      input: { sha256: result.inputSha256, rows: 950 },
      rows: 950,
      parts: result.parts.map((part) => ({ uri: part.uri, sha256: part.sha256 })),
    });
    const edges = await platform.database.db
      .select({
        relation: lineageEdges.relation,
        fromKind: lineageEdges.fromKind,
        toKind: lineageEdges.toKind,
      })
      .from(lineageEdges)
      .where(
        and(
          sql`(${lineageEdges.toKind} = 'pipeline_run' and ${lineageEdges.toId} = ${run.id}) or (${lineageEdges.fromKind} = 'pipeline_run' and ${lineageEdges.fromId} = ${run.id})`,
        ),
      );
    expect(edges.filter((edge) => edge.relation === 'scored')).toEqual([
      { relation: 'scored', fromKind: 'model_version', toKind: 'pipeline_run' },
    ]);
    expect(edges.filter((edge) => edge.relation === 'output')).toHaveLength(6);
    expect(edges.filter((edge) => edge.relation === 'input')).toHaveLength(5);

    // The monitor's sample: 95 of the predictions, logged under their batch ids.
    const logged = await platform.database.db
      .select({ predictionId: predictionLogs.predictionId, inputs: predictionLogs.inputs })
      .from(predictionLogs)
      .where(eq(predictionLogs.requestKey, `batch:${ids[0].slice(0, 24)}`));
    expect(logged).toHaveLength(95);
    for (const entry of logged) expect(ids).toContain(entry.predictionId);
    expect(JSON.stringify(logged)).not.toContain('@example.com');
  }, 120_000);

  it('says what is wrong with a model or an input that cannot be scored', async () => {
    const unknown = await runMlops(['score', `${name}@9`, '--input', path.join(folder, 'batch.csv')], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`${name} has no version 9`);
    const lacking = await runMlops(['score', name, '--input', path.join(folder, 'no-plan.csv')], env);
    expect(lacking.code).toBe(1);
    expect(lacking.stderr).toMatch(/lacks the model's features "plan"/);
    const elsewhere = await runMlops(
      ['score', name, '--input', path.join(folder, 'batch.csv'), '--output', 's3://not-ours/x'],
      env,
    );
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/--output: "s3:\/\/not-ours\/x" is not where batch scores may go/);
  }, 120_000);
});
