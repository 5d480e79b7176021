import { describe, expect, it } from 'vitest';
import { buildReferenceProfile, createDriftAccumulator } from '../../ml/drift/index.js';
import type { CategoricalColumn, NumericColumn } from '../../ml/frame/frame.js';
import { categoricalColumn, fillNormal, normalColumn, seededRandom } from './drift-synthetic-data.js';

const CHUNK_ROWS = 50_000;
const TOTAL_ROWS = 1_000_000;

function memoryInUse(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

describe('streaming drift accumulation', () => {
  it('takes a million rows in chunks with memory that does not grow with the rows', () => {
    const random = seededRandom(7);
    const profile = buildReferenceProfile({
      columns: [
        normalColumn('distance', 50_000, random, 800, 300),
        normalColumn('delay', 50_000, random, 10, 30),
        categoricalColumn('origin', 50_000, random, ['ATL', 'ORD', 'DFW', 'LAX'], [4, 3, 2, 1]),
      ],
    });
    const accumulator = createDriftAccumulator(profile);
    // One set of chunk buffers, refilled for every chunk: the test itself holds no rows.
    const distance: NumericColumn = {
      kind: 'numeric',
      name: 'distance',
      values: new Float64Array(CHUNK_ROWS),
      missing: null,
    };
    const delay: NumericColumn = {
      kind: 'numeric',
      name: 'delay',
      values: new Float64Array(CHUNK_ROWS),
      missing: null,
    };
    const origin: CategoricalColumn = categoricalColumn(
      'origin',
      CHUNK_ROWS,
      random,
      ['ATL', 'ORD', 'DFW', 'LAX'],
      [4, 3, 2, 1],
    );
    let memoryAfterWarmUp = 0;
    for (let chunk = 0; chunk < TOTAL_ROWS / CHUNK_ROWS; chunk += 1) {
      fillNormal(distance.values, random, 800, 300);
      // The second half of the stream drifts: delays grow by half a standard deviation.
      fillNormal(delay.values, random, chunk < 10 ? 10 : 25, 30);
      // Origins rotate from chunk to chunk, so the window's mix drifts away from the 4:3:2:1 training mix.
      for (let row = 0; row < CHUNK_ROWS; row += 1) origin.codes[row] = (origin.codes[row] + 1) % 4;
      accumulator.addColumns({ columns: [distance, delay, origin] });
      if (chunk === 1) memoryAfterWarmUp = memoryInUse();
    }
    expect(accumulator.rowCount).toBe(TOTAL_ROWS);
    // Keeping the 900,000 later rows would take ~18 MB; the accumulator keeps counts only.
    expect(memoryInUse() - memoryAfterWarmUp).toBeLessThan(8 * 1024 * 1024);
    const report = accumulator.finish();
    expect(report.windowRowCount).toBe(TOTAL_ROWS);
    const byName = Object.fromEntries(report.features.map((feature) => [feature.name, feature]));
    expect(byName.distance.windowCount).toBe(TOTAL_ROWS);
    expect(byName.distance.drifted).toBe(false);
    expect(byName.delay.drifted).toBe(true);
    expect(byName.delay.moments!.window.mean).toBeCloseTo(17.5, 0);
    expect(byName.origin.drifted).toBe(true);
    expect(report.verdict).toMatchObject({ drifted: true, driftedFeatureCount: 2, featureCount: 3 });
  });
});
