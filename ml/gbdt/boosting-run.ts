/**
 * The working set of one boosting run (binned data, task buffers, scores) and one round of it:
 * gradients, row and feature sampling, one tree per output, score updates.
 */
import { defaultThreadCount } from '../training.js';
import { binFeatures } from './binning.js';
import type { BoostingState } from './boosting-state.js';
import { addForestOutputs, compileForest, type CompiledForest } from './compiled-forest.js';
import { createHistogramLayout } from './histogram.js';
import { planHistogramUnits } from './histogram-units.js';
import { computeLoss } from './losses.js';
import type { SeededRandom } from './random.js';
import { createTaskContext, RowTasks, SerialExecutor } from './row-tasks.js';
import type { TaskContext } from './task-blocks.js';
import { TreeGrower } from './tree-grower.js';
import { WorkerTeam } from './worker-team.js';
import {
  outputCountFor,
  type GradientBoostingData,
  type GradientBoostingFeature,
  type GradientBoostingFeatureSchema,
  type GradientBoostingParams,
  type GradientBoostingTree,
} from './types.js';

export class BoostingRun {
  readonly validationScores: Float64Array | null;
  private readonly rowCount: number;
  private readonly outputCount: number;
  private readonly context: TaskContext;
  private readonly tasks: RowTasks;
  private readonly grower: TreeGrower;
  private readonly trainColumns: ArrayLike<number>[];
  private readonly validationColumns: ArrayLike<number>[];
  private readonly sampledRows: Uint32Array | null;
  private readonly outOfBagRows: Uint32Array | null;
  /** Binary log-loss keeps each training row's odds (e^margin) instead of its margin. */
  private readonly asOdds: boolean;
  private walkedValues: Float64Array | null = null;

  constructor(
    private readonly train: GradientBoostingData,
    validation: GradientBoostingData | undefined,
    private readonly params: GradientBoostingParams,
    threads: number | undefined,
    baseScores: number[],
    private readonly schema: GradientBoostingFeatureSchema[],
  ) {
    const rowCount = train.target.length;
    const threadCount = threads ?? defaultThreadCount(rowCount);
    const shared = threadCount > 1;
    const { loss, classCount, maxLeaves } = params;
    this.rowCount = rowCount;
    this.outputCount = outputCountFor(classCount);
    this.asOdds = loss === 'binary_logloss';
    const binned = binFeatures(train.features, rowCount, params.maxBins, params.seed, shared);
    const layout = createHistogramLayout(binned.binnings.map((binning) => binning.binCount));
    const outputs = this.outputCount;
    const units = planHistogramUnits(binned, layout, shared);
    this.context = createTaskContext(binned, units, train, loss, classCount, outputs, maxLeaves, shared);
    const executor = shared ? new WorkerTeam(this.context, threadCount) : new SerialExecutor(this.context);
    this.tasks = new RowTasks(this.context, executor, units, layout);
    this.grower = new TreeGrower(binned, layout, params, this.tasks);
    this.trainColumns = columnsOf(train.features);
    const initialState = this.asOdds ? [Math.exp(baseScores[0])] : baseScores;
    fillPerOutput(this.context.scores, initialState, rowCount);
    this.validationColumns = validation ? columnsOf(validation.features) : [];
    this.validationScores = validation ? new Float64Array(outputs * validation.target.length) : null;
    if (validation) fillPerOutput(this.validationScores!, baseScores, validation.target.length);
    this.sampledRows = params.rowSubsample < 1 ? new Uint32Array(rowCount) : null;
    this.outOfBagRows = params.rowSubsample < 1 ? new Uint32Array(rowCount) : null;
  }

  /** Adds trees of earlier rounds (a resumed run) in the order training added them. */
  replay(trees: readonly GradientBoostingTree[]): void {
    trees.forEach((tree, index) => {
      const output = index % this.outputCount;
      const forest = compileForest([tree], this.schema);
      this.addToTrainState(forest, output, null);
      this.addToValidationScores(forest, output);
    });
  }

  /** Fits the trees of one round and returns them (one per output). */
  runRound(state: BoostingState): GradientBoostingTree[] {
    const { context, tasks, sampledRows, outOfBagRows, params, rowCount } = this;
    tasks.gradients();
    let sampledCount = rowCount;
    let outOfBagCount = 0;
    if (sampledRows && outOfBagRows) {
      sampledCount = 0;
      for (let row = 0; row < rowCount; row++) {
        if (state.random.nextFloat() < params.rowSubsample) sampledRows[sampledCount++] = row;
        else outOfBagRows[outOfBagCount++] = row;
      }
    }
    const trees: GradientBoostingTree[] = [];
    for (let output = 0; output < this.outputCount; output++) {
      const featureCount = sampleFeatures(state.random, params.featureSubsample, context.features);
      if (sampledRows) context.rows.set(sampledRows.subarray(0, sampledCount));
      else tasks.identityRows();
      const { tree, leaves } = this.grower.grow(sampledCount, output, featureCount);
      // Rows the tree was grown on get their leaf's value by position; others walk the tree.
      leaves.forEach((leaf, index) => {
        context.leafStarts[index] = leaf.start;
        context.leafValues[index] = this.asOdds ? Math.exp(leaf.value) : leaf.value;
      });
      context.leafStarts[leaves.length] = sampledCount;
      tasks.addLeafValues(output, leaves.length, sampledCount);
      const outOfBag = outOfBagRows && outOfBagCount > 0 ? outOfBagRows.subarray(0, outOfBagCount) : null;
      if (outOfBag || this.validationScores) {
        const forest = compileForest([tree], this.schema);
        if (outOfBag) this.addToTrainState(forest, output, outOfBag);
        this.addToValidationScores(forest, output);
      }
      trees.push(tree);
    }
    return trees;
  }

  /** Weighted mean training loss (log loss or mean squared error) of the current state. */
  trainingLoss(): number {
    const { target, weights } = this.train;
    if (!this.asOdds)
      return computeLoss(this.params.loss, this.params.classCount, target, weights, this.context.scores);
    const odds = this.context.scores;
    let lossSum = 0;
    let weightSum = 0;
    for (let row = 0; row < this.rowCount; row++) {
      const weight = weights ? weights[row] : 1;
      // -log p = log(1 + 1/odds) for class 1, -log(1 - p) = log(1 + odds) for class 0.
      lossSum += weight * Math.log1p(target[row] === 1 ? 1 / odds[row] : odds[row]);
      weightSum += weight;
    }
    return lossSum / weightSum;
  }

  close(): void {
    this.tasks.close();
  }

  /** Walks the one-tree forest for the given rows (all when null) and adds its values to their state. */
  private addToTrainState(forest: CompiledForest, output: number, rows: Uint32Array | null): void {
    const rowCount = this.rowCount;
    const values = (this.walkedValues ??= new Float64Array(rowCount));
    const count = rows ? rows.length : rowCount;
    for (let index = 0; index < count; index++) values[rows ? rows[index] : index] = 0;
    addForestOutputs(forest, 0, 1, 1, 0, this.trainColumns, rows, count, values, 1, 0);
    const state = this.context.scores;
    const offset = output * rowCount;
    for (let index = 0; index < count; index++) {
      const row = rows ? rows[index] : index;
      // The same update, with the same factor, as addLeafValuesBlock applies by leaf.
      if (this.asOdds) {
        state[offset + row] *= Math.exp(values[row]);
      } else {
        state[offset + row] += values[row];
      }
    }
  }

  private addToValidationScores(forest: CompiledForest, output: number): void {
    if (!this.validationScores) return;
    const rowCount = this.validationColumns[0].length;
    addForestOutputs(
      forest,
      0,
      1,
      1,
      output,
      this.validationColumns,
      null,
      rowCount,
      this.validationScores,
      1,
      rowCount,
    );
  }
}

/** Draws the features of one tree (all of them when featureSubsample is 1), in ascending order. */
function sampleFeatures(random: SeededRandom, fraction: number, features: Int32Array): number {
  const total = features.length;
  for (let feature = 0; feature < total; feature++) features[feature] = feature;
  if (fraction >= 1) return total;
  const count = Math.max(1, Math.round(fraction * total));
  for (let position = 0; position < count; position++) {
    const pick = position + random.nextInt(total - position);
    const chosen = features[pick];
    features[pick] = features[position];
    features[position] = chosen;
  }
  features.subarray(0, count).sort();
  return count;
}

function fillPerOutput(scores: Float64Array, values: number[], rowCount: number): void {
  values.forEach((value, output) => scores.fill(value, output * rowCount, (output + 1) * rowCount));
}

function columnsOf(features: GradientBoostingFeature[]): ArrayLike<number>[] {
  return features.map((feature) => (feature.kind === 'numeric' ? feature.values : feature.codes));
}

export function schemaOf(features: GradientBoostingFeature[]): GradientBoostingFeatureSchema[] {
  return features.map((feature) =>
    feature.kind === 'numeric'
      ? { kind: 'numeric', name: feature.name }
      : {
          kind: 'categorical',
          name: feature.name,
          cardinality: feature.cardinality,
          seenCategories: seenCodes(feature.codes, feature.cardinality),
        },
  );
}

function seenCodes(codes: Int32Array, cardinality: number): number[] {
  const seen = new Uint8Array(cardinality);
  for (const code of codes) if (code >= 0) seen[code] = 1;
  const sorted: number[] = [];
  seen.forEach((flag, code) => {
    if (flag === 1) sorted.push(code);
  });
  return sorted;
}
