/**
 * Grows one regression tree on gradient histograms, leaf-wise (best gain first, as LightGBM) or
 * depth-wise (level by level). Rows of each leaf are kept as a contiguous range of one index
 * array, partitioned in place; a parent's histogram becomes its larger child's by subtracting the
 * smaller child's, so only the smaller child is ever built from rows.
 */
import type { BinnedData } from './binning.js';
import { HISTOGRAM_STRIDE, subtractHistogram, type HistogramLayout } from './histogram.js';
import type { RowTasks } from './row-tasks.js';
import { findBestSplit, type NodeTotals, type SplitCandidate, type SplitSettings } from './split-finder.js';
import { TreeRecorder } from './tree-recorder.js';
import type { GradientBoostingParams, GradientBoostingTree } from './types.js';

export interface LeafRange {
  start: number;
  count: number;
  value: number;
}

interface GrowingLeaf {
  node: number;
  start: number;
  count: number;
  depth: number;
  totals: NodeTotals;
  histogram: Float64Array | null;
  split: SplitCandidate | null;
}

type TreeSettings = Pick<
  GradientBoostingParams,
  'growth' | 'maxLeaves' | 'maxDepth' | 'minSamplesLeaf' | 'l2' | 'learningRate'
>;

export class TreeGrower {
  private readonly freeHistograms: Float64Array[] = [];
  private readonly splitSettings: SplitSettings;
  private readonly features: Int32Array;
  private featureCount = 0;
  private output = 0;

  constructor(
    private readonly binned: BinnedData,
    private readonly layout: HistogramLayout,
    private readonly settings: TreeSettings,
    private readonly tasks: RowTasks,
  ) {
    this.features = tasks.context.features;
    const isCategorical = Uint8Array.from(binned.binnings, (binning) =>
      binning.kind === 'categorical' ? 1 : 0,
    );
    this.splitSettings = { minSamplesLeaf: settings.minSamplesLeaf, l2: settings.l2, layout, isCategorical };
  }

  /**
   * Grows a tree for output `output` over the rows listed in the first `rowCount` entries of
   * the task rows, using the first `featureCount` task features; returns the tree and the row
   * range and value of each leaf, in row-range order.
   */
  grow(
    rowCount: number,
    output: number,
    featureCount: number,
  ): { tree: GradientBoostingTree; leaves: LeafRange[] } {
    this.featureCount = featureCount;
    this.output = output;
    const recorder = new TreeRecorder(this.binned.binnings);
    const rootHistogram = this.takeHistogram();
    this.tasks.selectFeatures(featureCount);
    this.tasks.histogram(0, rowCount, output, rootHistogram);
    const root: GrowingLeaf = {
      node: recorder.addNode(),
      start: 0,
      count: rowCount,
      depth: 0,
      totals: this.sumHistogram(rootHistogram),
      histogram: rootHistogram,
      split: null,
    };
    this.evaluate(root);
    const finished: GrowingLeaf[] = [];
    const open: GrowingLeaf[] = [root];
    let leafCount = 1;
    while (open.length > 0) {
      const index = this.settings.growth === 'leafwise' ? indexOfBestGain(open) : 0;
      const leaf = open[index];
      if (leaf.split === null || leafCount >= this.settings.maxLeaves) {
        // Leaf-wise: the best leaf cannot split, so none can; depth-wise: this one is done.
        if (this.settings.growth === 'leafwise' || leafCount >= this.settings.maxLeaves) break;
        finished.push(...open.splice(index, 1));
        this.releaseHistogram(leaf);
        continue;
      }
      open.splice(index, 1);
      leafCount++;
      const [left, right] = this.split(leaf, recorder, leafCount < this.settings.maxLeaves);
      open.push(left, right);
    }
    for (const leaf of open) this.releaseHistogram(leaf);
    const leaves = [...finished, ...open]
      .sort((a, b) => a.start - b.start)
      .map((leaf) => {
        const denominator = leaf.totals.hessian + this.settings.l2;
        // A leaf can only be empty of weight when sampling left the tree no rows at all.
        const value =
          denominator > 0 ? -this.settings.learningRate * (leaf.totals.gradient / denominator) : 0;
        recorder.setLeafValue(leaf.node, value);
        return { start: leaf.start, count: leaf.count, value };
      });
    return { tree: recorder.finish(), leaves };
  }

  private split(
    parent: GrowingLeaf,
    recorder: TreeRecorder,
    childrenMaySplit: boolean,
  ): [GrowingLeaf, GrowingLeaf] {
    const split = parent.split!;
    const leftCount = this.partition(parent, split);
    const leftNode = recorder.addNode();
    const rightNode = recorder.addNode();
    recorder.setSplit(parent.node, split, leftNode, rightNode);
    const leftTotals = { gradient: split.leftGradient, hessian: split.leftHessian, count: leftCount };
    const rightTotals = {
      gradient: parent.totals.gradient - split.leftGradient,
      hessian: parent.totals.hessian - split.leftHessian,
      count: parent.count - leftCount,
    };
    const depth = parent.depth + 1;
    const left: GrowingLeaf = {
      node: leftNode,
      start: parent.start,
      count: leftCount,
      depth,
      totals: leftTotals,
      histogram: null,
      split: null,
    };
    const right: GrowingLeaf = { ...left, node: rightNode, start: parent.start + leftCount };
    right.count = parent.count - leftCount;
    right.totals = rightTotals;
    const leftMaySplit = childrenMaySplit && this.maySplit(left);
    const rightMaySplit = childrenMaySplit && this.maySplit(right);
    if (leftMaySplit || rightMaySplit) {
      // Build the smaller child from its rows; the parent's histogram turns into the larger one's.
      const [smaller, larger] = left.count <= right.count ? [left, right] : [right, left];
      smaller.histogram = this.takeHistogram();
      this.tasks.histogram(smaller.start, smaller.count, this.output, smaller.histogram);
      subtractHistogram(parent.histogram!, smaller.histogram, this.features, this.featureCount, this.layout);
      larger.histogram = parent.histogram;
      parent.histogram = null;
      if (leftMaySplit) this.evaluate(left);
      if (rightMaySplit) this.evaluate(right);
      if (!leftMaySplit) this.releaseHistogram(left);
      if (!rightMaySplit) this.releaseHistogram(right);
    } else {
      this.releaseHistogram(parent);
    }
    return [left, right];
  }

  private maySplit(leaf: GrowingLeaf): boolean {
    const { maxDepth, minSamplesLeaf } = this.settings;
    return (maxDepth === null || leaf.depth < maxDepth) && leaf.count >= 2 * minSamplesLeaf;
  }

  private evaluate(leaf: GrowingLeaf): void {
    leaf.split = this.maySplit(leaf)
      ? findBestSplit(leaf.histogram!, this.features, this.featureCount, leaf.totals, this.splitSettings)
      : null;
  }

  /** Partitions the leaf's rows: left rows first, both sides keep their row order. */
  private partition(leaf: GrowingLeaf, split: SplitCandidate): number {
    const goesLeft = this.tasks.context.goesLeft;
    goesLeft.fill(0);
    if (split.leftBins === null) goesLeft.fill(1, 0, split.thresholdBin + 1);
    else for (const bin of split.leftBins) goesLeft[bin] = 1;
    goesLeft[this.binned.binnings[split.feature].binCount] = split.missingGoesLeft ? 1 : 0;
    return this.tasks.partition(leaf.start, leaf.count, split.feature);
  }

  private sumHistogram(histogram: Float64Array): NodeTotals {
    const feature = this.features[0];
    const begin = this.layout.offsets[feature] * HISTOGRAM_STRIDE;
    const end = begin + this.layout.slots[feature] * HISTOGRAM_STRIDE;
    const totals = { gradient: 0, hessian: 0, count: 0 };
    for (let slot = begin; slot < end; slot += HISTOGRAM_STRIDE) {
      totals.gradient += histogram[slot];
      totals.hessian += histogram[slot + 1];
      totals.count += histogram[slot + 2];
    }
    return totals;
  }

  private takeHistogram(): Float64Array {
    return this.freeHistograms.pop() ?? new Float64Array(this.layout.totalSlots * HISTOGRAM_STRIDE);
  }

  private releaseHistogram(leaf: GrowingLeaf): void {
    if (leaf.histogram) this.freeHistograms.push(leaf.histogram);
    leaf.histogram = null;
  }
}

function indexOfBestGain(leaves: GrowingLeaf[]): number {
  let bestIndex = 0;
  let bestGain = -Infinity;
  leaves.forEach((leaf, index) => {
    const gain = leaf.split ? leaf.split.gain : -Infinity;
    if (gain > bestGain) {
      bestGain = gain;
      bestIndex = index;
    }
  });
  return bestIndex;
}
