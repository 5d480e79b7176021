import type { BatchScoringActivities } from '../../contracts/batch-scoring.js';
import { addLineageEdge, upsertArtifact } from '../../db/queries/artifacts.js';
import type { ActivityDependencies } from '../dependencies.js';
import { recordStage } from '../stage-recorder.js';
import { outputLocation } from './output.js';

/**
 * The batch's record: a manifest beside the parts (every part with its sha256 and rows, the model
 * version, the input's URI and hash), whose sha256 is the output's hash; every part, chunk and
 * the manifest registered as artifacts; lineage edges model version -> run (`scored`), chunk ->
 * run (`input`) and run -> part and manifest (`output`). All upserts: a retry changes nothing.
 */
export function createFinishBatchActivity(
  deps: ActivityDependencies,
): Pick<BatchScoringActivities, 'finishBatchScoring'> {
  return {
    async finishBatchScoring(input) {
      const { result } = await recordStage(
        deps,
        { pipelineRunId: input.pipelineRunId, stage: 'finish' },
        async () => {
          const output = outputLocation(deps, input.outputUri);
          const parts = [...input.parts].sort((a, b) => a.index - b.index);
          const manifestDocument = {
            format: 'mlops.batch-scores/v1',
            model: {
              name: input.modelName,
              version: input.model.version,
              modelFileSha256: input.model.modelFile.sha256,
            },
            input: { uri: input.inputUri, sha256: input.plan.inputSha256, rows: input.plan.rows },
            rows: parts.reduce((sum, part) => sum + part.rows, 0),
            parts: parts.map((part) => ({
              uri: part.part.uri,
              sha256: part.part.sha256,
              bytes: part.part.bytes,
              rows: part.rows,
              firstRow: input.plan.chunks[part.index].firstRow,
            })),
          };
          const stored = await output.store.putJson(
            output.manifestKey,
            `${JSON.stringify(manifestDocument, null, 2)}\n`,
          );
          const manifest = { uri: stored.uri, sha256: stored.sha256, bytes: stored.bytes };
          const run = { kind: 'pipeline_run' as const, id: input.pipelineRunId };
          await addLineageEdge(
            deps.db,
            { kind: 'model_version', id: input.model.modelVersionId },
            run,
            'scored',
          );
          for (const chunk of input.plan.chunks) {
            const row = await upsertArtifact(deps.db, { ...chunk.file, kind: 'batch_input' });
            await addLineageEdge(deps.db, { kind: 'artifact', id: row.id }, run, 'input');
          }
          for (const ref of [...parts.map((part) => part.part), manifest]) {
            const row = await upsertArtifact(deps.db, {
              ...ref,
              kind: ref === manifest ? 'batch_manifest' : 'batch_scores',
            });
            await addLineageEdge(deps.db, run, { kind: 'artifact', id: row.id }, 'output');
          }
          return { manifest };
        },
      );
      return result;
    },
  };
}
