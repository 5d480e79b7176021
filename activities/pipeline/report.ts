import type { ArtifactRef } from '../../contracts/artifacts.js';
import { findModelVersionArtifact, upsertArtifact } from '../../db/queries/artifacts.js';
import { findDatasetVersion } from '../../db/queries/datasets.js';
import { findAliasedVersion, findVersionWithRun, setVersionReport } from '../../db/queries/registry.js';
import { listStageRuns, type StageRun } from '../../db/queries/runs.js';
import {
  renderModelReport,
  type ArtifactLink,
  type InputSummary,
  type ModelReportData,
  type TuningTrial,
} from '../../reports/index.js';
import type { ReferenceProfile } from '../../ml/drift/index.js';
import { findModelVersionLineage } from '../../db/queries/lineage.js';
import { lowerIsBetter, type PrimaryMetric } from '../../spec/types.js';
import { artifactKeys } from '../../storage/artifact-store.js';
import type { ActivityDependencies } from '../dependencies.js';
import { withHeartbeat } from '../heartbeat.js';
import { recordStage } from '../stage-recorder.js';
import type { ReportInput } from '../../contracts/pipeline-stages.js';

/** Builds the model version's HTML report from what the registry and the stored artifacts hold. */
export function createReportActivities(deps: ActivityDependencies) {
  const readJson = async <T>(ref: ArtifactRef): Promise<T> =>
    JSON.parse(
      (await deps.artifacts.getBuffer(deps.artifacts.keyOf(ref.uri), 256 * 1024 * 1024)).toString('utf8'),
    ) as T;

  return {
    async reportStage(input: ReportInput): Promise<ArtifactRef> {
      const { result } = await withHeartbeat(() =>
        recordStage(deps, { pipelineRunId: input.pipelineRunId, stage: 'report' }, async () => {
          const row = await findVersionWithRun(deps.db, input.modelVersionId);
          if (!row) throw new Error(`model version ${input.modelVersionId} has no pipeline run to report on`);
          const evaluationFile = await findModelVersionArtifact(deps.db, row.version.id, 'evaluation');
          if (!evaluationFile) throw new Error(`model version ${row.version.id} has no evaluation to report`);
          const evaluation = await readJson<
            Pick<
              ModelReportData,
              'evaluation' | 'fairness' | 'featureImportance' | 'featureImportanceMethod'
            > & { referenceProfile?: ReferenceProfile | null }
          >(evaluationFile);
          const stages = await listStageRuns(deps.db, input.pipelineRunId);
          const trainStage = stages.find((stage) => stage.stage === 'train');
          const curveRef = (trainStage?.outputs as { curve?: ArtifactRef } | null)?.curve;
          const curve = curveRef
            ? await readJson<
                {
                  iteration: number;
                  loss: number;
                  validationMetric?: number;
                  validationMetricName?: string;
                }[]
              >(curveRef)
            : [];
          const dataset = row.version.datasetVersionId
            ? await findDatasetVersion(deps.db, row.version.datasetVersionId)
            : undefined;
          const primaryMetric = row.version.primaryMetric;
          const champion = await findAliasedVersion(deps.db, row.model.name, 'champion');
          const gates = row.version.gates;
          const championGate = gates.find(
            (gate) => gate.name.startsWith('champion:') && gate.threshold !== null,
          );
          const { trainer, ...params } = row.version.params;
          const data: ModelReportData = {
            model: {
              name: row.model.name,
              version: row.version.version,
              status:
                row.version.status === 'rejected'
                  ? 'rejected'
                  : champion?.id === row.version.id
                    ? 'promoted'
                    : 'registered',
              rejectionReasons: row.version.rejectionReasons ?? [],
              task: (row.model.task ?? 'binary') as ModelReportData['model']['task'],
              trainer: String(trainer),
              params,
              createdAt: row.version.createdAt.toISOString(),
              codeVersion: row.version.codeVersion,
              primaryMetric,
            },
            evaluation: evaluation.evaluation,
            fairness: evaluation.fairness,
            featureImportance: evaluation.featureImportance,
            featureImportanceMethod: evaluation.featureImportanceMethod ?? null,
            trainingCurve: { validationMetric: curve.at(-1)?.validationMetricName ?? null, points: curve },
            gates: gates.map((gate) => ({
              name: gate.name,
              passed: gate.passed,
              value: gate.value,
              threshold: gate.threshold,
              bound: gate.bound,
            })),
            champion: championGate
              ? {
                  version: Number(/v(\d+)/.exec(championGate.note ?? '')?.[1] ?? 0),
                  // Every headline metric of the champion on this test set (scores cached before
                  // they were kept have the gate's one).
                  metrics: championMetrics(stages) ?? { [primaryMetric]: championGate.threshold },
                }
              : null,
            lineage: {
              pipelineRun: { workflowId: row.run.workflowId, runId: row.run.runId },
              dataset: {
                name: dataset?.datasetName ?? '(unknown)',
                version: dataset?.version.id ?? '(unknown)',
                uri: dataset?.version.uri ?? '',
                sha256: dataset?.version.sha256 ?? '',
                rows: dataset?.version.rows ?? null,
              },
            },
            // This stage is still running while it writes the report that lists it.
            stages: stages
              .map(stageRecord)
              .map((stage) =>
                stage.stage === 'report' && stage.status === 'running'
                  ? { ...stage, status: 'this report' }
                  : stage,
              ),
            tuning: tuningOf(stages, primaryMetric),
            inputs: inputSummaries(evaluation.referenceProfile),
            artifacts: await artifactLinks(deps, row.model.name, row.version.version),
            generatedAt: new Date().toISOString(),
          };
          // One report per version at a readable key; a retry overwrites it with the same content.
          const stored = await deps.artifacts.put(
            `${artifactKeys.report(row.model.name, row.version.version)}/report.html`,
            renderModelReport(data),
            {
              contentType: 'text/html; charset=utf-8',
            },
          );
          const reportRef = { uri: stored.uri, sha256: stored.sha256, bytes: stored.bytes };
          const artifact = await upsertArtifact(deps.db, { ...reportRef, kind: 'report' });
          await setVersionReport(deps.db, row.version.id, artifact.id);
          return reportRef;
        }),
      );
      return result;
    },
  };
}

/** The inputs as training held them, from the reference profile the final evaluation keeps. */
function inputSummaries(profile: ReferenceProfile | null | undefined): InputSummary[] | null {
  if (!profile?.features) return null;
  return profile.features.map((feature) =>
    feature.kind === 'numeric'
      ? {
          name: feature.name,
          kind: 'numeric',
          rows: feature.count,
          missing: feature.missingCount,
          min: feature.min,
          max: feature.max,
          mean: feature.mean,
        }
      : {
          name: feature.name,
          kind: 'categorical',
          rows: feature.count,
          missing: feature.missingCount,
          categories: feature.categories,
          distinctCount: feature.distinctCount,
        },
  );
}

/** The version's own artifacts (model file, evaluation, dataset), as its lineage records them. */
async function artifactLinks(
  deps: ActivityDependencies,
  name: string,
  version: number,
): Promise<ArtifactLink[]> {
  const lineage = await findModelVersionLineage(deps.db, name, version);
  return (lineage?.artifacts ?? [])
    .filter((entry) => entry.relation !== null && entry.relation !== 'report')
    .map(({ artifact, relation }) => ({
      relation: relation ?? '',
      uri: artifact.uri,
      sha256: artifact.sha256,
      bytes: artifact.bytes,
    }));
}

/** The champion's metrics on this run's test part, as its scoring stage recorded them. */
function championMetrics(stages: readonly StageRun[]): Record<string, number | null> | undefined {
  const outputs = stages.find((stage) => stage.stage === 'gate/champion')?.outputs as
    { metrics?: Record<string, number | null> } | null | undefined;
  return outputs?.metrics;
}

function stageRecord(stage: StageRun) {
  return {
    stage: stage.stage,
    status: stage.status,
    attempt: stage.attempt,
    workerIdentity: stage.workerIdentity,
    cacheHit: stage.cacheHit,
    durationMs: stage.durationMs,
    cpuMs: stage.cpuMs,
    peakRssBytes: stage.peakRssBytes,
    energyJoules: stage.energyJoules,
    gpuDevice: stage.gpuDevice,
  };
}

/** Tuning trials from their stage runs (`tune/trial-N/train` and `.../evaluate`). */
function tuningOf(stages: readonly StageRun[], metric: PrimaryMetric): ModelReportData['tuning'] {
  const trials = new Map<
    string,
    { params: TuningTrial['params']; value: number | null; durationMs: number; status: string }
  >();
  for (const stage of stages) {
    const match = /^tune\/(trial-\d+)\/(train|evaluate)$/.exec(stage.stage);
    if (!match) continue;
    const trial = trials.get(match[1]) ?? { params: {}, value: null, durationMs: 0, status: 'succeeded' };
    trial.durationMs += stage.durationMs ?? 0;
    if (stage.status !== 'succeeded') trial.status = stage.status;
    if (match[2] === 'train')
      trial.params = ((stage.params as { params?: TuningTrial['params'] }).params ??
        {}) as TuningTrial['params'];
    else
      trial.value =
        ((stage.outputs as { metrics?: Record<string, number | null> } | null)?.metrics ?? {})[metric] ??
        null;
    trials.set(match[1], trial);
  }
  if (trials.size === 0) return null;
  return {
    metric,
    lowerIsBetter: lowerIsBetter.has(metric),
    trials: [...trials.entries()]
      .sort(([a], [b]) => Number(a.split('-')[1]) - Number(b.split('-')[1]))
      .map(([id, trial]) => ({
        id,
        params: trial.params,
        validationMetric: trial.value,
        durationMs: trial.durationMs,
        status: trial.status,
      })),
  };
}
