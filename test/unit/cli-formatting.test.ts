import { describe, expect, it } from 'vitest';
import { artifactUrisIn } from '../../db/queries/lineage.js';
import {
  formatBytes,
  formatDuration,
  formatEnergy,
  formatParams,
  formatTimestamp,
  renderTable,
} from '../../cli/formatting.js';
import { renderLineage, type LineageDocument } from '../../cli/models/lineage.js';
import { totalsOf, type StageDocument } from '../../cli/runs/stage-view.js';

const stage = (overrides: Partial<StageDocument>): StageDocument => ({
  stage: 'ingest',
  status: 'succeeded',
  attempts: 1,
  worker: 'host/cpu/1',
  startedAt: '2024-05-01T12:00:00.000Z',
  finishedAt: '2024-05-01T12:00:01.000Z',
  inputs: {},
  outputs: {},
  params: {},
  cacheHit: false,
  durationMs: 1000,
  cpuMs: 800,
  peakRssBytes: 1024 * 1024,
  energyJoules: 9.6,
  gpuDevice: null,
  error: null,
  ...overrides,
});

describe('figures for people', () => {
  it.each([
    [340, '340 ms'],
    [12_345, '12.3 s'],
    [245_000, '4m 05s'],
    [7_380_000, '2h 03m'],
    [null, '-'],
  ])('shows a duration of %s ms as %s', (milliseconds, text) => {
    expect(formatDuration(milliseconds)).toBe(text);
  });

  it.each([
    [512, '512 B'],
    [2048, '2.0 KiB'],
    [200 * 1024 * 1024, '200.0 MiB'],
    [1.5 * 1024 ** 3, '1.5 GiB'],
  ])('shows %s bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [0.4213, '0.42 J'],
    [96, '96.0 J'],
    [12_500, '12.5 kJ'],
    [3_100_000, '3.1 MJ'],
  ])('shows %s joules as %s', (joules, text) => {
    expect(formatEnergy(joules)).toBe(text);
  });

  it('shows times in UTC to the second', () => {
    expect(formatTimestamp('2024-05-01T12:03:44.789Z')).toBe('2024-05-01 12:03:44Z');
    expect(formatTimestamp(null)).toBe('-');
  });

  it('lists params as key=value pairs in key order, nested values as JSON', () => {
    expect(formatParams({ trainer: 'gbdt', depth: 6, classes: ['a', 'b'] })).toBe(
      'classes=["a","b"] depth=6 trainer=gbdt',
    );
    expect(formatParams({})).toBe('(none)');
  });

  it('aligns table columns to their widest cell without trailing spaces', () => {
    expect(
      renderTable(
        ['STAGE', 'STATUS'],
        [
          ['ingest', 'succeeded'],
          ['tune/trial-1/train', 'failed'],
        ],
      ),
    ).toEqual(['STAGE               STATUS', 'ingest              succeeded', 'tune/trial-1/train  failed']);
  });

  it('cuts the widest columns to fit a terminal, marking each cut, and never below eight characters', () => {
    const rows = [
      ['penguins-species', '3', 's3://mlops-artifacts/reports/penguins-species/v3/report.html'],
      ['flights', '12', '-'],
    ];
    const fitted = renderTable(['MODEL', 'VERSION', 'REPORT'], rows, 50);
    expect(fitted.every((line) => line.length <= 50)).toBe(true);
    expect(fitted[1]).toBe('penguins-species  3        s3://mlops-artifacts/r…');
    expect(fitted[2]).toBe('flights           12       -');
    // Where even the floors do not fit, the columns stop at eight characters (or their header).
    const narrow = renderTable(['MODEL', 'VERSION', 'REPORT'], rows, 10);
    expect(narrow[1]).toBe('penguin…  3        s3://ml…');
    expect(renderTable(['MODEL', 'VERSION', 'REPORT'], rows, undefined)[1]).toContain(rows[0][2]);
  });
});

describe('stage totals', () => {
  it('sums duration, CPU and energy over every stage run, counting unrecorded figures as zero', () => {
    const totals = totalsOf([
      stage({ durationMs: 1000, cpuMs: 800, energyJoules: 9.6 }),
      stage({ stage: 'train', durationMs: 3000, cpuMs: 2900, energyJoules: 34.8 }),
      stage({ stage: 'report', status: 'running', durationMs: null, cpuMs: null, energyJoules: null }),
    ]);
    expect(totals).toEqual({ durationMs: 4000, cpuMs: 3700, energyJoules: expect.closeTo(44.4, 9) });
  });
});

describe('artifact references inside stage records', () => {
  it('finds s3:// URIs at any depth and ignores other strings', () => {
    const outputs = {
      dataset: { uri: 's3://mlops/datasets/a.parquet', sha256: 'ab', rows: 3 },
      trials: [{ model: { uri: 's3://mlops/models/t1.json' } }],
      source: './data.csv',
      note: null,
    };
    expect(artifactUrisIn(outputs)).toEqual(['s3://mlops/datasets/a.parquet', 's3://mlops/models/t1.json']);
    expect(artifactUrisIn(null)).toEqual([]);
  });
});

describe('lineage for people', () => {
  const document: LineageDocument = {
    model: {
      name: 'penguins',
      version: 2,
      status: 'registered',
      task: 'multiclass',
      aliases: ['champion'],
      createdAt: '2024-05-01T12:10:00.000Z',
    },
    pipelineRun: {
      workflowId: 'pipeline/penguins/k1',
      runId: 'r1',
      status: 'succeeded',
      startedAt: '2024-05-01T12:00:00.000Z',
      finishedAt: '2024-05-01T12:10:00.000Z',
    },
    datasetVersions: [
      { name: 'penguins', uri: 's3://mlops/datasets/p/abc.parquet', sha256: 'abc', rows: 344 },
    ],
    stages: [
      stage({}),
      stage({ stage: 'train', attempts: 2, worker: 'host/gpu/2', gpuDevice: 1, durationMs: 61_000 }),
      stage({ stage: 'evaluate', status: 'failed', error: { type: 'Boom', message: 'no labels\nmore' } }),
    ],
    artifacts: [
      {
        uri: 's3://mlops/m.json',
        sha256: 'f'.repeat(64),
        bytes: 2048,
        kind: 'model',
        relation: null,
        stage: 'train',
      },
    ],
    codeVersion: '3f2c1e9',
    params: { trainer: 'logistic_regression', l2: 0.01 },
    totals: { durationMs: 63_000, cpuMs: 2400, energyJoules: 28.8 },
  };
  const text = renderLineage(document).join('\n');

  it('heads the summary with the version, its status and aliases, and the run that made it', () => {
    expect(text).toMatch(
      /^penguins v2: registered \[champion\]\n {2}pipeline run {2}pipeline\/penguins\/k1 \(run r1\)/,
    );
  });

  it('shows the dataset with its URI, sha256 and rows', () => {
    expect(text).toContain('penguins  s3://mlops/datasets/p/abc.parquet\n    sha256 abc  344 rows');
  });

  it('shows each stage with attempt, worker and GPU, cache, duration, CPU and energy, and errors under failed ones', () => {
    expect(text).toMatch(
      /train +succeeded +2 +host\/gpu\/2 \(GPU 1\) +miss +1m 01s +800 ms +1\.0 MiB +9\.60 J/,
    );
    expect(text).toMatch(/evaluate +failed .*\n {4}! Boom: no labels\n/);
  });

  it('shows artifacts, the code version, params and totals', () => {
    expect(text).toMatch(/model +from train +s3:\/\/mlops\/m\.json +2\.0 KiB +ffffffffffff/);
    expect(text).toContain('code version  3f2c1e9');
    expect(text).toContain('params        l2=0.01 trainer=logistic_regression');
    expect(text).toContain('totals        duration 1m 03s  CPU 2.4 s  energy 28.8 J (sum over 3 stage runs)');
  });
});
