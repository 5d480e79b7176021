import { loggedPredictions } from '../../db/queries/predictions.js';
import type { LiveEvidence } from '../../contracts/lifecycle.js';
import type { ActivityDependencies } from '../dependencies.js';
import { isLowerBetter, liveMetric, withServedModel, type ServedModel } from './served-models.js';
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

  const withBoth = <T>(
    input: LabeledComparisonInput,
    work: (champion: ServedModel, challenger: ServedModel) => Promise<T>,
  ) =>
    withServedModel(deps, input.modelName, input.championVersion, (champion) =>
      withServedModel(deps, input.modelName, input.challengerVersion, (challenger) =>
        work(champion, challenger),
      ),
    );

  return {
    /** Champion and challenger each judged on the labeled requests they served since the canary began. */
    async canaryEvidence(input: LabeledComparisonInput): Promise<LiveEvidence> {
      return withBoth(input, async (champion, challenger) => {
        const rows = await labeledRows(input.modelName, input.since, [
          champion.modelVersionId,
          challenger.modelVersionId,
        ]);
        const metric = champion.primaryMetric;
        const judged = async (model: ServedModel) => {
          const served = rows.filter((row) => row.modelVersionId === model.modelVersionId);
          return { labeled: served.length, value: await liveMetric(model, served, metric) };
        };
        return { metric, champion: await judged(champion), challenger: await judged(challenger) };
      });
    },

    /** Both models scored on the same recent labeled requests, whoever served them. */
    async compareOnLabeledTraffic(input: LabeledComparisonInput): Promise<ComparisonOutput> {
      return withBoth(input, async (champion, challenger) => {
        const rows = await labeledRows(input.modelName, input.since);
        const metric = champion.primaryMetric;
        return {
          metric,
          rows: rows.length,
          champion: await liveMetric(champion, rows, metric),
          challenger: await liveMetric(challenger, rows, metric),
          lowerIsBetter: isLowerBetter(metric),
        };
      });
    },
  };
}
