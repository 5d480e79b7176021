/**
 * How the cells of a numeric sketch (below the minimum, each knot, each gap between knots, above
 * the maximum) fall into PSI bins. Reference and window counts both go through this one mapping,
 * so their bins agree by construction.
 */

export interface NumericBinLayout {
  readonly binCount: number;
  readonly belowBin: number;
  readonly aboveBin: number;
  /** PSI bin of the values equal to knot i. */
  readonly knotBins: Int32Array;
  /** PSI bin of the values strictly between knot i and knot i + 1. */
  readonly gapBins: Int32Array;
  /** Human-readable bin ranges for reports, e.g. "(-∞, 3.5]". */
  readonly labels: string[];
}

/** Counts per PSI bin from counts per sketch cell (below the first knot, at each knot, in each gap, above). */
export function countPerBin(
  layout: NumericBinLayout,
  cells: {
    readonly knotCounts: ArrayLike<number>;
    readonly gapCounts: ArrayLike<number>;
    readonly belowCount: number;
    readonly aboveCount: number;
  },
): number[] {
  const counts = new Array<number>(layout.binCount).fill(0);
  counts[layout.belowBin] += cells.belowCount;
  counts[layout.aboveBin] += cells.aboveCount;
  for (let knot = 0; knot < cells.knotCounts.length; knot += 1)
    counts[layout.knotBins[knot]] += cells.knotCounts[knot];
  for (let gap = 0; gap < cells.gapCounts.length; gap += 1)
    counts[layout.gapBins[gap]] += cells.gapCounts[gap];
  return counts;
}

/** Edges are right-closed and must be a subset of the knots. */
export function numericBinLayout(knots: readonly number[], edges: readonly number[]): NumericBinLayout {
  const knotBins = new Int32Array(knots.length);
  const gapBins = new Int32Array(Math.max(knots.length - 1, 0));
  if (knots.length === 1 && edges.length === 0) {
    // A constant reference: a shift either way must be visible, so below, at and above get a bin each.
    knotBins[0] = 1;
    const value = String(knots[0]);
    return {
      binCount: 3,
      belowBin: 0,
      aboveBin: 2,
      knotBins,
      gapBins,
      labels: [`< ${value}`, `= ${value}`, `> ${value}`],
    };
  }
  let edgesBelow = 0; // edges strictly below the current knot
  for (let index = 0; index < knots.length; index += 1) {
    while (edgesBelow < edges.length && edges[edgesBelow] < knots[index]) edgesBelow += 1;
    knotBins[index] = edgesBelow;
    // A value just above knot i has every edge <= knot i below it.
    if (index < gapBins.length) {
      gapBins[index] = edgesBelow + (edgesBelow < edges.length && edges[edgesBelow] === knots[index] ? 1 : 0);
    }
  }
  const labels: string[] = [];
  for (let bin = 0; bin <= edges.length; bin += 1) {
    const lower = bin === 0 ? '(-∞' : `(${edges[bin - 1]}`;
    const upper = bin === edges.length ? '+∞)' : `${edges[bin]}]`;
    labels.push(`${lower}, ${upper}`);
  }
  return { binCount: edges.length + 1, belowBin: 0, aboveBin: edges.length, knotBins, gapBins, labels };
}
