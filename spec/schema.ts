import { z } from 'zod';
import { MAX_TRIALS } from './limits.js';
import { COMMAND_TRAINER, fairnessMetrics, primaryMetrics, trainerNames } from './types.js';

/**
 * The spec's schema. Objects are strict, so a typo (`tragets`) is an error with a suggestion
 * rather than a silently ignored field; defaults are filled in here so everything downstream sees
 * one complete shape (spec/types.ts).
 */

const fraction = z.number().min(0).max(1);
const columnName = z.string().min(1, 'must not be empty');
const columnList = z.array(columnName).default([]);
const scalar = z.union([z.number(), z.string(), z.boolean(), z.null()]);

const columnExpectation = z.strictObject({
  type: z.enum(['number', 'string', 'boolean']).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  allowed: z
    .array(z.union([z.string(), z.number(), z.boolean()]))
    .min(1)
    .optional(),
  maxInvalidFraction: fraction.optional(),
  maxNullFraction: fraction.optional(),
});

const gate = z
  .strictObject({
    metric: z.enum(primaryMetrics).optional(),
    fairness: z.enum(fairnessMetrics).optional(),
    attribute: columnName.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .superRefine((value, context) => {
    if ((value.metric === undefined) === (value.fairness === undefined)) {
      context.addIssue({ code: 'custom', message: 'a gate names exactly one of `metric` or `fairness`' });
    }
    if (value.min === undefined && value.max === undefined) {
      context.addIssue({ code: 'custom', message: 'a gate needs a `min` or a `max` threshold' });
    }
    if (value.attribute !== undefined && value.metric !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['attribute'],
        message: '`attribute` belongs to fairness gates only',
      });
    }
  });

export const specSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
      'must be 1-63 letters, digits, dots, dashes or underscores, starting with a letter or digit',
    ),
  dataset: z.strictObject({
    uri: z.string().min(1, 'must not be empty'),
    format: z.enum(['csv', 'json', 'parquet']).optional(),
    query: z.string().min(1).optional(),
  }),
  target: columnName,
  task: z.enum(['binary', 'multiclass', 'regression']).optional(),
  features: columnList,
  exclude: columnList,
  pii: z
    .strictObject({ drop: columnList, hash: columnList, hashed: z.array(columnName).optional() })
    .default({ drop: [], hash: [] }),
  sensitive: columnList,
  validation: z
    .strictObject({
      minRows: z.number().int().min(1).optional(),
      maxNullFraction: fraction.optional(),
      columns: z.record(columnName, columnExpectation).default({}),
    })
    .default({ columns: {} }),
  split: z
    .strictObject({
      strategy: z.enum(['random', 'time']).default('random'),
      testFraction: z.number().gt(0).lt(1).default(0.2),
      validationFraction: z.number().min(0).lt(1).default(0.1),
      seed: z.number().int().default(42),
      timeColumn: columnName.optional(),
      testFrom: z.string().min(1).optional(),
      validationFrom: z.string().min(1).optional(),
    })
    .default({ strategy: 'random', testFraction: 0.2, validationFraction: 0.1, seed: 42 }),
  train: z.strictObject({
    trainer: z.enum([...trainerNames, COMMAND_TRAINER]),
    command: z.array(z.string().min(1, 'must not be empty')).min(1, 'name the program to run').optional(),
    python: z
      .strictObject({
        requirements: z.array(z.string().min(1, 'must not be empty')).min(1).optional(),
        requirementsFile: z.string().min(1).optional(),
      })
      .optional(),
    timeout: z
      .string()
      .regex(/^\d+(\.\d+)?(s|m|h|d)$/, 'must be a duration such as 90s, 30m, 2h or 1d')
      .optional(),
    params: z.record(z.string(), scalar).default({}),
    search: z.record(z.string(), z.array(scalar).min(1, 'list at least one value to try')).optional(),
    searchStrategy: z.enum(['grid', 'random']).default('grid'),
    maxTrials: z.number().int().min(1).max(MAX_TRIALS).optional(),
    maxParallelTrials: z.number().int().min(1).max(64).default(4),
    resources: z.strictObject({ gpu: z.number().int().min(0).max(16).default(0) }).default({ gpu: 0 }),
  }),
  evaluation: z
    .strictObject({
      primaryMetric: z.enum(primaryMetrics).optional(),
      gates: z.array(gate).default([]),
      compareToChampion: z.boolean().default(false),
    })
    .default({ gates: [], compareToChampion: false }),
  deploy: z.strictObject({ promote: z.boolean().default(false) }).default({ promote: false }),
  serving: z.strictObject({ allowMissing: columnList }).default({ allowMissing: [] }),
});
