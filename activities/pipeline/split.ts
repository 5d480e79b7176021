import { computeSplit, DatasetInputError, inferTask, targetClasses } from '../../data/index.js';
import { datasetColumns } from '../../db/queries/datasets.js';
import { artifactKeys } from '../../storage/artifact-store.js';
import type { ActivityDependencies } from '../dependencies.js';
import { runCachedStage, stageCacheKey } from '../stage-cache.js';
import { withHeartbeat } from '../heartbeat.js';
import { storeJsonArtifact } from '../json-artifacts.js';
import { localCopy } from '../local-files.js';
import type { SplitInput, SplitOutput } from '../../contracts/pipeline-stages.js';

/**
 * Decides which rows train, validate and test, and stores that decision (a small JSON document of
 * rules and counts) rather than copies of the rows; every later stage selects its part from the
 * one snapshot. Also settles the task (binary, multiclass, regression) when the spec leaves it open.
 */
export function createSplitActivities(deps: ActivityDependencies) {
  return {
    async splitStage(input: SplitInput): Promise<SplitOutput> {
      const params = { ...input.split, target: input.target, task: input.task ?? null };
      const cacheKey = stageCacheKey({
        kind: 'split',
        codeVersion: deps.codeVersion,
        params,
        inputs: [input.dataset.sha256],
      });
      const stage = {
        pipelineRunId: input.pipelineRunId,
        stage: 'split',
        params,
        inputs: { dataset: input.dataset },
        cacheKey,
      };
      const { outputs, cacheHit } = await runCachedStage(
        deps,
        stage,
        { noCache: input.noCache, artifactsOf: (cached) => [cached.split] },
        () =>
          withHeartbeat(async () => {
            const snapshotPath = await localCopy(deps, input.dataset, '.parquet');
            const task = input.task ?? (await inferTask(snapshotPath, input.target));
            const classes = task === 'regression' ? null : await targetClasses(snapshotPath, input.target);
            const definition = await computeSplit({
              snapshotPath,
              strategy: input.split.strategy,
              testFraction: input.split.testFraction,
              validationFraction: input.split.validationFraction,
              seed: input.split.seed,
              target: input.target,
              stratify: task !== 'regression',
              timeColumn: input.split.timeColumn,
              testFrom: input.split.testFrom,
              validationFrom: input.split.validationFrom,
            });
            if (definition.counts.train === 0) {
              const { counts } = definition;
              throw new DatasetInputError(
                `the split leaves no rows to train on (validation ${counts.validation}, test ${counts.test}); ` +
                  'with a time split, rows at or after a cutoff go to the later part: move split.testFrom/validationFrom or lower the fractions',
              );
            }
            if (definition.counts.test === 0) {
              const { counts } = definition;
              // Evaluation and its gates need held-out rows; failing here names the cause.
              throw new DatasetInputError(
                `the split leaves no rows to test on (train ${counts.train}, validation ${counts.validation}); ` +
                  'with a time split, split.testFrom may lie after the newest row: move it earlier, or raise split.testFraction',
              );
            }
            const split = await storeJsonArtifact(
              deps,
              artifactKeys.split(input.dataset.name),
              'split',
              JSON.stringify(definition),
            );
            return { split, counts: definition.counts, task, classes };
          }),
      );
      // The dataset's columns, read once here so no training trial reads the schema again.
      const columns = await datasetColumns(deps.db, input.dataset.datasetVersionId);
      return { ...outputs, columns, cacheHit };
    },
  };
}
