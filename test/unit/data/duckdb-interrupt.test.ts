import { describe, expect, it } from 'vitest';
import { interruptQueriesOn, withDuckDB } from '../../../data/duckdb.js';

/** A query that would keep both cores busy for minutes. */
const endless = 'SELECT count(*) FROM range(100000000000) t(i) WHERE hash(i) % 7 = 3';

describe('DuckDB queries and cancellation', () => {
  it('interrupts a running query when its signal aborts, failing with the abort reason', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by the test')), 300);
    const started = performance.now();
    await expect(
      withDuckDB([], { signal: controller.signal }, (connection) => connection.run(endless)),
    ).rejects.toThrow('cancelled by the test');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('uses the ambient signal (the running activity cancellation) when none is passed', async () => {
    const controller = new AbortController();
    interruptQueriesOn(() => controller.signal);
    try {
      setTimeout(() => controller.abort(new Error('activity cancelled')), 300);
      await expect(withDuckDB([], {}, (connection) => connection.run(endless))).rejects.toThrow(
        'activity cancelled',
      );
      await expect(withDuckDB([], {}, (connection) => connection.run('SELECT 1'))).rejects.toThrow(
        'activity cancelled',
      );
    } finally {
      interruptQueriesOn(() => undefined);
    }
  });
});
