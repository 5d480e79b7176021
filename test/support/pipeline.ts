import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { startPipeline } from '../../client/pipeline.js';
import type { PipelineResult } from '../../contracts/pipeline.js';
import type { Database } from '../../db/client.js';
import { models, modelVersions, pipelineRuns, stageRuns } from '../../db/schema.js';
import { parseSpec } from '../../spec/parse.js';
import type { PipelineSpec } from '../../spec/types.js';
import { parse } from 'yaml';
import type { TestPlatform } from './platform.js';

/** An example spec (examples/<file>) under a name of this test's own, with fields replaced. */
export function exampleSpec(file: string, overrides: Record<string, unknown> = {}): PipelineSpec {
  const document = parse(readFileSync(`examples/${file}`, 'utf8')) as Record<string, unknown>;
  return parseSpec(
    { ...document, name: `${String(document.name)}-${randomUUID().slice(0, 8)}`, ...overrides },
    file,
  );
}

/** The penguins example with one quick logistic regression instead of its search: seconds to train. */
export function quickPenguinsSpec(overrides: Record<string, unknown> = {}): PipelineSpec {
  return exampleSpec('penguins.yaml', {
    train: { trainer: 'logistic_regression', params: { l2: 0.001 } },
    ...overrides,
  });
}

/**
 * Gradient boosting on the flights sample with many small rounds: long enough, with checkpoints
 * every 500 ms (MLOPS_CHECKPOINT_INTERVAL), for a test to kill its worker midway. Heartbeats reach
 * the server at most every 5 s (the workers' throttle), so training must outlast several of them
 * on an idle machine too: 1,500 rounds took under 5 s alone here (and no checkpoint was ever seen), 4,000 take about 15.
 */
export function killableTrainingSpec(overrides: Record<string, unknown> = {}): PipelineSpec {
  return exampleSpec('flights-sample.yaml', {
    train: {
      trainer: 'gradient_boosting',
      params: { nEstimators: 4000, learningRate: 0.005, maxLeaves: 15, minSamplesLeaf: 20 },
    },
    evaluation: { primaryMetric: 'auc', gates: [] },
    ...overrides,
  });
}

export async function runPipeline(
  platform: TestPlatform,
  spec: PipelineSpec,
  options: { noCache?: boolean } = {},
): Promise<PipelineResult> {
  const run = await startPipeline(platform.client.temporal, spec, {
    taskQueues: platform.pools.taskQueues,
    noCache: options.noCache,
    trigger: 'test',
  });
  return run.result();
}

export async function versionsOf(platform: TestPlatform, modelName: string) {
  return platform.database.db
    .select({ version: modelVersions })
    .from(modelVersions)
    .innerJoin(models, eq(modelVersions.modelId, models.id))
    .where(eq(models.name, modelName))
    .orderBy(modelVersions.version)
    .then((rows) => rows.map((row) => row.version));
}

/** The stage runs of a pipeline run, by its workflow id. */
export async function stageRunsOf(db: Database, workflowId: string) {
  const [run] = await db.select().from(pipelineRuns).where(eq(pipelineRuns.workflowId, workflowId));
  return db.select().from(stageRuns).where(eq(stageRuns.pipelineRunId, run.id));
}
