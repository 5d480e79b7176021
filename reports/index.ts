/** HTML reports of model versions (issue 4, stage 10): pure functions from report data to HTML. */
export { renderModelReport } from './model-report.js';
export { flatMetrics, metricRows, type MetricRow } from './metric-rows.js';
export { stageTotals, type StageTotals } from './sections/lineage.js';
export { escapeHtml } from './escape.js';
export type {
  ArtifactLink,
  ChampionComparison,
  DatasetLineage,
  EvaluationResult,
  FeatureImportance,
  FeatureImportanceMethod,
  GateResult,
  InputSummary,
  Lineage,
  ModelReportData,
  ModelSummary,
  ModelVersionReportStatus,
  ReportParamValue,
  ReportTask,
  StageRecord,
  TrainingCurve,
  TrainingCurvePoint,
  Tuning,
  TuningTrial,
} from './types.js';
