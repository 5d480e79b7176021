import { findModelVersionArtifact } from '../../db/queries/artifacts.js';
import { servedVersions } from '../../db/queries/deployments.js';
import { loggedPredictions } from '../../db/queries/predictions.js';
import { upsertDriftReport } from '../../db/queries/drift.js';
import { createDriftAccumulator, parseReferenceProfile } from '../../ml/drift/index.js';
import type { ActivityDependencies } from '../dependencies.js';
import { withHeartbeat } from '../heartbeat.js';
import { isLowerBetter, liveMetric, withServedModel } from './served-models.js';
import type { DriftWindowInput, DriftWindowOutput } from '../../contracts/loop-stages.js';

const MAX_LABELED_ROWS = 100_000;

export function createDriftWindowActivities(deps: ActivityDependencies) {
  return {
    /**
     * One monitoring window: the model's logged inputs in [windowStart, windowEnd) streamed
     * against the champion's reference profile (stored with its evaluation), plus the live primary
     * metric on the window's labeled predictions. Stores a drift report once per window.
     */
    async computeDriftWindow(input: DriftWindowInput): Promise<DriftWindowOutput> {
      const serving = await servedVersions(deps.db, input.modelName);
      const empty = {
        rows: 0,
        drifted: false,
        driftedFeatures: [],
        maxPsi: null,
        labeled: 0,
        liveMetric: null,
        reportId: null,
      };
      if (serving.champion === null) return { ...empty, modelVersion: null, note: 'no champion is served' };
      return withServedModel(deps, input.modelName, serving.champion, async (champion) => {
        const profile = parseReferenceProfile(await referenceProfileOf(deps, champion.modelVersionId));
        const accumulator = createDriftAccumulator(
          profile,
          input.thresholds ? { thresholds: input.thresholds } : {},
        );
        const labeled: { inputs: Record<string, unknown>; label: unknown }[] = [];
        await withHeartbeat(async () => {
          const window = {
            modelName: input.modelName,
            from: new Date(input.windowStart),
            to: new Date(input.windowEnd),
          };
          for await (const page of loggedPredictions(deps.db, window)) {
            const outputs = page.map((row) =>
              typeof row.output === 'string' || typeof row.output === 'number' ? row.output : null,
            );
            accumulator.addRows(
              page.map((row) => row.inputs),
              outputs.every((output) => output !== null) ? outputs : undefined,
            );
            for (const row of page) if (row.labeled && labeled.length < MAX_LABELED_ROWS) labeled.push(row);
          }
        });
        if (accumulator.rowCount === 0)
          return {
            ...empty,
            modelVersion: serving.champion,
            note: 'no predictions were logged in this window',
          };
        const report = accumulator.finish();
        const metric = champion.primaryMetric;
        const live = {
          name: metric,
          value: await liveMetric(champion, labeled, metric),
          testValue: champion.testMetrics[metric] ?? null,
          lowerIsBetter: isLowerBetter(metric),
        };
        // Kept with the report, so a drift report can draw the live metric window after window.
        const stored = await upsertDriftReport(deps.db, {
          modelVersionId: champion.modelVersionId,
          windowStart: new Date(input.windowStart),
          windowEnd: new Date(input.windowEnd),
          rows: report.windowRowCount,
          drifted: report.verdict.drifted,
          report: { ...report },
          liveMetric: { ...live, labeled: labeled.length },
        });
        const psi = report.features
          .map((feature) => feature.populationStabilityIndex)
          .filter(Number.isFinite);
        return {
          modelVersion: serving.champion,
          rows: report.windowRowCount,
          drifted: report.verdict.drifted,
          driftedFeatures: report.verdict.driftedFeatures,
          maxPsi: psi.length ? Math.max(...psi) : null,
          labeled: labeled.length,
          liveMetric: live,
          reportId: stored.id,
          note: report.warnings.length ? report.warnings.join('; ') : null,
        };
      });
    },
  };
}

/** The reference profile the version's evaluation stored (from its training data). */
async function referenceProfileOf(deps: ActivityDependencies, modelVersionId: number): Promise<unknown> {
  const file = await findModelVersionArtifact(deps.db, modelVersionId, 'evaluation');
  if (!file) throw new Error(`model version ${modelVersionId} has no evaluation, so no reference profile`);
  const evaluation = JSON.parse(
    (await deps.artifacts.getBuffer(deps.artifacts.keyOf(file.uri), 256 * 1024 * 1024)).toString('utf8'),
  ) as { referenceProfile?: unknown };
  if (!evaluation.referenceProfile)
    throw new Error(`the evaluation of model version ${modelVersionId} holds no reference profile`);
  return evaluation.referenceProfile;
}
