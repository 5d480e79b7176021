/**
 * Writes a growing tree in its stored form, translating bin-level splits into real thresholds and
 * category codes so prediction never needs the training bins.
 */
import type { FeatureBinning } from './binning.js';
import type { SplitCandidate } from './split-finder.js';
import type { GradientBoostingTree } from './types.js';

/**
 * Threshold of a numeric split that sends every value left and only missing values right. Finite,
 * so the model stays plain JSON; larger than any value a feature can hold except +Infinity.
 */
const EVERY_VALUE_THRESHOLD = Number.MAX_VALUE;

export class TreeRecorder {
  private readonly tree: GradientBoostingTree = {
    feature: [],
    threshold: [],
    leftCategories: [],
    missingGoesLeft: [],
    left: [],
    right: [],
    value: [],
    gain: [],
  };

  constructor(private readonly binnings: readonly FeatureBinning[]) {}

  addNode(): number {
    const tree = this.tree;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.leftCategories.push(null);
    tree.missingGoesLeft.push(false);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(0);
    tree.gain.push(0);
    return tree.feature.length - 1;
  }

  setSplit(node: number, split: SplitCandidate, left: number, right: number): void {
    const tree = this.tree;
    const binning = this.binnings[split.feature];
    tree.feature[node] = split.feature;
    tree.missingGoesLeft[node] = split.missingGoesLeft;
    tree.left[node] = left;
    tree.right[node] = right;
    tree.gain[node] = split.gain;
    if (binning.kind === 'numeric') {
      tree.threshold[node] =
        split.thresholdBin < binning.edges.length ? binning.edges[split.thresholdBin] : EVERY_VALUE_THRESHOLD;
    } else {
      const codes: number[] = [];
      for (const bin of split.leftBins!) for (const code of binning.codesOfBin[bin] ?? []) codes.push(code);
      tree.leftCategories[node] = codes.sort((a, b) => a - b);
    }
  }

  setLeafValue(node: number, value: number): void {
    this.tree.value[node] = value;
  }

  finish(): GradientBoostingTree {
    return this.tree;
  }
}
