import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { getColumn } from '../../ml/frame/frame.js';
import { frameFromDuckDBResult, sliceRows } from '../../ml/frame/index.js';
import { binaryRocCurve } from '../../ml/metrics/index.js';
import { loadModelDocument, predictFrame, trainModel, type TrainerName } from '../../ml/model/index.js';

const parquet = fileURLToPath(
  new URL('../../node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url),
);

/** A seeded 60,000-row sample of flights-3m, in time order (one DuckDB thread keeps the sample fixed). */
async function loadFlightsSample() {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  const result = await connection.run(`
    select hour(date) as "hour", isodow(date) as "day of week", distance, origin, destination, delay > 15 as "delayed"
    from (select * from read_parquet('${parquet.replaceAll("'", "''")}') using sample reservoir(60000 rows) repeatable (42))
    order by date, origin, destination, distance, delay`);
  return frameFromDuckDBResult(result);
}

describe('flights delays (delay > 15 minutes)', async () => {
  const flights = await loadFlightsSample();
  const cut = Math.floor(flights.rowCount * 0.8);
  // Time-ordered split: train on the earlier flights, test on the later ones.
  const train = sliceRows(flights, 0, cut);
  const test = sliceRows(flights, cut, flights.rowCount);
  const delayed = getColumn(test, 'delayed');

  function holdoutAuc(trainer: TrainerName): number {
    const document = trainModel({ frame: train, target: 'delayed', trainer, seed: 1 });
    const predictions = predictFrame(loadModelDocument(document), test);
    if (predictions.task !== 'binary' || delayed.kind !== 'numeric')
      throw new Error('expected a binary task');
    const positive = predictions.probabilities.filter((_, index) => index % 2 === 1);
    const roc = binaryRocCurve(delayed.values, positive);
    if (!roc.defined) throw new Error(roc.reason);
    return roc.auc;
  }

  it('reads the sample with the expected columns and both classes', () => {
    expect(flights.rowCount).toBe(60_000);
    expect(flights.columns.map((column) => `${column.name}:${column.kind}`)).toEqual([
      'hour:numeric',
      'day of week:numeric',
      'distance:numeric',
      'origin:categorical',
      'destination:categorical',
      'delayed:numeric',
    ]);
  });

  it('ranks delays better with gradient boosting than with logistic regression, both above 0.6 AUC', () => {
    const logistic = holdoutAuc('logistic_regression');
    const boosting = holdoutAuc('gradient_boosting');
    expect(logistic).toBeGreaterThan(0.6);
    expect(boosting).toBeGreaterThan(0.6);
    expect(boosting).toBeGreaterThan(logistic);
  });
});
