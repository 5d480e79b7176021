/**
 * The data stages of the pipeline (ingest, validate, de-identify, split) and loading a split part
 * for training, as plain functions over local files through DuckDB. They know nothing about
 * Temporal, S3 or Postgres: activities download inputs, call these, then upload and record.
 */
export {
  cutParquetChunk,
  loadParquetFrame,
  parquetColumnNames,
  parquetRowCount,
  parquetRowsAt,
  scoredColumnNames,
  writeScoredParquet,
  type ChunkPredictions,
} from './batch.js';
export { deidentifyDataset, type DeidentifyOptions, type DeidentifyResult } from './deidentify.js';
export { type DuckDBOptions, interruptQueriesOn } from './duckdb.js';
export { DatasetInputError } from './errors.js';
export { hmacPads, hmacSql } from './hmac.js';
export { exportPartParquet, loadPartFrame, type LoadPartOptions } from './load-part.js';
export { inferFormat, type LocalPathOptions, resolveLocalDataPath } from './paths.js';
export {
  checkHttpUrl,
  checkS3Source,
  checkScoresDestination,
  checkSourceAddress,
  isPublicAddress,
  type SourcePolicy,
} from './source-policy.js';
export type { ColumnProfile, DatasetProfile, TopValue } from './profile.js';
export {
  snapshotDataset,
  type SnapshotColumn,
  type SnapshotOptions,
  type SnapshotResult,
} from './snapshot.js';
export { computeSplit, type SplitOptions } from './split.js';
export type {
  PartCounts,
  RandomSplitDefinition,
  RandomSplitStratum,
  SplitDefinition,
  SplitPart,
  TimeSplitDefinition,
} from './split-definition.js';
export { splitParts } from './split-definition.js';
export { partExpressionSql, splitPartQuery, splitRelationSql } from './split-query.js';
export { quoteIdentifier, quoteLiteral } from './sql.js';
export { inferTask, targetClasses } from './task.js';
export {
  validateDataset,
  type ColumnStats,
  type ValidateOptions,
  type ValidationReport,
  type ValidationViolation,
} from './validate.js';
export type { ExpectationName } from './validation-checks.js';
