import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineRuns, stageRuns } from '../../db/schema.js';
import { parseSpec } from '../../spec/parse.js';
import { runPipeline, versionsOf } from '../support/pipeline.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { currentDetailsOf, expectRunsMatching } from '../support/visibility.js';

/** Rows of a small classification dataset as CSV, with `edit` applied to each row's cells. */
function csv(
  rows: number,
  edit: (row: Record<string, string>, index: number) => void = () => undefined,
): string {
  const lines: string[] = [];
  for (let index = 0; index < rows; index += 1) {
    const row: Record<string, string> = {
      age: String(20 + (index % 50)),
      income: String(1000 + index * 7),
      city: ['north', 'south', 'east'][index % 3],
      label: index % 2 ? 'yes' : 'no',
    };
    edit(row, index);
    if (index === 0) lines.push(Object.keys(row).join(','));
    lines.push(Object.values(row).join(','));
  }
  return `${lines.join('\n')}\n`;
}

describe('training pipeline on bad input', () => {
  let platform: TestPlatform;
  // Under the working directory (where datasets may be read from), outside .mlops (never read as data).
  const folder = path.resolve('test', 'artifacts', 'datasets', randomUUID());

  beforeAll(async () => {
    await mkdir(folder, { recursive: true });
    platform = await startTestPlatform({ pools: ['cpu'] });
  });

  afterAll(async () => {
    await platform?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  const cases: {
    name: string;
    file?: string;
    content?: string;
    uri?: string;
    spec?: Record<string, unknown>;
    stage: string;
    type: string;
    message: RegExp;
  }[] = [
    {
      name: 'a missing target column',
      content: csv(200),
      spec: { target: 'churned' },
      stage: 'validate',
      type: 'ValidationFailed',
      message:
        /target column "churned" does not exist; the dataset.s columns are "age", "income", "city", "label"/,
    },
    {
      name: 'a target that is null in every row',
      content: csv(200, (row) => (row.label = '')),
      stage: 'validate',
      type: 'ValidationFailed',
      message: /"label".*(null in every row|no non-null values)/,
    },
    {
      name: 'a numeric column with text beyond the allowed fraction',
      content: csv(200, (row, index) => index % 4 === 0 && (row.age = 'unknown')),
      spec: { validation: { columns: { age: { type: 'number', maxInvalidFraction: 0.1 } } } },
      stage: 'validate',
      type: 'ValidationFailed',
      message: /"age".*50 of 200.*(25(\.0)?%).*examples: "unknown"/s,
    },
    {
      name: 'a time split whose test cutoff lies after the newest row',
      content: csv(200, (row, index) => (row.day = `2024-01-${String(1 + (index % 28)).padStart(2, '0')}`)),
      spec: { split: { strategy: 'time', timeColumn: 'day', testFrom: '2024-03-01' } },
      stage: 'split',
      type: 'InvalidInput',
      message: /no rows to test on \(train \d+, validation \d+\).*split\.testFrom/s,
    },
    {
      name: 'a time split whose cutoffs lie before the oldest row',
      content: csv(200, (row, index) => (row.day = `2024-01-${String(1 + (index % 28)).padStart(2, '0')}`)),
      spec: {
        split: { strategy: 'time', timeColumn: 'day', validationFrom: '2023-11-01', testFrom: '2023-12-01' },
      },
      stage: 'split',
      type: 'InvalidInput',
      message: /no rows to train on/,
    },
    { name: 'an empty file', content: '', stage: 'ingest', type: 'InvalidInput', message: /empty/ },
    {
      name: 'an unparseable CSV',
      content: 'age;income\n"unterminated,1\n2;3\n',
      stage: 'ingest',
      type: 'InvalidInput',
      message: /CSV/,
    },
    {
      name: 'a local path outside the allowed roots',
      uri: path.join(os.tmpdir(), 'outside-the-roots.csv'),
      stage: 'ingest',
      type: 'InvalidInput',
      message: /outside.*MLOPS_DATA_ROOTS/s,
    },
  ];

  it.each(cases)('fails on $name with a clear, non-retried error and registers nothing', async (testCase) => {
    const file = path.join(folder, `${randomUUID()}.csv`);
    if (testCase.content !== undefined) await writeFile(file, testCase.content);
    const spec = parseSpec({
      name: `bad-input-${randomUUID().slice(0, 8)}`,
      dataset: { uri: testCase.uri ?? file, format: 'csv' },
      target: 'label',
      train: { trainer: 'logistic_regression' },
      ...testCase.spec,
    });
    const result = await runPipeline(platform, spec);

    expect(result.status).toBe('failed');
    expect(result.model).toBeNull();
    expect(result.error?.type).toBe(testCase.type);
    expect(result.error?.message).toMatch(testCase.message);
    const [run] = await platform.database.db
      .select()
      .from(pipelineRuns)
      .where(eq(pipelineRuns.workflowId, result.workflowId));
    expect(run.status).toBe('failed');
    const [stage] = (
      await platform.database.db.select().from(stageRuns).where(eq(stageRuns.pipelineRunId, run.id))
    ).filter((row) => row.stage === testCase.stage);
    // Bad input is not retried: one attempt, recorded as failed.
    expect(stage).toMatchObject({ status: 'failed', attempt: 1 });
    expect(await versionsOf(platform, spec.name)).toEqual([]);
    // The README's saved view "failed runs of a model" finds it, by the stage it failed in too,
    // and the Temporal UI shows why.
    const temporal = platform.client.temporal;
    const failedRuns = `MlopsModel = "${spec.name}" AND MlopsStatus = "failed"`;
    await expectRunsMatching(temporal, failedRuns, [result.workflowId]);
    await expectRunsMatching(temporal, `${failedRuns} AND MlopsStage = "${testCase.stage}"`, [
      result.workflowId,
    ]);
    expect(await currentDetailsOf(temporal, result.workflowId)).toMatch(
      new RegExp(`^\\*\\*failed\\*\\* \\(${testCase.type}\\): `),
    );
  });
});
