/**
 * Drift report fixtures made the way the monitor makes them: a reference profile from "training"
 * rows, a window streamed through ml/drift's accumulator, the result round-tripped through JSON as
 * the database stores it, plus a history of windows and the model's events.
 */

import { seededRandom } from '../../../contracts/seeded-random.js';
import { buildReferenceProfile, createDriftAccumulator } from '../../../ml/drift/index.js';
import type { Column } from '../../../ml/frame/frame.js';
import type { DriftEventData, DriftHistoryPoint, DriftReportData } from '../../../reports/drift-types.js';

export const WINDOW_END = Date.UTC(2031, 4, 14, 12, 0, 0);
const HOUR = 3600 * 1000;

interface Names {
  readonly model?: string;
  readonly numeric?: string;
  readonly categorical?: string;
  readonly category?: string;
}

function categorical(name: string, values: readonly (string | null)[]): Column {
  const dictionary = [...new Set(values.filter((value): value is string => value !== null))];
  return {
    kind: 'categorical',
    name,
    codes: Int32Array.from(values, (value) => (value === null ? -1 : dictionary.indexOf(value))),
    dictionary,
  };
}

/** A drift document: a shifted numeric feature, a categorical one with an unseen category, and one the window never has. */
export function driftDocument(names: Names = {}): Record<string, unknown> {
  const random = seededRandom(7);
  const numericName = names.numeric ?? 'Flipper Length (mm)';
  const categoricalName = names.categorical ?? 'Island';
  const islands = ['Biscoe', 'Dream', names.category ?? 'Torgersen'];
  const training = 600;
  const flipper = Float64Array.from({ length: training }, () => 180 + random() * 50);
  const depth = Float64Array.from({ length: training }, () => 14 + random() * 8);
  const island = Array.from({ length: training }, (_, row) => islands[row % 3]);
  const species = Array.from({ length: training }, (_, row) => ['Adelie', 'Gentoo', 'Chinstrap'][row % 3]);
  const profile = buildReferenceProfile(
    {
      columns: [
        { kind: 'numeric', name: numericName, values: flipper, missing: null },
        { kind: 'numeric', name: 'Beak Depth (mm)', values: depth, missing: null },
        categorical(categoricalName, island),
      ],
    },
    { predictions: categorical('Species', species) },
  );
  const accumulator = createDriftAccumulator(profile);
  const rows = Array.from({ length: 300 }, (_, row) => ({
    [numericName]: 200 + random() * 60,
    // Zero rows with a value in the window: the feature is missing from every logged request.
    'Beak Depth (mm)': null,
    [categoricalName]: row % 10 === 0 ? 'Alchemy' : islands[row % 2],
  }));
  accumulator.addRows(
    rows,
    rows.map((_, row) => ['Adelie', 'Gentoo'][row % 2]),
  );
  return JSON.parse(JSON.stringify(accumulator.finish())) as Record<string, unknown>;
}

export function driftHistory(count = 12, options: { liveMetric?: boolean } = {}): DriftHistoryPoint[] {
  return Array.from({ length: count }, (_, index) => {
    const end = WINDOW_END - (count - 1 - index) * HOUR;
    const live = options.liveMetric ?? true;
    return {
      id: 100 + index,
      version: index < 6 ? 1 : 2,
      windowStart: new Date(end - HOUR).toISOString(),
      windowEnd: new Date(end).toISOString(),
      rows: 300 + index * 10,
      drifted: index % 4 === 3 || index === count - 1,
      maxPsi: index === 2 ? null : 0.05 + index * 0.04,
      liveMetric: live
        ? {
            name: 'accuracy',
            // One window without enough labels.
            value: index === 4 ? null : 0.95 - index * 0.01,
            testValue: index < 6 ? 0.97 : 0.96,
            lowerIsBetter: false,
            labeled: index === 4 ? 3 : 120,
          }
        : null,
    };
  });
}

export function driftEvents(): DriftEventData[] {
  const at = (hoursBeforeEnd: number) => new Date(WINDOW_END - hoursBeforeEnd * HOUR).toISOString();
  return [
    { at: at(7.5), action: 'retrain', actor: 'monitor', detail: 'pipeline/penguins/retrain-1 (succeeded)' },
    {
      at: at(7),
      action: 'register',
      actor: 'pipeline pipeline/penguins/retrain-1',
      detail: 'v2: every gate passed',
    },
    {
      at: at(6.8),
      action: 'canary-start',
      actor: 'monitor monitor/penguins',
      detail: 'champion v1, challenger v2 at 30%',
    },
    {
      at: at(6.2),
      action: 'canary-promote',
      actor: 'lifecycle',
      detail: 'champion v2: live accuracy better',
    },
    {
      at: at(0.5),
      action: 'rollback',
      actor: 'alice@host (cli)',
      detail: 'champion v1: rolled back by request',
    },
  ];
}

export function driftReportData(names: Names = {}): DriftReportData {
  const history = driftHistory();
  return {
    model: { name: names.model ?? 'penguins-species', version: 2 },
    window: history[history.length - 1],
    drift: driftDocument(names),
    history,
    events: driftEvents(),
    generatedAt: new Date(WINDOW_END + 60_000).toISOString(),
  };
}
