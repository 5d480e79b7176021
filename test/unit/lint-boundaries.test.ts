import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The folder boundaries eslint.config.js enforces, checked on code that crosses them: workflows
 * import contracts/ and spec/ only, activities import neither workflows nor workers (nor tables),
 * contracts/ does no I/O, the stack launcher knows nothing of what runs on it, and the pure layers
 * (ml/, data/, reports/) import no services, at any folder depth.
 */
describe('import boundaries', () => {
  const eslint = new ESLint();
  const restricted = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages
      .filter((message) => message.ruleId?.endsWith('no-restricted-imports'))
      .map((message) => message.line);
  };
  const lines = (...imports: string[]) => imports.join('\n');

  it('lets workflows import contracts/ and spec/ only, not even activity or database types', async () => {
    const code = lines(
      "import { createDataActivities } from '../activities/pipeline/data.js';",
      "import { loadConfig } from '../config/index.js';",
      "import { ArtifactStore } from '../storage/artifact-store.js';",
      "import { readFile } from 'node:fs/promises';",
      "import { Pool } from 'pg';",
      "import type { Database } from '../db/client.js';",
      "import type { CpuActivities } from '../activities/index.js';",
      "import { seededRandom } from '../ml/random.js';",
      "import type { PipelineActivities } from '../contracts/pipeline-stages.js';",
      "import { lowerIsBetter } from '../spec/types.js';",
      "import { roundTo } from './rounding.js';",
      'export const used = [createDataActivities, loadConfig, ArtifactStore, readFile, Pool, seededRandom];',
      'export type Used = [Database, CpuActivities, PipelineActivities, typeof lowerIsBetter, typeof roundTo];',
    );
    expect(await restricted('workflows/probe.ts', code)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('keeps workflows, workers, the CLI and tables out of activities', async () => {
    const code = lines(
      "import { trainingPipelineWorkflow } from '../../workflows/training.js';",
      "import { currentGpuDevice } from '../../workers/gpu-devices.js';",
      "import type { Session } from '../../cli/session.js';",
      "import { stageRuns } from '../../db/schema.js';",
      "import { eq } from 'drizzle-orm';",
      "import { upsertArtifact } from '../../db/queries/artifacts.js';",
      "import { Context } from '@temporalio/activity';",
      "import { WithStartWorkflowOperation } from '@temporalio/client';",
      "import { promoteUpdate } from '../../contracts/lifecycle.js';",
      'export const used = [trainingPipelineWorkflow, currentGpuDevice, stageRuns, eq, upsertArtifact, Context];',
      'export type Used = [Session, WithStartWorkflowOperation, typeof promoteUpdate];',
    );
    expect(await restricted('activities/pipeline/probe.ts', code)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps I/O out of contracts/', async () => {
    const code = lines(
      "import { connectDatabase } from '../db/client.js';",
      "import { Context } from '@temporalio/activity';",
      "import { readFile } from 'node:fs/promises';",
      "import { loadConfig } from '../config/index.js';",
      "import { defineUpdate } from '@temporalio/workflow';",
      "import { defineSearchAttributeKey } from '@temporalio/common';",
      "import type { PipelineSpec } from '../spec/types.js';",
      'export const used = [connectDatabase, Context, readFile, loadConfig, defineUpdate, defineSearchAttributeKey];',
      'export type Used = PipelineSpec;',
    );
    expect(await restricted('contracts/probe.ts', code)).toEqual([1, 2, 3, 4]);
  });

  it('keeps the stack launcher to the services it starts', async () => {
    const code = lines(
      "import { startWorkerPools } from '../workers/pools.js';",
      "import { connectDatabase } from '../db/client.js';",
      "import { openSession } from '../cli/session.js';",
      "import type { Config } from '../config/index.js';",
      "import { ArtifactStore } from '../storage/artifact-store.js';",
      "import { Connection } from '@temporalio/client';",
      'export const used = [startWorkerPools, connectDatabase, openSession, ArtifactStore, Connection];',
      'export type Used = Config;',
    );
    expect(await restricted('stack/probe.ts', code)).toEqual([1, 2, 3]);
  });

  it('keeps services out of ml/, data/ and reports/, however deep the file', async () => {
    const code = lines(
      "import { connectDatabase } from '../../db/client.js';",
      "import { ArtifactStore } from '../../storage/artifact-store.js';",
      "import { Context } from '@temporalio/activity';",
      "import { S3Client } from '@aws-sdk/client-s3';",
      "import { createDataActivities } from '../../activities/pipeline/data.js';",
      'export const used = [connectDatabase, ArtifactStore, Context, S3Client, createDataActivities];',
    );
    for (const folder of ['ml/gbdt', 'data/sub', 'reports/sub'])
      expect(await restricted(`${folder}/probe.ts`, code), folder).toEqual([1, 2, 3, 4, 5]);
  });
});
