/**
 * The reference profile: what drift monitoring keeps of the training data. It is plain JSON
 * (stored next to the model), a few kilobytes per feature whatever the training size.
 *
 * Numeric features keep two summaries of the training values:
 * - PSI bins: at most `binCount` (default 20) right-closed bins whose edges are training values at
 *   evenly spaced quantiles; a feature with at most `binCount` distinct values gets one bin per
 *   value. Bin i holds values in (edge[i-1], edge[i]]; the first bin is open to -∞ and the last to
 *   +∞, so window values outside the training range land in the extreme bins. A constant feature
 *   (one distinct value c) instead gets three bins: below c, equal to c, above c.
 * - A sketch of the empirical CDF for KS and Wasserstein: "knots" (all distinct values when there
 *   are at most sketchSize + 1 of them, otherwise the values at quantiles i / sketchSize plus
 *   finer tail quantiles and the PSI edges), the exact count of training values equal to each
 *   knot, and the count and mean of the values strictly between consecutive knots ("gaps"). The
 *   window is summarized the same way against the same knots, so KS is evaluated at every knot
 *   exactly (the true statistic can exceed it by at most the largest reference gap share, about
 *   1 / sketchSize, and is exact when every distinct training value is a knot), and Wasserstein
 *   is computed exactly between the two distributions with each gap's mass moved to the gap's
 *   mean. The error of that is bounded and reported: the reference side's collapse cost is stored
 *   exactly (mean absolute deviation per gap), the window's is bounded from Σ |x - reference gap
 *   mean| which the window tracks; the tails beyond the training range are exact.
 */

export const REFERENCE_PROFILE_FORMAT = 'mlops.drift-profile/v1';

export interface NumericSketch {
  /** Sorted distinct training values at which both CDFs are evaluated. */
  readonly knots: number[];
  /** Training rows equal to each knot. */
  readonly knotCounts: number[];
  /** Training rows strictly between knot i and knot i + 1 (length knots.length - 1). */
  readonly gapCounts: number[];
  /** Mean of those rows; 0 where the gap is empty. */
  readonly gapMeans: number[];
  /** Mean |x - gap mean| of those rows (what collapsing the gap to its mean costs); 0 where empty. */
  readonly gapMeanAbsoluteDeviations: number[];
}

export interface NumericFeatureProfile {
  readonly kind: 'numeric';
  readonly name: string;
  /** Rows with a value. */
  readonly count: number;
  readonly missingCount: number;
  /** Summary of the values; null when every training value is missing. */
  readonly mean: number | null;
  /** Population standard deviation (ddof = 0): the Wasserstein normalizer. */
  readonly standardDeviation: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** Right-closed PSI bin edges (training values). */
  readonly binEdges: number[];
  /** Training rows per PSI bin: binEdges.length + 1 bins, or 3 for a constant feature. */
  readonly binCounts: number[];
  readonly sketch: NumericSketch;
}

export interface CategoricalFeatureProfile {
  readonly kind: 'categorical';
  readonly name: string;
  readonly count: number;
  readonly missingCount: number;
  /** The most frequent training categories (at most topCategoryCount), most frequent first. */
  readonly categories: string[];
  readonly categoryCounts: number[];
  /** Training rows in categories outside the top list. Window values never seen in training count here too. */
  readonly otherCount: number;
  /** Distinct training categories, top list and others together. */
  readonly distinctCount: number;
}

export type FeatureProfile = NumericFeatureProfile | CategoricalFeatureProfile;

export interface ProfileSettings {
  readonly binCount: number;
  readonly sketchSize: number;
  readonly topCategoryCount: number;
}

export interface ReferenceProfile {
  readonly format: typeof REFERENCE_PROFILE_FORMAT;
  readonly rowCount: number;
  readonly settings: ProfileSettings;
  readonly features: FeatureProfile[];
  /** The model's training-time predictions (class labels or scores), when given. */
  readonly prediction: FeatureProfile | null;
}

export const DEFAULT_PROFILE_SETTINGS: ProfileSettings = {
  binCount: 20,
  sketchSize: 200,
  topCategoryCount: 50,
};
