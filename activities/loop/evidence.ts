import { loggedPredictions } from '../../db/queries/predictions.js';
import type { LiveEvidence } from '../../contracts/lifecycle.js';
import type { ActivityDependencies } from '../dependencies.js';
import { isLowerBetter, liveMetric, loadServedModel } from './served-models.js';
import type { ComparisonOutput, LabeledComparisonInput } from '../../contracts/loop-stages.js';

const MAX_ROWS = 200_000;

/** Live evidence for promotion decisions, from logged predictions and the labels sent back for them. */
export function createEvidenceActivities(deps: ActivityDependencies) {
  const labeledRows = async (modelName: string, since: number, versionIds?: number[]) => {
    const rows: { modelVersionId: number; inputs: Record<string, unknown>; label: unknown }[] = [];
    for await (const page of loggedPredictions(deps.db, {
      modelName,
      from: new Date(since),
      to: new Date(),
      versionIds,
      labeledOnly: true,
    })) {
      rows.push(...page);
      if (rows.length >= MAX_ROWS) break;
    }
    return rows;
  };

  return {
    /** Champion and challenger each judged on the labeled requests they served since the canary began. */
    async canaryEvidence(input: LabeledComparisonInput): Promise<LiveEvidence> {
      const champion = await loadServedModel(deps, input.modelName, input.championVersion);
      const challenger = await loadServedModel(deps, input.modelName, input.challengerVersion);
      const rows = await labeledRows(input.modelName, input.since, [
        champion.modelVersionId,
        challenger.modelVersionId,
      ]);
      const metric = champion.primaryMetric;
      const judged = (model: typeof champion) => {
        const served = rows.filter((row) => row.modelVersionId === model.modelVersionId);
        return { labeled: served.length, value: liveMetric(model, served, metric) };
      };
      return { metric, champion: judged(champion), challenger: judged(challenger) };
    },

    /** Both models scored on the same recent labeled requests, whoever served them. */
    async compareOnLabeledTraffic(input: LabeledComparisonInput): Promise<ComparisonOutput> {
      const champion = await loadServedModel(deps, input.modelName, input.championVersion);
      const challenger = await loadServedModel(deps, input.modelName, input.challengerVersion);
      const rows = await labeledRows(input.modelName, input.since);
      const metric = champion.primaryMetric;
      return {
        metric,
        rows: rows.length,
        champion: liveMetric(champion, rows, metric),
        challenger: liveMetric(challenger, rows, metric),
        lowerIsBetter: isLowerBetter(metric),
      };
    },
  };
}
