import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The folder boundaries eslint.config.js enforces, checked on code that crosses them: workflows
 * import I/O only as types, and the pure layers (ml/, data/, reports/) import no services, at
 * any folder depth.
 */
describe('import boundaries', () => {
  const eslint = new ESLint();
  const restricted = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages
      .filter((message) => message.ruleId?.endsWith('no-restricted-imports'))
      .map((message) => message.line);
  };

  it('lets workflows import activities, db, config, storage and node only as types', async () => {
    const code = [
      "import { createDataActivities } from '../activities/pipeline/data.js';",
      "import { loadConfig } from '../config/index.js';",
      "import { ArtifactStore } from '../storage/artifact-store.js';",
      "import { readFile } from 'node:fs/promises';",
      "import { Pool } from 'pg';",
      "import type { Database } from '../db/client.js';",
      "import type { TrainingRecipe } from '../activities/pipeline/types.js';",
      'export const used = [createDataActivities, loadConfig, ArtifactStore, readFile, Pool];',
      'export type Used = [Database, TrainingRecipe];',
    ].join('\n');
    expect(await restricted('workflows/probe.ts', code)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps services out of ml/, data/ and reports/, however deep the file', async () => {
    const code = [
      "import { connectDatabase } from '../../db/client.js';",
      "import { ArtifactStore } from '../../storage/artifact-store.js';",
      "import { Context } from '@temporalio/activity';",
      "import { S3Client } from '@aws-sdk/client-s3';",
      "import { createDataActivities } from '../../activities/pipeline/data.js';",
      'export const used = [connectDatabase, ArtifactStore, Context, S3Client, createDataActivities];',
    ].join('\n');
    for (const folder of ['ml/gbdt', 'data/sub', 'reports/sub'])
      expect(await restricted(`${folder}/probe.ts`, code), folder).toEqual([1, 2, 3, 4, 5]);
  });
});
