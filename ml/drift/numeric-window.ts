/**
 * The window-side summary of one numeric feature, in memory proportional to the reference's
 * sketch (a few hundred numbers) however many rows stream through: counts and sums per sketch
 * cell (below the training minimum, at each knot, between knots, above the training maximum).
 */

import { DriftInputError } from './errors.js';
import type { NumericFeatureProfile } from './profile-types.js';

const GRID_CELLS = 2048;

export class NumericWindow {
  readonly knots: Float64Array;
  readonly knotCounts: Float64Array;
  readonly gapCounts: Float64Array;
  readonly gapSums: Float64Array;
  /** Σ |x - center| per gap, center = the reference gap mean (or midpoint): bounds the collapse error. */
  readonly gapDeviationSums: Float64Array;
  readonly gapCenters: Float64Array;
  belowCount = 0;
  /** Σ (first knot - x) over values below the training minimum. */
  belowDistanceSum = 0;
  aboveCount = 0;
  /** Σ (x - last knot) over values above the training maximum. */
  aboveDistanceSum = 0;
  count = 0;
  missingCount = 0;
  /** Σ (x - shift) and Σ (x - shift)² with shift = the reference mean, for the window's moments. */
  private shiftedSum = 0;
  private shiftedSquares = 0;
  private readonly shift: number;
  /**
   * A uniform grid over [first knot, last knot]: cell c starts the knot search at
   * gridStart[c], so a lookup scans a handful of knots instead of a full binary search
   * (about five times faster; the window comparison spends most of its time here).
   */
  private readonly gridStart: Int32Array;
  private readonly gridScale: number;

  constructor(readonly profile: NumericFeatureProfile) {
    this.knots = Float64Array.from(profile.sketch.knots);
    this.knotCounts = new Float64Array(this.knots.length);
    this.gapCounts = new Float64Array(Math.max(this.knots.length - 1, 0));
    this.gapSums = new Float64Array(this.gapCounts.length);
    this.gapDeviationSums = new Float64Array(this.gapCounts.length);
    const { gapCounts, gapMeans } = profile.sketch;
    this.gapCenters = Float64Array.from(this.gapCounts, (_, gap) =>
      gapCounts[gap] > 0 ? gapMeans[gap] : (this.knots[gap] + this.knots[gap + 1]) / 2,
    );
    this.shift = profile.mean ?? 0;
    const knots = this.knots;
    const span = knots.length > 1 ? knots[knots.length - 1] - knots[0] : 0;
    this.gridScale = span > 0 && Number.isFinite(GRID_CELLS / span) ? GRID_CELLS / span : 0;
    this.gridStart = new Int32Array(GRID_CELLS + 1);
    let knot = 0;
    for (let cell = 0; cell <= GRID_CELLS && this.gridScale > 0; cell += 1) {
      const cellStart = knots[0] + cell / this.gridScale;
      while (knot + 1 < knots.length && knots[knot + 1] <= cellStart) knot += 1;
      this.gridStart[cell] = knot;
    }
  }

  /** Index of the last knot <= value, for knots[0] <= value <= knots[last]. */
  private lastKnotAtOrBelow(value: number): number {
    const knots = this.knots;
    const last = knots.length - 1;
    if (this.gridScale === 0) return last;
    const cell = Math.min(GRID_CELLS - 1, Math.floor((value - knots[0]) * this.gridScale));
    let low = this.gridStart[cell];
    let high = Math.min(this.gridStart[cell + 1] + 1, last);
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (knots[middle] <= value) low = middle;
      else high = middle - 1;
    }
    // Rounding in the cell arithmetic can misplace a value by one cell; these settle it exactly.
    while (low > 0 && knots[low] > value) low -= 1;
    while (low < last && knots[low + 1] <= value) low += 1;
    return low;
  }

  /** Adds rows [start, end) of a column; NaN or a set `missing` flag count as missing. */
  addValues(values: Float64Array, missing: Uint8Array | null, start = 0, end = values.length): void {
    const knots = this.knots;
    const knotCount = knots.length;
    const knotCounts = this.knotCounts;
    const gapCounts = this.gapCounts;
    const gapSums = this.gapSums;
    const gapDeviationSums = this.gapDeviationSums;
    const gapCenters = this.gapCenters;
    const lowest = knotCount > 0 ? knots[0] : Infinity;
    const highest = knotCount > 0 ? knots[knotCount - 1] : -Infinity;
    const shift = this.shift;
    for (let row = start; row < end; row += 1) {
      const value = values[row];
      if (value !== value || (missing !== null && missing[row] === 1)) {
        this.missingCount += 1;
        continue;
      }
      if (value === Infinity || value === -Infinity) {
        throw new DriftInputError(
          `column ${JSON.stringify(this.profile.name)} holds ${value} at row ${row}; mark it missing or clip it first`,
        );
      }
      // Sums accumulate straight into the totals so batch boundaries never change the rounding.
      this.count += 1;
      const shifted = value - shift;
      this.shiftedSum += shifted;
      this.shiftedSquares += shifted * shifted;
      if (value < lowest) {
        this.belowCount += 1;
        this.belowDistanceSum += lowest - value;
      } else if (value > highest) {
        this.aboveCount += 1;
        this.aboveDistanceSum += value - highest;
      } else {
        const low = this.lastKnotAtOrBelow(value);
        if (knots[low] === value) knotCounts[low] += 1;
        else {
          gapCounts[low] += 1;
          gapSums[low] += value;
          gapDeviationSums[low] += Math.abs(value - gapCenters[low]);
        }
      }
    }
  }

  get mean(): number | null {
    return this.count > 0 ? this.shift + this.shiftedSum / this.count : null;
  }

  get standardDeviation(): number | null {
    if (this.count === 0) return null;
    const meanShift = this.shiftedSum / this.count;
    return Math.sqrt(Math.max(0, this.shiftedSquares / this.count - meanShift * meanShift));
  }
}
