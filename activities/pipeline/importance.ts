import type { Frame } from '../../ml/frame/frame.js';
import { loadModelDocument, predictFrame, type FramePredictions } from '../../ml/model/index.js';
import type { FeatureImportance, FeatureImportanceMethod } from '../../reports/index.js';
import type { ScoringModel } from '../model-files.js';
import { scorePredictions, specMetrics } from './scoring.js';

const PERMUTATION_ROWS = 20_000;

/**
 * Which features the model leans on. Gradient boosting reports its own total split gain per
 * feature. For other models (linear ones, ONNX files) the importance is permutation-based: how
 * much the primary metric worsens on held-out rows when one feature's values are shuffled
 * (seeded), which compares numeric and categorical features on one scale.
 */
export async function featureImportance(
  model: ScoringModel,
  frame: Frame,
  primaryMetric: string,
  lowerIsBetter: boolean,
): Promise<{ method: FeatureImportanceMethod; features: FeatureImportance[] }> {
  if (model.kind === 'builtin' && model.document.learned.kind === 'gradient_boosting') {
    const gains = model.document.learned.model.featureImportance;
    return {
      method: { kind: 'gain' },
      features: model.features
        .map((feature, index) => ({ feature, importance: gains[index] ?? 0 }))
        .sort(byImportance),
    };
  }
  const sample = headRows(frame, PERMUTATION_ROWS);
  const method = { kind: 'permutation' as const, metric: primaryMetric, rows: sample.rowCount };
  return { method, features: await permutationImportance(model, sample, primaryMetric, lowerIsBetter) };
}

async function permutationImportance(
  model: ScoringModel,
  sample: Frame,
  primaryMetric: string,
  lowerIsBetter: boolean,
): Promise<FeatureImportance[]> {
  // Built-in models score a small sample faster in this thread than in a worker thread.
  const loaded = model.kind === 'builtin' ? loadModelDocument(model.document) : null;
  const predict = (candidate: Frame): Promise<FramePredictions> =>
    loaded ? Promise.resolve(predictFrame(loaded, candidate)) : model.predictFrame(candidate);
  const score = async (candidate: Frame) =>
    specMetrics(scorePredictions(model.target, candidate, await predict(candidate), []).evaluation)[
      primaryMetric
    ] ?? null;
  const baseline = await score(sample);
  if (baseline === null) return [];
  const importance: FeatureImportance[] = [];
  for (const feature of model.features) {
    const shuffled = await score(withShuffledColumn(sample, feature));
    const loss = shuffled === null ? 0 : lowerIsBetter ? shuffled - baseline : baseline - shuffled;
    importance.push({ feature, importance: Math.max(0, loss) });
  }
  return importance.sort(byImportance);
}

function byImportance(a: FeatureImportance, b: FeatureImportance): number {
  return (b.importance ?? 0) - (a.importance ?? 0) || (a.feature < b.feature ? -1 : 1);
}

function headRows(frame: Frame, limit: number): Frame {
  if (frame.rowCount <= limit) return frame;
  return {
    rowCount: limit,
    columns: frame.columns.map((column) =>
      column.kind === 'numeric'
        ? {
            ...column,
            values: column.values.subarray(0, limit),
            missing: column.missing?.subarray(0, limit) ?? null,
          }
        : { ...column, codes: column.codes.subarray(0, limit) },
    ),
  };
}

/** The frame with one column's rows permuted by a fixed seed (the same shuffle every run). */
function withShuffledColumn(frame: Frame, name: string): Frame {
  const order = Int32Array.from({ length: frame.rowCount }, (_, index) => index);
  let state = 0x9e3779b9;
  for (let index = order.length - 1; index > 0; index -= 1) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    const other = state % (index + 1);
    [order[index], order[other]] = [order[other], order[index]];
  }
  return {
    rowCount: frame.rowCount,
    columns: frame.columns.map((column) => {
      if (column.name !== name) return column;
      if (column.kind === 'numeric') {
        return {
          ...column,
          values: Float64Array.from(order, (row) => column.values[row]),
          missing: column.missing ? Uint8Array.from(order, (row) => column.missing![row]) : null,
        };
      }
      return { ...column, codes: Int32Array.from(order, (row) => column.codes[row]) };
    }),
  };
}
